"""What the person does on the portal: ask for help, sign in, answer a check-in, forget.

No staff member acts here: intake's services take `by=None`, and the trail
records the portal as the actor's place (`via: portal`), never an address.
A request is a case like any other (intake/services.py `case_create`), of
the team PORTAL_TEAM or PORTAL_TEAMS_BY_REGION names.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Team
from audit.models import Action
from audit.services import record
from intake import services as intake_services
from intake.choices import Channel, Verification
from intake.models import Case, CaseEvent, CheckIn, FlaggedHandle
from intake.status import ClosureReason
from portal import codenames
from portal.models import Codename, PortalSession
from reminders.models import Kind, Notification
from reminders.services import Coordinators, Due, notify
from retention import services as retention

Event = CaseEvent.Kind
log = logging.getLogger(__name__)


class PortalClosed(Exception):
    """No team takes portal requests: the settings name none that exists."""


def team_for(region: str) -> Team | None:
    """The region's team, else PORTAL_TEAM's: a region mapped to a team that does not
    exist (a typo, a team renamed) falls back, and says so in the log."""
    named = settings.PORTAL_TEAMS_BY_REGION.get(region)
    if named and (team := Team.objects.filter(name=named).first()):
        return team
    if named:
        log.error("PORTAL_TEAMS_BY_REGION names no existing team for region %s", region)
    if settings.PORTAL_TEAM:
        team = Team.objects.filter(name=settings.PORTAL_TEAM).first()
        if team is None:
            log.error("PORTAL_TEAM names no existing team")
        return team
    return None


def is_open() -> bool:
    """Whether every request has a team to go to: PORTAL_TEAM's exists."""
    return bool(settings.PORTAL_TEAM) and Team.objects.filter(name=settings.PORTAL_TEAM).exists()


def _audit(action: str, case: Case, **detail) -> None:
    record(
        action, object_type="case", object_ref=case.reference, detail={"via": "portal", **detail}
    )


def _new_codename(case: Case, language: str, *, duress: bool) -> str:
    words = codenames.generate(language)
    normalised = codenames.normalise(words)
    Codename.objects.create(
        case=case,
        duress=duress,
        lookup=codenames.lookup(normalised),
        digest=codenames.digest(normalised),
    )
    return words


@transaction.atomic
def request_create(*, data: dict, language: str) -> tuple[Case, str]:
    """Record the request as a new, unverified case and return it with its codename.

    The codename is returned once and stored only as its hash and lookup
    value. A handle flagged as a provocateur's marks the case suspected, as
    a caseworker's flag would; the person is told nothing of it.
    """
    team = team_for(data["region"])
    if team is None:
        raise PortalClosed
    case = intake_services.case_create(
        team=team, data={**data, "contact_channel": Channel.PORTAL}, by=None
    )
    if case.handle_index and FlaggedHandle.objects.filter(handle_index=case.handle_index).exists():
        intake_services.case_set_verification(
            case=case, verification=Verification.SUSPECTED, by=None
        )
    return case, _new_codename(case, language, duress=False)


@dataclass(frozen=True)
class SignedIn:
    case: Case
    duress: bool


def sign_in(typed: str) -> SignedIn | None:
    """The case this codename opens, or None. One Argon2id verification either way."""
    normalised = codenames.normalise(typed[: codenames.MAX_LENGTH])
    row = (
        Codename.objects.filter(lookup=codenames.lookup(normalised)).select_related("case").first()
    )
    right = codenames.verify(row.digest if row else codenames.dummy_digest(), normalised)
    if row is None or not right:
        return None
    return SignedIn(followed(row.case), row.duress)


def followed(case: Case) -> Case:
    """The case a request lives on: the one it was merged into, if it was (network/)."""
    if case.closure_reason != ClosureReason.DUPLICATE:
        return case
    return Case.objects.filter(merged_references__reference=case.reference).first() or case


def _request_cases(case: Case) -> list[int]:
    """The case and those merged into it: whose codenames open it."""
    merged = Case.objects.filter(reference__in=case.merged_references.values("reference"))
    return [case.pk, *merged.values_list("pk", flat=True)]


def has_duress_codename(case: Case) -> bool:
    return Codename.objects.filter(case__in=_request_cases(case), duress=True).exists()


@transaction.atomic
def duress_codename_create(*, case: Case, language: str) -> str | None:
    """A second codename that signs in as the first does, and raises the alarm.

    None if the case has one already: it is set once, when the person first
    signs in, and then the page never offers it again, in either session.
    """
    Case.objects.select_for_update().only("pk").get(pk=case.pk)
    if has_duress_codename(case):
        return None
    words = _new_codename(case, language, duress=True)
    _audit(Action.UPDATE, case, fields=["duress_codename"])
    return words


