"""Links between cases, merging a duplicate, and the warnings a seized phone sends.

Every function takes `by`, the user acting. The trail records references
and codes; the timelines record kinds and codes, never another case's
reference: a case transferred later would name, to its new team, a case
they may not see (the links section names the other case, checked when the
page is read). A merge's own event names the duplicate, which moves with
the case kept wherever it goes (intake/transfers.py).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import record, record_many
from core.errors import Refused
from crypto.blind_index import blind_index
from evacuations.models import Plan
from evidence.models import EvidenceFile
from intake import services as intake_services
from intake.models import (
    INTAKE_FIELDS,
    Case,
    CaseEvent,
    CheckIn,
    MergedReference,
    Note,
    Transfer,
)
from intake.selectors import cases_visible_to, team_ids
from intake.status import ClosureReason, Status
from network.models import CaseLink, Cause, Exposure, Handled, LinkKind
from referrals.models import Referral

Event = CaseEvent.Kind
# What a caseworker may say links two cases; "duplicate" is written by a merge only.
LINK_KINDS = [kind for kind in LinkKind if kind != LinkKind.DUPLICATE]
# A seized phone's contact list, pasted: bounded, so one paste cannot make a
# request that runs for minutes (each line is an HMAC and part of one query).
CONTACTS_MAX_LINES = 1000
CONTACTS_MAX_CHARS = 50_000
# A line may be "name, number, handle": a few parts of it are tried each.
CONTACT_PARTS_PER_LINE = 4
_CONTACT_SEPARATORS = re.compile(r"[,;\t|]")
# What a warned case is read for: no encrypted column is decrypted to warn.
_WARN_FIELDS = ["reference", "team"]


class NetworkError(Refused):
    """A link, merge or warning the rules refuse now, with a message for the user."""


def _audit(case: Case, by: User | None, **detail) -> None:
    record(Action.UPDATE, actor=by, object_type="case", object_ref=case.reference, detail=detail)


def _ordered(a: Case, b: Case) -> tuple[Case, Case]:
    return (a, b) if a.pk < b.pk else (b, a)


def links_of(case: Case) -> Q:
    return Q(first=case) | Q(second=case)


def linked_case_ids(case: Case) -> set[int]:
    pairs = CaseLink.objects.filter(links_of(case)).values_list("first_id", "second_id")
    return {first if second == case.pk else second for first, second in pairs}


def _link_events(kind: str, a: Case, b: Case, code: str, by: User) -> None:
    """The kind of link on both timelines, and no reference: see the module's docstring."""
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case=a, kind=kind, by=by, detail=code),
            CaseEvent(case=b, kind=kind, by=_staff_seen_by(b, by), detail=code),
        ]
    )


def _staff_seen_by(case: Case, by: User | None) -> User | None:
    """Who acted, as the case's own team may see it: nobody named from another team."""
    return by if by is not None and case.team_id in team_ids(by) else None


# Links


@transaction.atomic
def link_add(*, case: Case, other: Case, kind: str, by: User) -> CaseLink:
    """Link two cases the user may work; a link to a seized phone's case warns at once."""
    if not by.works_cases:
        raise PermissionDenied
    if kind not in LINK_KINDS:
        raise NetworkError(_("Choose what links the two cases."))
    if other.pk == case.pk:
        raise NetworkError(_("A case cannot be linked to itself."))
    first, second = _ordered(case, other)
    # get_or_create: two caseworkers linking the same pair at once make one link.
    link, created = CaseLink.objects.get_or_create(
        first=first, second=second, defaults={"kind": kind, "created_by": by}
    )
    if not created:
        raise NetworkError(_("These two cases are linked already."))
    _link_events(Event.LINKED, case, other, kind, by)
    _audit(case, by, linked=other.reference, kind=kind)
    _audit(other, by, linked=case.reference, kind=kind)
    # The police follow links too: linking to a case whose phone was taken
    # puts the new person where that phone's contacts already are. Read
    # again, not from the page's copy: it may have been marked meanwhile.
    seized = set(
        Case.objects.filter(
            pk__in=[case.pk, other.pk], device_compromised_at__isnull=False
        ).values_list("pk", flat=True)
    )
    elsewhere = []
    for source, target in ((case, other), (other, case)):
        if source.pk in seized:
            elsewhere += _warn_linked([target], source=source, by=by)[1]
    if elsewhere:
        _hand_elsewhere(elsewhere)
    return link


