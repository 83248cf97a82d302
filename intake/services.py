"""Work on cases that spans models or touches crypto.

Every function takes `by`, the user acting: the timeline shows it, and the
audit trail records it (field names and codes, never values).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from audit.models import Action
from audit.services import record
from crypto.blind_index import blind_index
from intake import closing, unmerging
from intake.choices import Verification
from intake.models import (
    INTAKE_FIELDS,
    Case,
    CaseEvent,
    CheckIn,
    FlaggedHandle,
    MergedReference,
    Note,
    StatusChange,
)
from intake.search import index_case, index_new_case
from intake.selectors import cases_visible_to
from intake.status import ClosureReason, Status, TransitionError

Event = CaseEvent.Kind


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
    fields = ["reference", "status", "closure_reason"]
    cases = cases_visible_to(user).filter(handle_index=index).only(*fields)
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    found = list(cases.order_by("created_at")[:10])
    # A merged duplicate stands for the case it was merged into: offer that
    # one, or a repeat would be added to a closed case nobody opens again.
    merged = [case.reference for case in found if case.closure_reason == ClosureReason.DUPLICATE]
    if merged:
        survivors = cases_visible_to(user).filter(merged_references__reference__in=merged)
        if exclude is not None:
            survivors = survivors.exclude(pk=exclude.pk)
        kept = [case for case in found if case.reference not in merged]
        found = kept + [case for case in survivors.only(*fields) if case not in kept]
    return HandleMatches(
        # Never to a shielded session: which handles are flagged is the network's knowledge.
        flagged=not user.shielded and FlaggedHandle.objects.filter(handle_index=index).exists(),
        cases=found,
    )


def _validate(case: Case) -> None:
    """Field rules, for a caller that skipped the form. Uniqueness, relations and
    check constraints are the database's to enforce: not asked for a second time."""
    relations = ["team", "assignee", "created_by"]
    case.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


@transaction.atomic
def case_create(*, team: Team, data: dict, by: User) -> Case:
    case = Case(team=team, created_by=by, **{k: data[k] for k in INTAKE_FIELDS})
    case.handle_index = blind_index(case.contact_handle)
    _validate(case)
    case.save()
    index_new_case(case)
    _audit(Action.CREATE, case, by)
    return case


@transaction.atomic
def case_update(*, case: Case, data: dict, by: User) -> Case:
    # Compare with what is stored: a ModelForm has already written to `case`.
    stored = Case.objects.only(*INTAKE_FIELDS).get(pk=case.pk)
    changed = [name for name in INTAKE_FIELDS if getattr(stored, name) != data[name]]
    for name in INTAKE_FIELDS:
        setattr(case, name, data[name])
    case.handle_index = blind_index(case.contact_handle)
    _validate(case)
    case.save()
    # The handle's index is kept current above; the alias's words here, in
    # the same transaction, so a search never finds an alias no longer there.
    if "alias" in changed:
        index_case(case)
    _audit(Action.UPDATE, case, by, fields=changed)
    return case


def _audit(action: str, case: Case, by: User | None, **detail) -> None:
    record(action, actor=by, object_type="case", object_ref=case.reference, detail=detail)


@transaction.atomic
def case_move(*, case: Case, to: str, closure_reason: str = "", by: User) -> StatusChange:
    if to == Status.CLOSED and (refusal := closing.refusal(case)):
        raise TransitionError(refusal)
    change = case.move_to(to, by=by, closure_reason=closure_reason)
    detail = {"from": change.from_status, "to": to}
    if change.from_status == Status.CLOSED and (unmerged := _unmerge(case)):
        detail["unmerged_from"] = unmerged
    _audit(Action.STATUS, case, by, **detail)
    if closure_reason == ClosureReason.PROVOCATION:
        _flag_provocation(case=case, by=by)
    return change


def _unmerge(case: Case) -> str | None:
    """A duplicate reopened stands alone again: its reference no longer leads to the case
    it was merged into, and their "duplicate" link goes. Returns that case's reference.

    What the merge moved (notes, check-ins, referrals, plans) stays where it is.
    The link is network's, which undoes it through `intake/unmerging.py`.
    """
    merged = MergedReference.objects.filter(reference=case.reference).select_related("case")
    merged = merged.only("case__reference").first()
    if merged is None:
        return None
    unmerging.unmerged(case, merged.case_id)
    MergedReference.objects.filter(pk=merged.pk).delete()
    return merged.case.reference


def note_add(*, case: Case, body: str, by: User) -> Note:
    note = Note(case=case, author=by, body=body)
    note.full_clean()
    note.save()
    _audit(Action.CREATE, case, by, note=note.pk)
    # A note is activity: a request being worked is not stale.
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return note


# What a repeated request adds to the case it repeats, in this order: all it
# said, the risk and needs too (a repeat may be more urgent than the case),
# and on which channel (a handle means little without it).
REQUEST_AS_NOTE = [
    "alias", "contact_channel", "contact_handle", "safe_contact", "risk", "region",
    "location", "threats", "needs", "languages", "narrative",
]  # fmt: skip


def request_lines(data: dict) -> list[str]:
    """What a request said, one "Field: value" line per field it filled, as a note shows it."""
    repeat = Case(**{name: data[name] for name in INTAKE_FIELDS})
    lines = []
    for name in REQUEST_AS_NOTE:
        shown = getattr(repeat, f"get_{name}_display", lambda n=name: data[n])()
        if isinstance(shown, list):
            shown = ", ".join(str(label) for label in shown)
        if shown:
            label = Case._meta.get_field(name).verbose_name
            lines.append(f"{str(label).capitalize()}: {shown}")
    return lines


