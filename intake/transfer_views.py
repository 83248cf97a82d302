"""Moving a case to another team: the form on the case page, and the requests to decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.reauth import recent_auth_required
from core.http import posted_id
from intake import transfers
from intake.forms import TransferForm
from intake.selectors import get_case_for, require_case_staff
from intake.transfers import TransferError, get_transfer_to_decide
from intake.views import case_page

SHOWN = 200  # requests listed; far more than an organisation has open at once


def _requests_page() -> HttpResponse:
    return redirect("intake:transfer_requests")


@never_cache
@require_POST
@recent_auth_required
def case_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    """Move the case to another team at once, or ask that team's coordinators."""
    case = get_case_for(request.user, reference, write=True, coordinate=True)
    form = TransferForm(request.POST, case=case)
    if form.is_valid():
        to_team = form.cleaned_data["to_team"]
        try:
            transfer = transfers.case_transfer(case=case, to_team=to_team, by=request.user)
        except TransferError as exc:
            form.add_error(None, str(exc))
        else:
            if transfer.accepted:
                messages.success(
                    request,
                    _("The case moved to “%(team)s”; nobody is assigned yet.") % {"team": to_team},
                )
            else:
                messages.success(
                    request,
                    _("Asked: a coordinator of “%(team)s” accepts or refuses the case.")
                    % {"team": to_team},
                )
            return redirect("intake:case_detail", reference=case.reference)
    # Refused: the case page again, the team chosen still chosen, and why.
    return case_page(request, case, status=400, transfer_form=form)


@never_cache
@require_POST
def transfer_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True, coordinate=True)
    transfer = case.transfers.filter(pk=posted_id(request, "transfer")).first()
    if transfer is None or not transfer.is_open:
        messages.error(request, _("No transfer of this case is waiting for an answer."))
        return redirect("intake:case_detail", reference=case.reference)
    try:
        transfers.transfer_withdraw(transfer=transfer, by=request.user)
    except TransferError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The transfer request is withdrawn."))
    return redirect("intake:case_detail", reference=case.reference)


@never_cache
@require_GET
def transfer_requests(request: HttpRequest) -> HttpResponse:
    """Requests asked of the user's teams, to decide, and those their teams made."""
    require_case_staff(request.user)
    if not request.user.coordinates:
        raise PermissionDenied
    context = {
        "waiting": list(transfers.transfers_waiting_for(request.user)[:SHOWN]),
        "asked": list(transfers.transfers_asked_by(request.user)[:SHOWN]),
    }
    return render(request, "intake/transfer_requests.html", context)


@never_cache
@require_POST
@recent_auth_required
def transfer_accept(request: HttpRequest, reference: str) -> HttpResponse:
    transfer = get_transfer_to_decide(request.user, reference, posted_id(request, "transfer"))
    try:
        case = transfers.transfer_accept(transfer=transfer, by=request.user)
    except TransferError as exc:
        messages.error(request, str(exc))
        return _requests_page()
    messages.success(
        request, _("Case %(ref)s is now your team's; assign it.") % {"ref": case.reference}
    )
    return redirect("intake:case_detail", reference=case.reference)


@never_cache
@require_POST
def transfer_refuse(request: HttpRequest, reference: str) -> HttpResponse:
    transfer = get_transfer_to_decide(request.user, reference, posted_id(request, "transfer"))
    try:
        transfers.transfer_refuse(transfer=transfer, by=request.user)
    except TransferError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Refused: the case stays with its team."))
    return _requests_page()
