"""A case handed to another team: at once, or asked of that team's coordinators.

A coordinator who coordinates the other team too moves the case at once;
one who does not asks, and a coordinator of the other team accepts or
refuses. The case team's coordinators may withdraw a request while it waits.
Until it is accepted, the other team sees only what it needs to decide
(reference, risk, region, needs, who asks), never the alias, the contact
handle or the narrative.

What hangs off the case (notes, check-ins, referrals, evacuation plans,
links, warnings) follows it through its foreign key, and the duplicates
merged into it move with it (its MERGED event and merge note name them, and
their references lead to it: the new team must be able to read them); the
reminders scan tells the new team's people of what is due, and the old team's open
reminders about the case are removed here, as it leaves their sight.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from audit.models import Action
from audit.services import record
from core.errors import Refused
from intake import search
from intake.forms import TransferForm
from intake.models import Case, CaseEvent, MergedReference, Transfer
from intake.selectors import team_ids
from intake.status import ClosureReason, Status


class TransferError(Refused):
    """A transfer that cannot be made now, with a message for the coordinator."""


def coordinates_team(user: User, team_id: int) -> bool:
    return user.coordinates and team_id in team_ids(user)


# Who sees which request


# What a coordinator of the team asked reads of the case: never the encrypted fields.
REQUEST_COLUMNS = (
    "requested_at",
    "from_team__name",
    "to_team__name",
    "requested_by__username",
    "case__reference",
    "case__risk",
    "case__region",
    "case__needs",
)


def transfers_waiting_for(user: User) -> QuerySet[Transfer]:
    """Open requests asked of the teams the user coordinates, oldest first."""
    if not user.coordinates:
        return Transfer.objects.none()
    return (
        Transfer.objects.open()
        .filter(to_team__in=team_ids(user))
        .select_related("case", "from_team", "to_team", "requested_by")
        .only(*REQUEST_COLUMNS)
        .order_by("requested_at", "pk")
    )


def transfers_asked_by(user: User) -> QuerySet[Transfer]:
    """Open requests the user's teams made, for their coordinators to follow or withdraw."""
    if not user.coordinates:
        return Transfer.objects.none()
    return (
        Transfer.objects.open()
        .filter(from_team__in=team_ids(user))
        .select_related("case", "from_team", "to_team", "requested_by")
        .only(*REQUEST_COLUMNS)
        .order_by("requested_at", "pk")
    )


def get_transfer_to_decide(user: User, reference: str, transfer_id: int | None) -> Transfer:
    """The request `transfer_id` about case `reference`, for a coordinator of the team asked.

    404 unless the user may see the request: a member of the team asked
    who coordinates it, or one who sees the case (403: they may see it, not
    decide it). Decided requests are returned too: the view says so.
    """
    if not user.sees_team_cases or transfer_id is None:
        raise Http404
    transfer = (
        Transfer.objects.filter(pk=transfer_id, case__reference=reference)
        .select_related("case", "to_team")
        .only("accepted", "from_team_id", "to_team__name", "case__reference", "case__team_id")
        .first()
    )
    if transfer is None:
        raise Http404
    if coordinates_team(user, transfer.to_team_id):
        return transfer
    if transfer.case.team_id in team_ids(user):
        raise PermissionDenied
    raise Http404


def transfer_context(user: User, case: Case) -> dict:
    """What the case page shows of transfers: for the case's coordinators only."""
    if not coordinates_team(user, case.team_id):
        return {}
    last = case.transfers.select_related("to_team", "requested_by", "decided_by").last()
    return {"transfer_form": TransferForm(case=case), "last_transfer": last}


# Moving a case


def _audit(case: Case, by: User, step: str, transfer: Transfer, **detail) -> None:
    # References and team ids only: a team's name is no business of the trail.
    detail |= {"transfer": step, "from_team": transfer.from_team_id, "to_team": transfer.to_team_id}
    record(Action.UPDATE, actor=by, object_type="case", object_ref=case.reference, detail=detail)


def _lock(case: Case) -> int:
    """Lock the case row and return its team as stored now.

    Every step locks the case first and the request second, so two
    coordinators acting at once wait for each other, in the same order.
    """
    return Case.objects.select_for_update().values_list("team_id", flat=True).get(pk=case.pk)


def open_request(case: Case) -> Transfer | None:
    """The case's request still waiting for an answer, if any (one at most: a constraint)."""
    return Transfer.objects.open().filter(case=case).first()


def has_coordinators(team: Team) -> bool:
    return User.objects.filter(teams=team, role=Role.COORDINATOR, is_active=True).exists()


