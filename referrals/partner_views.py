"""The partner organisation's side: only their referrals, only the shared fields."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record
from intake.models import Case
from referrals import partner_sections, services
from referrals.forms import CompleteForm, DeclineForm
from referrals.selectors import get_partner_referral, partner_of, referrals_for_partner
from referrals.status import ReferralError, ReferralStatus

S = ReferralStatus
ACTIONS = {
    "acknowledge": (S.ACKNOWLEDGED, None),
    "accept": (S.ACCEPTED, None),
    "decline": (S.DECLINED, DeclineForm),
    "complete": (S.COMPLETED, CompleteForm),
}


@never_cache
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request.user)
    if partner is None:
        raise Http404
    referrals = referrals_for_partner(request.user).defer(
        "summary", "decline_reason", "outcome_note"
    )
    return render(
        request, "referrals/partner_inbox.html", {"partner": partner, "referrals": referrals}
    )


def _detail(request, referral, *, status=200, **forms) -> HttpResponse:
    # Only a flag of the case is read: whether its channels are burned.
    burned = Case.objects.filter(pk=referral.case_id, device_compromised_at__isnull=False).exists()
    context = {
        "referral": referral,
        "shared": referral.shared_data(channels_burned=burned),
        "channels_burned": burned,
        "decline_form": DeclineForm(),
        "complete_form": CompleteForm(),
        # From the apps above: the evacuation legs this partner takes part in
        # ("legs"), with only their shared details.
        **partner_sections.sections_for(referral, channels_burned=burned),
        **forms,
    }
    return render(request, "referrals/partner_detail.html", context, status=status)


@never_cache
@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_partner_referral(request.user, reference)
    record(
        Action.PARTNER_ACCESS,
        request=request,
        object_type="referral",
        object_ref=referral.reference,
        detail={"status": referral.status},
    )
    return _detail(request, referral)


@never_cache
@sensitive_post_parameters()
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    referral = get_partner_referral(request.user, reference)
    if action not in ACTIONS:
        raise Http404
    target, form_class = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _detail(request, referral, status=400, **{f"{action}_form": form})
    try:
        services.referral_move(
            referral=referral,
            to=target,
            by=request.user,
            note=form.cleaned_data["note"] if form else "",
        )
    except ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Referral is now “%(s)s”.") % {"s": referral.get_status_display()}
        )
    return redirect("referrals:partner_detail", reference=referral.reference)
