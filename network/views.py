"""Links, merges and the seized-phone warning, from the case page (under its address)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from core.http import posted_id
from intake.models import Case
from intake.selectors import cases_visible_to, get_case_for
from intake.views import case_page
from network import services
from network.forms import ContactsForm, HandledForm, LinkForm, MergeForm
from network.models import CaseLink
from network.services import NetworkError


def _back(case: Case) -> HttpResponse:
    return redirect("intake:case_detail", reference=case.reference)


@never_cache
@require_POST
def link_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = LinkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.link_add(
                case=case,
                other=form.cleaned_data["reference"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except NetworkError as exc:
            form.add_error("reference", str(exc))
    if not form.is_valid():
        return case_page(request, case, status=400, link_form=form)
    messages.success(request, _("The cases are linked."))
    return _back(case)


@never_cache
@require_POST
def link_remove(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    # Both cases must be the user's to see: a link to another team's case is
    # answered as one that does not exist.
    visible = cases_visible_to(request.user).values("pk")
    link = (
        CaseLink.objects.filter(Q(first=case) | Q(second=case), pk=posted_id(request, "link"))
        .filter(first__in=visible, second__in=visible)
        .select_related("first", "second")
        .first()
    )
    if link is None:
        raise Http404
    try:
        services.link_remove(case=case, link=link, by=request.user)
    except NetworkError as exc:
        messages.error(request, str(exc))
        return _back(case)
    messages.success(request, _("The link is removed."))
    return _back(case)


@never_cache
@sensitive_post_parameters("contacts")
@require_POST
def compromised_mark(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark the device seized and warn the network; the pasted contacts are compared, not kept."""
    case = get_case_for(request.user, reference, write=True)
    form = ContactsForm(request.POST)
    if not form.is_valid():
        # The only place the typed handles go back to: the form, to be corrected.
        return case_page(request, case, status=400, contacts_form=form)
    was_marked = case.device_compromised
    contacts = form.cleaned_data["contacts"]
    warned = services.device_mark_compromised(case=case, by=request.user, contacts=contacts)
    if not was_marked:
        messages.warning(request, _("Device marked as compromised: the known channels are burned."))
    if warned.linked:
        messages.warning(
            request,
            ngettext(
                "%(n)s linked case of your teams is warned.",
                "%(n)s linked cases of your teams are warned.",
                warned.linked,
            )
            % {"n": warned.linked},
        )
    if contacts.strip():
        # Of the user's own teams only: of other teams, not even a count.
        messages.warning(
            request,
            ngettext(
                "%(n)s case of your teams has a handle from these contacts and is warned.",
                "%(n)s cases of your teams have a handle from these contacts and are warned.",
                warned.contacts,
            )
            % {"n": warned.contacts},
        )
    return _back(case)


@never_cache
@require_POST
def exposure_handle(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    exposure = case.exposures.filter(pk=posted_id(request, "exposure")).first()
    if exposure is None:
        raise Http404
    exposure.case = case
    form = HandledForm(request.POST, exposure_id=exposure.pk)
    if not form.is_valid():
        return case_page(request, case, status=400, handled_form=form)
    if services.exposure_handle(exposure=exposure, how=form.cleaned_data["how"], by=request.user):
        messages.success(request, _("Recorded what was done; the warning is closed."))
    else:
        messages.info(request, _("Someone had recorded what was done already."))
    return _back(case)


@never_cache
@require_http_methods(["GET", "POST"])
def case_merge(request: HttpRequest, reference: str) -> HttpResponse:
    """Merge this case, a duplicate, into another of its team: asked, shown, confirmed."""
    duplicate = get_case_for(request.user, reference, write=True, coordinate=True)
    form = MergeForm(request.POST or None, user=request.user)
    survivor = None
    if request.method == "POST" and form.is_valid():
        survivor = form.cleaned_data["into"]
        refusal = services.merge_refusal(duplicate=duplicate, survivor=survivor)
        if refusal is None and form.cleaned_data["confirm"]:
            try:
                services.case_merge(duplicate=duplicate, survivor=survivor, by=request.user)
            except NetworkError as exc:
                refusal = str(exc)
            else:
                messages.success(
                    request,
                    _("Case %(old)s is merged into this case, %(new)s.")
                    % {"old": duplicate.reference, "new": survivor.reference},
                )
                return _back(survivor)
        if refusal is not None:
            form.add_error("into", refusal)
            survivor = None
    context = {
        "case": duplicate,
        "form": form,
        "survivor": survivor,
        "moving": _what_moves(duplicate) if survivor is not None else None,
    }
    status = 400 if form.errors else 200
    return render(request, "network/case_merge.html", context, status=status)


def _what_moves(duplicate: Case) -> dict[str, int]:
    return {
        "notes": duplicate.notes.count(),
        "checkins": duplicate.checkins.count(),
        "referrals": duplicate.referrals.count(),
        "plans": duplicate.evacuation_plans.count(),
    }