@transaction.atomic
def link_remove(*, case: Case, link: CaseLink, by: User) -> None:
    """Remove a link between two cases the user may both see."""
    if not by.works_cases:
        raise PermissionDenied
    visible = cases_visible_to(by).filter(pk__in=[link.first_id, link.second_id]).count()
    if visible < 2:
        raise PermissionDenied
    if link.kind == LinkKind.DUPLICATE:
        raise NetworkError(_("This link records a merge: it cannot be removed."))
    other = link.second if link.first_id == case.pk else link.first
    link.delete()
    _link_events(Event.UNLINKED, case, other, link.kind, by)
    _audit(case, by, unlinked=other.reference, kind=link.kind)
    _audit(other, by, unlinked=case.reference, kind=link.kind)


def duplicate_link_remove(case: Case, survivor_id: int) -> None:
    """Remove the link a merge made, once the duplicate is reopened (intake/unmerging.py)."""
    first, second = sorted((case.pk, survivor_id))
    CaseLink.objects.filter(first_id=first, second_id=second, kind=LinkKind.DUPLICATE).delete()


# The seized phone


@dataclass(frozen=True)
class Warned:
    """What the user who marked the phone is told: counts of their own teams' cases only."""

    linked: int = 0
    contacts: int = 0


def _warn(cases: list[Case], *, source: Case | None, cause: str, by: User | None) -> list[Case]:
    """Open one warning per case for this source and cause, unless one is open; return the new."""
    if not cases:
        return []
    already = set(
        Exposure.objects.open()
        .filter(case__in=cases, source=source, cause=cause)
        .values_list("case_id", flat=True)
    )
    new = [case for case in cases if case.pk not in already]
    if not new:
        return []
    elsewhere = cause == Cause.ELSEWHERE
    # Another team's warning names nobody: not the source, not who raised it.
    # ignore_conflicts: the partial unique constraints are the last word on
    # "one open warning", should two markings race past the check above.
    Exposure.objects.bulk_create(
        [
            Exposure(
                case=case,
                source=source,
                cause=cause,
                created_by=None if elsewhere else _staff_seen_by(case, by),
            )
            for case in new
        ],
        ignore_conflicts=True,
    )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind=Event.EXPOSED,
                by=None if elsewhere else _staff_seen_by(case, by),
                detail=cause,
            )
            for case in new
        ]
    )
    detail = {"exposure": cause} if elsewhere else {"exposure": cause, "source": source.reference}
    record_many(
        Action.UPDATE,
        actor=None if elsewhere else by,
        object_type="case",
        object_refs=[case.reference for case in new],
        detail=detail,
    )
    return new


def _warn_linked(cases: list[Case], *, source: Case, by: User) -> tuple[list[Case], list[int]]:
    """Warn the linked cases of the actor's teams, naming the source; return them, and the
    ids of the others, which get another team's "check this case" (`_hand_elsewhere`)."""
    own = set(team_ids(by))
    mine = [case for case in cases if case.team_id in own]
    _warn(mine, source=source, cause=Cause.LINKED, by=by)
    return mine, [case.pk for case in cases if case.team_id not in own]


def _hand_elsewhere(case_ids: list[int]) -> None:
    """Hand other teams' cases to the task that warns them, once this transaction commits.

    Ids only, and always a task (an empty list too): a request that matched
    another team's case does the same work, and takes the same time, as one
    that did not, so nobody can time whether another team knows a handle.
    """
    from network import tasks  # tasks call these services: imported when needed

    ids = sorted(set(case_ids)) if settings.CROSS_TEAM_EXPOSURE_WARNINGS else []
    # robust: with the broker down the marking (committed) still stands and
    # the page answers; the failure is logged, with no case data but ids.
    transaction.on_commit(lambda: tasks.warn_elsewhere.delay(ids), robust=True)


