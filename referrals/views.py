"""The staff side of referrals: routing, drafting, approving, sending; partners."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.reauth import recent_auth_required
from audit.models import Action
from audit.services import record
from core.http import posted_id
from drafts.services import draft_discard, draft_slot
from intake.forms import RouteForm
from intake.selectors import get_case_for, team_ids
from referrals import drafts as referral_drafts
from referrals import services
from referrals.forms import PartnerForm, PartnerStaffForm, ReferralForm
from referrals.models import Partner, Referral
from referrals.routing import rank_partners
from referrals.selectors import get_referral_for, open_referrals_for
from referrals.status import ReferralError, ReferralStatus


def _require_coordinator(request: HttpRequest) -> None:
    if not request.user.sees_team_cases:
        raise Http404
    if not request.user.coordinates:
        raise PermissionDenied


def _back(referral: Referral) -> HttpResponse:
    return redirect("referrals:referral_detail", reference=referral.reference)


@never_cache
@require_GET
def route(request: HttpRequest, reference: str) -> HttpResponse:
    """Who can help with this need? Active partners ranked by fit, with reasons."""
    case = get_case_for(request.user, reference, write=True)
    form = RouteForm(request.GET or None)
    ranked = rank_partners(case, form.cleaned_data["service"]) if form.is_valid() else None
    return render(request, "referrals/route.html", {"case": case, "form": form, "ranked": ranked})


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    route_form = RouteForm(request.GET)
    partner = Partner.objects.filter(reference=request.GET.get("partner", ""), active=True).first()
    if partner is None or not route_form.is_valid():
        raise Http404
    service = route_form.cleaned_data["service"]
    draft = draft_slot(
        user=request.user,
        form=referral_drafts.NEW,
        scope=referral_drafts.new_scope(case, partner, service),
        read=request.method == "GET",
    )
    form = ReferralForm(request.POST or None, initial=draft.initial())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                referral = services.referral_draft(
                    case=case,
                    partner=partner,
                    service=service,
                    data=form.cleaned_data,
                    by=request.user,
                )
                draft_discard(user=request.user, form=draft.form, scope=draft.scope)
        except ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft saved. Check it, then send it."))
            return _back(referral)
    context = {
        "case": case, "partner": partner, "service": service, "form": form, "draft": draft
    }  # fmt: skip
    return render(
        request, "referrals/referral_form.html", context, status=400 if form.errors else 200
    )


@never_cache
@require_GET
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for(request.user, reference)
    record(Action.VIEW, request=request, object_type="referral", object_ref=referral.reference)
    return render(request, "referrals/referral_detail.html", {"referral": referral})


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for(request.user, reference, write=True)
    if referral.status != ReferralStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return _back(referral)
    draft = draft_slot(
        user=request.user,
        form=referral_drafts.EDIT,
        scope=referral.reference,
        read=request.method == "GET",
    )
    form = ReferralForm(request.POST or None, instance=referral, initial=draft.initial())
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: the referral saved and its typing draft gone, or neither.
            with transaction.atomic():
                services.referral_update_draft(
                    referral=referral, data=form.cleaned_data, by=request.user
                )
                draft_discard(user=request.user, form=draft.form, scope=draft.scope)
        except ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft saved."))
            return _back(referral)
    context = {
        "referral": referral,
        "case": referral.case,
        "partner": referral.partner,
        "service": referral.service,
        "form": form,
        "draft": draft,
    }
    return render(
        request, "referrals/referral_form.html", context, status=400 if form.errors else 200
    )


def _act(request: HttpRequest, referral: Referral, action) -> HttpResponse:
    try:
        action()
    except ReferralError as exc:
        messages.error(request, str(exc))
    return _back(referral)


@never_cache
@require_POST
@recent_auth_required
def referral_approve(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for(request.user, reference, write=True, coordinate=True)
    seen = [f for f in request.POST.get("shared", "").split(",") if f]
    return _act(
        request,
        referral,
        lambda: services.referral_approve(referral=referral, by=request.user, seen_shared=seen),
    )


@never_cache
@require_POST
def referral_send(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for(request.user, reference, write=True)
    return _act(
        request,
        referral,
        lambda: services.referral_move(referral=referral, to=ReferralStatus.SENT, by=request.user),
    )


@never_cache
@require_POST
def referral_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for(request.user, reference, write=True)
    return _act(
        request,
        referral,
        lambda: services.referral_move(
            referral=referral, to=ReferralStatus.WITHDRAWN, by=request.user
        ),
    )


@never_cache
@require_GET
def open_referrals(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    referrals = list(open_referrals_for(request.user)[:500])
    return render(request, "referrals/open_referrals.html", {"referrals": referrals})


@never_cache
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    partners = (
        Partner.objects.filter(team__in=team_ids(request.user))
        .defer("contact_details")
        .prefetch_related("staff__user")
    )
    return render(request, "referrals/partner_list.html", {"partners": partners})


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    form = PartnerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if request.user.shielded:  # nothing written into the team's work under duress or asleep
            messages.success(request, _("Partner saved."))
            return redirect("referrals:partner_list")
        partner = services.partner_save(form=form, by=request.user)
        messages.success(request, _("Partner saved."))
        return redirect("referrals:partner_edit", reference=partner.reference)
    status = 400 if form.errors else 200
    return render(request, "referrals/partner_form.html", {"form": form}, status=status)


def _get_partner(user, reference: str) -> Partner:
    """A partner the user's team manages; 404 for any other (it may exist, but not for them)."""
    partner = Partner.objects.filter(reference=reference, team__in=team_ids(user)).first()
    if partner is None:
        raise Http404
    return partner


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, reference: str) -> HttpResponse:
    _require_coordinator(request)
    partner = _get_partner(request.user, reference)
    form = PartnerForm(request.POST or None, instance=partner, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.partner_save(form=form, by=request.user)
        messages.success(request, _("Partner saved."))
        return redirect("referrals:partner_edit", reference=partner.reference)
    context = {"form": form, "partner": partner, "staff_form": PartnerStaffForm()}
    return render(
        request, "referrals/partner_form.html", context, status=400 if form.errors else 200
    )


@never_cache
@sensitive_post_parameters()
@require_POST
def partner_staff_add(request: HttpRequest, reference: str) -> HttpResponse:
    _require_coordinator(request)
    partner = _get_partner(request.user, reference)
    form = PartnerStaffForm(request.POST)
    if form.is_valid():
        try:
            services.partner_staff_add(
                partner=partner,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                by=request.user,
            )
        except IntegrityError:
            form.add_error("username", _("That username is taken."))
    if form.errors:
        partner_form = PartnerForm(instance=partner, user=request.user)
        context = {"form": partner_form, "partner": partner, "staff_form": form}
        return render(request, "referrals/partner_form.html", context, status=400)
    messages.success(request, _("Staff account created."))
    return redirect("referrals:partner_edit", reference=partner.reference)


@never_cache
@require_POST
def partner_staff_deactivate(request: HttpRequest, reference: str) -> HttpResponse:
    _require_coordinator(request)
    partner = _get_partner(request.user, reference)
    user = User.objects.filter(
        pk=posted_id(request, "user"), partner_staff__partner=partner
    ).first()
    if user is None:
        raise Http404
    services.partner_staff_deactivate(partner=partner, user=user, by=request.user)
    messages.success(request, _("Access ended for %(u)s.") % {"u": user.username})
    return redirect("referrals:partner_edit", reference=partner.reference)