def _alarm(case: Case, what: str, now: datetime) -> int:
    """Tell the coordinators the duress codename was used: on the timeline, and as a
    reminder that stays until one of them marks it done.

    One reminder per case and kind of use an hour: someone signing in again and
    again with a duress codename (their own, made for the purpose) cannot bury
    the other alerts. Nobody to tell is logged, by reference only.
    """
    CaseEvent.objects.create(case=case, kind=Event.DURESS, detail=what, at=now)
    key = f"duress:{case.pk}:{what}:{now:%Y-%m-%dT%H}"
    due = Due(Kind.DURESS, key, case.pk, case.team_id, None, None, True)
    written = notify(due)
    if not written and not Notification.objects.filter(key=key).exists():
        log.error("duress on the portal, case %s: no active coordinator to tell", case.reference)
    return written


@transaction.atomic
def duress_signed_in(*, case: Case, now: datetime | None = None) -> int:
    """Someone signed in with the duress codename: the person may be under force.

    Every open check-in becomes missed at once and is escalated to the
    coordinators, and the coordinators get a "duress" reminder, in this
    transaction. Nothing of it shows on the person's side. Returns how many
    reminders were written.
    """
    now = now or timezone.now()
    coordinators = Coordinators()
    written = 0
    open_checkins = CheckIn.objects.filter(case=case, heard_at__isnull=True)
    for checkin in open_checkins.select_for_update():
        checkin.duress_at = checkin.duress_at or now
        checkin.escalated_at = checkin.escalated_at or now
        checkin.save(update_fields=["duress_at", "escalated_at"])
        due = Due(Kind.CHECKIN_MISSED, f"checkin:{checkin.pk}", case.pk, case.team_id, None)
        written += notify(_to_coordinators(due), coordinators)
    written += _alarm(case, "sign_in", now)
    _audit(Action.SIGN_IN, case, duress=True)
    return written


def _to_coordinators(due: Due) -> Due:
    return Due(due.kind, due.key, due.case_id, due.team_id, due.assignee_id, None, True)


def signed_in(*, case: Case) -> None:
    _audit(Action.SIGN_IN, case)


def _open(case: Case, duress: bool):
    """The check-ins the person may still answer, as this session sees them: under
    duress, one answered there is gone from the page, as a real answer goes."""
    checkins = case.checkins.filter(heard_at__isnull=True)
    return checkins.filter(duress_answered_at__isnull=True) if duress else checkins


def open_checkins(case: Case, *, duress: bool) -> list[CheckIn]:
    return list(_open(case, duress).order_by("due_at"))


@transaction.atomic
def checkin_safe(*, case: Case, checkin_id: int, duress: bool) -> bool:
    """ "I am safe": heard from, as a caseworker's "heard from them" records it.

    Under duress nothing is recorded (the check-in stays missed and
    escalated), and the answer is the same. False if no such open check-in.
    """
    checkin = _open(case, duress).filter(pk=checkin_id).first()
    if checkin is None:
        return False
    if duress:
        CheckIn.objects.filter(pk=checkin.pk).update(duress_answered_at=timezone.now())
        CaseEvent.objects.create(case=case, kind=Event.DURESS, detail="checkin")
        return True
    intake_services.checkin_heard(checkin=checkin, by=None)
    CaseEvent.objects.create(case=case, kind=Event.PORTAL_CHECKIN)
    return True


def forget(*, case: Case, duress: bool) -> bool:
    """Delete the request, as a coordinator's "forget" does: only the counts remain.

    Under duress the request stays (a coercer may be making them erase it),
    the coordinators are told, the duress codename stops working as a
    deleted request's would, and the answer is what the real one would get:
    True, or False if it stays on legal hold.
    """
    if duress:
        if case.legal_hold:
            return False  # what the real codename would be told
        with transaction.atomic():
            _alarm(case, "forget", timezone.now())
            # What a deletion does to the codename it was asked with: it opens
            # nothing any more, and its sessions end. The real one still works.
            cases = _request_cases(case)
            Codename.objects.filter(case__in=cases, duress=True).delete()
            PortalSession.objects.filter(case__in=cases, duress=True).delete()
        return True
    purged = retention.case_purge(
        case_id=case.pk, reason=retention.FORGOTTEN, why="asked on the portal"
    )
    return purged > 0