def warn_elsewhere(case_ids: list[int]) -> int:
    """Another team's warning on these cases: "check this case", naming no source and no
    author (their coordinators hear of it through their reminders). Returns how many are new.

    Run by network.tasks.warn_elsewhere; nothing if the organisation turned
    cross-team warnings off (`CROSS_TEAM_EXPOSURE_WARNINGS`) meanwhile.
    """
    if not settings.CROSS_TEAM_EXPOSURE_WARNINGS or not case_ids:
        return 0
    with transaction.atomic():
        cases = list(Case.objects.filter(pk__in=case_ids).only(*_WARN_FIELDS))
        return len(_warn(cases, source=None, cause=Cause.ELSEWHERE, by=None))


def contact_indexes(text: str) -> set[str]:
    """The blind indexes of a pasted contact list: one handle or number a line.

    A line may also hold a name and a number separated by a comma, semicolon,
    tab or bar (as contact exports do): each part is tried too. The text
    itself is never kept; only these keyed hashes are compared.
    """
    indexes = set()
    for line in text.splitlines():
        parts = _CONTACT_SEPARATORS.split(line, maxsplit=CONTACT_PARTS_PER_LINE)
        candidates = [line, *parts[:CONTACT_PARTS_PER_LINE]]
        indexes |= {index for part in candidates if (index := blind_index(part))}
    return indexes


@transaction.atomic
def device_mark_compromised(*, case: Case, by: User, contacts: str = "") -> Warned:
    """Mark the case's device as seized and warn, in this transaction, every linked case
    and every case whose handle is in the pasted contacts.

    Linked cases are warned when the marking is new (a phone taken again after
    a new channel was confirmed warns again). The user learns how many cases
    of their own teams were warned; of other teams, nothing, not even a count:
    those are found here and warned by a task, handed their ids alone.
    """
    if not by.works_cases:
        raise PermissionDenied
    # Under the case's lock: two markings at once warn each linked case once.
    marked_at = (
        Case.objects.select_for_update()
        .values_list("device_compromised_at", flat=True)
        .get(pk=case.pk)
    )
    case.device_compromised_at = marked_at
    newly = marked_at is None
    intake_services.case_mark_compromised(case=case, by=by)
    own = set(team_ids(by))
    warned_linked, elsewhere = [], []
    if newly:
        linked = list(Case.objects.filter(pk__in=linked_case_ids(case)).only(*_WARN_FIELDS))
        warned_linked, elsewhere = _warn_linked(linked, source=case, by=by)
    indexes = contact_indexes(contacts)
    matched = []
    if indexes:
        matched = list(
            cases_visible_to(by)
            .filter(handle_index__in=indexes)
            .exclude(pk=case.pk)
            .only(*_WARN_FIELDS)
        )
        _warn(matched, source=case, cause=Cause.CONTACTS, by=by)
        # The same query whatever it finds and whatever the setting: what
        # differs is only the list of ids the task is handed.
        elsewhere += (
            Case.objects.filter(handle_index__in=indexes)
            .exclude(team__in=own)
            .exclude(pk=case.pk)
            .values_list("pk", flat=True)
        )
        # How many lines were checked and how many of the user's cases matched:
        # for the trail, which names no handle and nothing of other teams.
        _audit(case, by, contacts_checked=len(indexes), warned=len(matched))
    _hand_elsewhere(elsewhere)
    return Warned(linked=len(warned_linked), contacts=len(matched))


@transaction.atomic
def exposure_handle(*, exposure: Exposure, how: str, by: User) -> bool:
    """Record what was done about a warning, which closes it; False if it was closed already."""
    if not by.works_cases:
        raise PermissionDenied
    if how not in Handled.values:
        raise NetworkError(_("Choose what was done."))
    # The conditional update is the claim: two people answering at once record one answer.
    claimed = Exposure.objects.filter(pk=exposure.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=by, handled_how=how
    )
    if not claimed:
        return False
    case = exposure.case
    CaseEvent.objects.create(case=case, kind=Event.EXPOSURE_HANDLED, by=by, detail=how)
    _audit(case, by, exposure=exposure.pk, handled=how)
    return True


# Merging a duplicate


