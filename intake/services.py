"""Work on cases that spans models or touches crypto."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User
from crypto.blind_index import blind_index
from intake.choices import Verification
from intake.models import Case, FlaggedHandle, Note, StatusChange
from intake.selectors import cases_visible_to
from intake.status import ClosureReason

CASE_FIELDS = [
    "alias",
    "contact_channel",
    "contact_handle",
    "safe_contact",
    "region",
    "location",
    "threats",
    "needs",
    "languages",
    "risk",
    "narrative",
]


@dataclass
class HandleMatches:
    flagged: bool = False
    cases: list[Case] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.flagged or bool(self.cases)


def handle_matches(*, user: User, handle: str, exclude: Case | None = None) -> HandleMatches:
    """Find the user's own-team cases and provocation flags that share this handle.

    Only the blind index is compared; nothing is decrypted. Other teams'
    cases are not reported: a coerced insider must not be able to probe
    whether someone is known to the network.
    """
    index = blind_index(handle)
    if not index:
        return HandleMatches()
    cases = cases_visible_to(user).filter(handle_index=index).only("reference", "status")
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    return HandleMatches(
        flagged=FlaggedHandle.objects.filter(handle_index=index).exists(),
        cases=list(cases.order_by("created_at")[:10]),
    )


def case_create(*, team: Team, data: dict, by: User) -> Case:
    case = Case(team=team, created_by=by, **{k: data[k] for k in CASE_FIELDS})
    case.handle_index = blind_index(case.contact_handle)
    case.full_clean()
    case.save()
    return case


def case_update(*, case: Case, data: dict, by: User) -> Case:
    for name in CASE_FIELDS:
        setattr(case, name, data[name])
    case.handle_index = blind_index(case.contact_handle)
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def case_move(*, case: Case, to: str, closure_reason: str = "", by: User) -> StatusChange:
    change = case.move_to(to, by=by, closure_reason=closure_reason)
    if closure_reason == ClosureReason.PROVOCATION:
        case_flag_provocation(case=case)
    return change


def case_flag_provocation(*, case: Case) -> None:
    """Remember the handle as a provocateur's, by blind index only."""
    Case.objects.filter(pk=case.pk).update(verification=Verification.SUSPECTED)
    case.verification = Verification.SUSPECTED
    if case.handle_index:
        FlaggedHandle.objects.get_or_create(handle_index=case.handle_index)


def note_add(*, case: Case, body: str, by: User) -> Note:
    note = Note(case=case, author=by, body=body)
    note.full_clean()
    note.save()
    return note


def case_set_follow_up(*, case: Case, on: date | None, by: User) -> None:
    case.follow_up_on = on
    case.save(update_fields=["follow_up_on", "updated_at"])


def case_set_verification(*, case: Case, verification: str, by: User) -> None:
    if verification == Verification.SUSPECTED:
        case_flag_provocation(case=case)
        return
    case.verification = verification
    case.save(update_fields=["verification", "updated_at"])


def case_mark_compromised(*, case: Case, by: User) -> None:
    # Only the first marking counts: the time the channels became unsafe.
    if case.device_compromised_at is None:
        case.device_compromised_at = timezone.now()
        case.save(update_fields=["device_compromised_at", "updated_at"])


def case_assign(*, case: Case, assignee: User | None, by: User) -> None:
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