@transaction.atomic
def case_transfer(*, case: Case, to_team: Team, by: User) -> Transfer:
    """Move the case to `to_team` if `by` coordinates it too; else ask its coordinators."""
    if not coordinates_team(by, case.team_id):
        raise PermissionDenied(_("Only a coordinator of the case's team can move it."))
    team_id = _lock(case)
    if team_id != case.team_id:
        raise TransferError(_("The case moved to another team meanwhile."))
    if to_team.pk == team_id:
        raise TransferError(_("The case is already with this team."))
    if open_request(case) is not None:
        raise TransferError(
            _("A transfer of this case is already waiting for an answer: withdraw it first.")
        )
    at_once = coordinates_team(by, to_team.pk)
    if not at_once and not has_coordinators(to_team):
        raise TransferError(
            _("Team “%(team)s” has no coordinator who could accept the case.") % {"team": to_team}
        )
    try:
        # A savepoint: where the row lock is not taken (SQLite), the one open
        # request per case is the database's to keep.
        with transaction.atomic():
            transfer = Transfer.objects.create(
                case=case, from_team_id=team_id, to_team=to_team, requested_by=by
            )
    except IntegrityError:
        raise TransferError(
            _("A transfer of this case is already waiting for an answer: withdraw it first.")
        ) from None
    if at_once:
        _move(case, transfer, by)
    else:
        _audit(case, by, "requested", transfer)
    return transfer


def _decide(transfer: Transfer, by: User, *, accepted: bool) -> bool:
    """Claim the open request for one decision; False if it was decided meanwhile."""
    now = timezone.now()
    claimed = (
        Transfer.objects.open()
        .filter(pk=transfer.pk)
        .update(accepted=accepted, decided_by=by, decided_at=now)
    )
    transfer.accepted, transfer.decided_by, transfer.decided_at = accepted, by, now
    return bool(claimed)


def _move(case: Case, transfer: Transfer, by: User) -> None:
    """The case changes team, with the duplicates merged into it; nobody of the new team
    is assigned yet."""
    if transfer.is_open and not _decide(transfer, by, accepted=True):
        raise TransferError(_("This request was answered or withdrawn meanwhile."))
    to_team = Team.objects.get(pk=transfer.to_team_id)
    _change_team(case, to_team, by)
    _audit(case, by, "moved", transfer, fields=["team", "assignee"])
    merged = Case.objects.select_for_update().filter(
        status=Status.CLOSED,
        closure_reason=ClosureReason.DUPLICATE,
        reference__in=MergedReference.objects.filter(case=case).values("reference"),
    )
    for duplicate in merged.order_by("pk"):
        _change_team(duplicate, to_team, by)
        _audit(duplicate, by, "moved with the case kept", transfer, fields=["team", "assignee"])


def _change_team(case: Case, to_team: Team, by: User) -> None:
    case.team, case.assignee = to_team, None
    case.save(update_fields=["team", "assignee", "updated_at"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.TRANSFERRED, by=by, detail=to_team.name)
    # Through the related manager (reminders sit above intake): the old
    # team's reminders about the case lead to a page they may no longer
    # open, so their cause ended for them. Removed, as the scan removes
    # such reminders, not marked done: done means a person dismissed it,
    # which would silence the same event if the case ever came back.
    # Whoever is in both teams keeps theirs.
    case.notifications.filter(done_at__isnull=True).exclude(user__teams=to_team).delete()
    # Search tokens are keyed by team: the new team finds the case, the old one no longer.
    search.index_case(case)


def _locked_open(transfer: Transfer) -> Case:
    case = Case.objects.get(pk=transfer.case_id)
    if _lock(case) != transfer.from_team_id:
        raise TransferError(_("The case moved to another team meanwhile."))
    if not Transfer.objects.open().filter(pk=transfer.pk).exists():
        raise TransferError(_("This request was answered or withdrawn meanwhile."))
    return case


@transaction.atomic
def transfer_accept(*, transfer: Transfer, by: User) -> Case:
    if not coordinates_team(by, transfer.to_team_id):
        raise PermissionDenied(_("Only a coordinator of the team asked can accept."))
    case = _locked_open(transfer)
    _move(case, transfer, by)
    return case


@transaction.atomic
def transfer_refuse(*, transfer: Transfer, by: User) -> None:
    if not coordinates_team(by, transfer.to_team_id):
        raise PermissionDenied(_("Only a coordinator of the team asked can refuse."))
    case = _locked_open(transfer)
    if not _decide(transfer, by, accepted=False):
        raise TransferError(_("This request was answered or withdrawn meanwhile."))
    _audit(case, by, "refused", transfer)


@transaction.atomic
def transfer_withdraw(*, transfer: Transfer, by: User) -> None:
    """Withdraw a request while it waits: any coordinator of the case's team may.

    Not only the one who asked: they may be away, or have left, while the
    request blocks every other move of the case.
    """
    if not coordinates_team(by, transfer.from_team_id):
        raise PermissionDenied(_("Only a coordinator of the case's team can withdraw it."))
    case = _locked_open(transfer)
    if not _decide(transfer, by, accepted=False):
        raise TransferError(_("This request was answered or withdrawn meanwhile."))
    _audit(case, by, "withdrawn", transfer)