def merge_refusal(*, duplicate: Case, survivor: Case) -> str | None:
    """Why these two cases cannot be merged now, or None."""
    if duplicate.pk == survivor.pk:
        return _("A case cannot be merged into itself.")
    if duplicate.team_id != survivor.team_id:
        return _("Only two cases of one team can be merged.")
    if duplicate.status == Status.CLOSED:
        return _("Case %(ref)s is closed: only an open case can be merged into another.") % {
            "ref": duplicate.reference
        }
    if survivor.status == Status.CLOSED:
        return _(
            "Case %(ref)s, the one to keep, is closed: reopen it first, "
            "or merge it into this one instead."
        ) % {"ref": survivor.reference}
    asked = (
        Transfer.objects.open()
        .filter(case__in=[duplicate, survivor])
        .values_list("case__reference", flat=True)
        .first()
    )
    if asked is not None:
        # The other team may accept it meanwhile: the case would leave, or
        # arrive as a duplicate closed under the team that asked for it.
        return _(
            "Case %(ref)s has a transfer request waiting for an answer: merge once it is "
            "answered or withdrawn."
        ) % {"ref": asked}
    open_plans = Plan.objects.open().filter(case__in=[duplicate, survivor])
    if open_plans.values("case").distinct().count() > 1:
        # One open plan per case (a database constraint): two would send two
        # sets of people to meet one person.
        return _("Both cases have an open evacuation plan: complete or cancel one first.")
    return None


@dataclass(frozen=True)
class Merged:
    notes: int
    checkins: int
    referrals: int
    plans: int


@transaction.atomic
def case_merge(*, duplicate: Case, survivor: Case, by: User) -> Merged:
    """Merge a duplicate into the case that is kept, in one transaction.

    Notes, check-ins, referrals, plans, links and warnings move; what the
    duplicate's own fields said becomes one note; the duplicate is closed as
    "duplicate" through the status machine, linked to the survivor, and its
    reference (and those merged into it before) leads to the survivor.
    """
    if not by.coordinates:
        raise PermissionDenied
    # Both rows locked, in key order: two merges of the same pair at once,
    # either way round, cannot both pass the checks.
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, survivor.pk])
        .order_by("pk")
    }
    duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
    if refusal := merge_refusal(duplicate=duplicate, survivor=survivor):
        raise NetworkError(refusal)
    survivor_links = linked_case_ids(survivor) - {duplicate.pk}
    duplicate_links = linked_case_ids(duplicate) - {survivor.pk}
    moved = Merged(
        notes=Note.objects.filter(case=duplicate).update(case=survivor),
        checkins=CheckIn.objects.filter(case=duplicate).update(case=survivor),
        referrals=Referral.objects.filter(case=duplicate).update(case=survivor),
        plans=Plan.objects.filter(case=duplicate).update(case=survivor),
    )
    # The person's portal messages (conversations/, by its related name): the portal
    # follows the merge, so their codename opens the case kept.
    duplicate.messages.update(case=survivor)
    # Its files too, with their shares (the referrals moved with them).
    EvidenceFile.objects.filter(case=duplicate).update(case=survivor)
    # Created after the notes moved, so it is the newest on the survivor.
    Note.objects.create(case=survivor, author=by, body=_merge_note(duplicate))
    _move_links(duplicate=duplicate, survivor=survivor, by=by)
    _move_exposures(duplicate=duplicate, survivor=survivor)
    MergedReference.objects.filter(case=duplicate).update(case=survivor)
    # A case merged before, reopened and merged again: its reference leads here now.
    MergedReference.objects.update_or_create(
        reference=duplicate.reference, defaults={"case": survivor, "merged_at": timezone.now()}
    )
    intake_services.case_move(
        case=duplicate, to=Status.CLOSED, closure_reason=ClosureReason.DUPLICATE, by=by
    )
    if duplicate.legal_hold and not survivor.legal_hold:
        # What was under a hold stays under it, wherever it now lives.
        intake_services.case_set_legal_hold(case=survivor, hold=True, by=by)
    _carry_seizure(duplicate, survivor, duplicate_links - survivor_links, survivor_links, by)
    CaseEvent.objects.create(case=survivor, kind=Event.MERGED, by=by, detail=duplicate.reference)
    counts = {"notes": moved.notes, "checkins": moved.checkins}
    counts |= {"referrals": moved.referrals, "plans": moved.plans}
    _audit(survivor, by, merged=duplicate.reference, moved=counts)
    _audit(duplicate, by, merged_into=survivor.reference)
    Case.objects.filter(pk=survivor.pk).update(updated_at=timezone.now())
    return moved