# Closed for a reason a repeated request does not undo: a suspected
# provocateur writing again, or a duplicate whose work is on the case kept.
STAYS_CLOSED = (ClosureReason.PROVOCATION, ClosureReason.DUPLICATE)


@transaction.atomic
def case_add_request(*, case: Case, data: dict, by: User) -> Note:
    """Record a request that repeats a known case as a note on it; no new case is made.

    A closed case is reopened for verification: left closed, the request
    would sit where nobody works, and go with the old case's purge. Not one
    closed as a suspected provocation or as a duplicate (STAYS_CLOSED): the
    note is added, the case stays closed, and the caller says why.
    """
    body = "\n".join([_("Repeated request, recorded on this case:"), *request_lines(data)])
    # Too long for a note raises ValidationError in note_add: never cut what was typed.
    note = note_add(case=case, body=body, by=by)
    if case.status == Status.CLOSED and case.closure_reason not in STAYS_CLOSED:
        case_move(case=case, to=Status.VERIFYING, by=by)
    return note


def case_set_follow_up(*, case: Case, on: date | None, by: User) -> None:
    case.follow_up_on = on
    case.save(update_fields=["follow_up_on", "updated_at"])
    _audit(Action.UPDATE, case, by, fields=["follow_up_on"])


@transaction.atomic
def case_set_verification(*, case: Case, verification: str, by: User) -> None:
    """Set the verification state; lifting a suspicion is a coordinator's call."""
    if verification == case.verification:
        return
    if verification == Verification.SUSPECTED:
        _flag_provocation(case=case, by=by)
        return
    if case.verification == Verification.SUSPECTED:
        # A coerced insider could flag a real person's handle for every
        # team; a coordinator reviews and lifts such a flag.
        if not by.coordinates:
            raise PermissionDenied("Only a coordinator can lift a suspicion of provocation.")
        FlaggedHandle.objects.filter(handle_index=case.handle_index).delete()
        CaseEvent.objects.create(case=case, kind=Event.SUSPICION_LIFTED, by=by)
    case.verification = verification
    case.save(update_fields=["verification", "updated_at"])
    CaseEvent.objects.create(case=case, kind=Event.VERIFICATION, by=by, detail=verification)
    _audit(Action.UPDATE, case, by, fields=["verification"], to=verification)


def _flag_provocation(*, case: Case, by: User) -> None:
    """Remember the handle as a provocateur's, by blind index only."""
    if case.verification != Verification.SUSPECTED:
        case.verification = Verification.SUSPECTED
        case.save(update_fields=["verification", "updated_at"])
        CaseEvent.objects.create(
            case=case, kind=Event.VERIFICATION, by=by, detail=Verification.SUSPECTED
        )
        _audit(Action.UPDATE, case, by, fields=["verification"], to=Verification.SUSPECTED)
    if case.handle_index:
        FlaggedHandle.objects.get_or_create(
            handle_index=case.handle_index, defaults={"flagged_by": by}
        )


def case_mark_compromised(*, case: Case, by: User) -> None:
    # Only the first marking counts: the time the channels became unsafe.
    if case.device_compromised_at is None:
        case.device_compromised_at = timezone.now()
        case.save(update_fields=["device_compromised_at", "updated_at"])
        CaseEvent.objects.create(case=case, kind=Event.DEVICE_COMPROMISED, by=by)
        _audit(Action.UPDATE, case, by, fields=["device_compromised_at"])


def case_restore_channel(*, case: Case, by: User) -> None:
    """Record that the person is reachable on a new safe channel again."""
    if case.device_compromised_at is not None:
        case.device_compromised_at = None
        case.save(update_fields=["device_compromised_at", "updated_at"])
        CaseEvent.objects.create(case=case, kind=Event.CHANNEL_RESTORED, by=by)
        _audit(Action.UPDATE, case, by, fields=["device_compromised_at"])


def checkin_set(*, case: Case, due_at: datetime, by: User) -> CheckIn:
    checkin = CheckIn.objects.create(case=case, due_at=due_at, set_by=by)
    _audit(Action.CREATE, case, by, checkin=checkin.pk)
    return checkin


def checkin_heard(*, checkin: CheckIn, by: User) -> None:
    """They were heard from: the check-in is handled, escalated or not."""
    if CheckIn.objects.filter(pk=checkin.pk, heard_at__isnull=True).update(
        heard_at=timezone.now(), heard_by=by
    ):
        _audit(Action.UPDATE, checkin.case, by, checkin=checkin.pk, fields=["heard_at"])


def case_set_legal_hold(*, case: Case, hold: bool, by: User) -> None:
    """Keep a case from every purge (a court case, an investigation) or let it go again."""
    if case.legal_hold != hold:
        case.legal_hold = hold
        case.save(update_fields=["legal_hold", "updated_at"])
        CaseEvent.objects.create(
            case=case, kind=Event.LEGAL_HOLD, by=by, detail="on" if hold else "off"
        )
        _audit(Action.UPDATE, case, by, fields=["legal_hold"], to=hold)


def case_assign(*, case: Case, assignee: User | None, by: User) -> None:
    if assignee == case.assignee:
        return
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    detail = assignee.username if assignee else ""
    CaseEvent.objects.create(case=case, kind=Event.ASSIGNED, by=by, detail=detail)
    _audit(Action.UPDATE, case, by, fields=["assignee"])