def _merge_note(duplicate: Case) -> str:
    """Everything the duplicate's own fields held, for a note on the survivor.

    Written without the note form's length limit: the duplicate's narrative
    alone may be longer, and a merge must not cut what was recorded.
    """
    data = {name: getattr(duplicate, name) for name in INTAKE_FIELDS}
    lines = [
        _("Case %(ref)s was merged into this case. What it recorded:")
        % {"ref": duplicate.reference},
        *intake_services.request_lines(data),
    ]

    def line(name: str, value) -> None:
        label = str(Case._meta.get_field(name).verbose_name).capitalize()
        lines.append(f"{label}: {value}")

    line("status", duplicate.get_status_display())
    line("verification", duplicate.get_verification_display())
    line("created_at", _when(duplicate.created_at))
    if duplicate.device_compromised_at:
        line("device_compromised_at", _when(duplicate.device_compromised_at))
    if duplicate.follow_up_on:
        line("follow_up_on", duplicate.follow_up_on.isoformat())
    if duplicate.assignee_id:
        line("assignee", duplicate.assignee.username)
    if duplicate.legal_hold:
        line("legal_hold", _("on"))
    return "\n".join(lines)


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _move_links(*, duplicate: Case, survivor: Case, by: User) -> None:
    """The duplicate's links become the survivor's; the two are linked as a duplicate."""
    kept = linked_case_ids(survivor)
    for link in CaseLink.objects.filter(links_of(duplicate)):
        other = link.second_id if link.first_id == duplicate.pk else link.first_id
        if other != survivor.pk and other not in kept:
            first, second = sorted((survivor.pk, other))
            CaseLink.objects.create(
                first_id=first,
                second_id=second,
                kind=link.kind,
                created_by_id=link.created_by_id,
                created_at=link.created_at,
            )
        link.delete()
    first, second = _ordered(duplicate, survivor)
    CaseLink.objects.create(first=first, second=second, kind=LinkKind.DUPLICATE, created_by=by)


def _move_exposures(*, duplicate: Case, survivor: Case) -> None:
    """Warnings on the duplicate move to the survivor, and those its phone raised are the
    survivor's; one open warning per case, source and cause, none of a case about itself."""
    Exposure.objects.filter(
        Q(case=duplicate, source=survivor) | Q(case=survivor, source=duplicate)
    ).delete()
    open_here = set(Exposure.objects.open().filter(case=survivor).values_list("source_id", "cause"))
    for pk, source_id, cause in (
        Exposure.objects.open().filter(case=duplicate).values_list("pk", "source_id", "cause")
    ):
        if (source_id, cause) in open_here:
            Exposure.objects.filter(pk=pk).delete()
    Exposure.objects.filter(case=duplicate).update(case=survivor)
    raised = set(Exposure.objects.open().filter(source=survivor).values_list("case_id", "cause"))
    for pk, case_id, cause in (
        Exposure.objects.open().filter(source=duplicate).values_list("pk", "case_id", "cause")
    ):
        if (case_id, cause) in raised:
            Exposure.objects.filter(pk=pk).delete()
    Exposure.objects.filter(source=duplicate).update(source=survivor)


def _carry_seizure(duplicate, survivor, new_links: set[int], own_links: set[int], by) -> None:
    """One person, one phone: if either case's device was seized, the survivor's is, and
    whoever that seizure has not warned yet is warned now."""
    if survivor.device_compromised_at is not None and duplicate.device_compromised_at is None:
        to_warn = new_links
    elif duplicate.device_compromised_at is not None and survivor.device_compromised_at is None:
        intake_services.case_mark_compromised(case=survivor, by=by)
        to_warn = own_links
    else:
        return
    cases = list(Case.objects.filter(pk__in=to_warn).only(*_WARN_FIELDS))
    elsewhere = _warn_linked(cases, source=survivor, by=by)[1]
    if elsewhere:
        _hand_elsewhere(elsewhere)
