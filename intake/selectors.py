"""Queries that decide what a user may see. Every case view starts here."""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Role, Team, User
from intake.links import normalise_reference
from intake.models import Case, CheckIn


def require_case_staff(user: User) -> None:
    """404 for anyone without case pages at all (partners, auditors, admins)."""
    if not user.sees_team_cases:
        raise Http404


def teams_of(user: User) -> list[Team]:
    """Return the user's teams, read once per request."""
    if not hasattr(user, "_teams"):
        user._teams = list(user.teams.all())
    return user._teams


def team_ids(user: User) -> list[int]:
    """The teams whose work the user may see, as a literal list of ids.

    None while the account is shielded (under duress or asleep): every case,
    referral, plan, file and reminder query starts from here, so a shielded
    session finds an empty workload under its real name and team.

    Not a subquery: with `team_id IN (3)` the database walks the (team, sort
    key) index in order and stops after one page; with a subquery it sorts
    the whole team first.
    """
    if getattr(user, "shielded", False):  # AnonymousUser has no such flag
        return []
    return [team.pk for team in teams_of(user)]


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.sees_team_cases:
        return Case.objects.none()
    return Case.objects.filter(team__in=team_ids(user))


def through_visible_case(user: User, via: str = "case") -> Q:
    """The same rule for rows hanging off a case (reminders, referrals), as a join.

    `case__in=cases_visible_to(user)` asks the database for every visible
    case id first: fine for a few check-ins, 50 ms for a user's reminders
    on PostgreSQL at 100,000 cases. This joins the case and checks its team.
    """
    if not user.is_authenticated or not user.sees_team_cases:
        return Q(pk__in=[])
    return Q(**{f"{via}__team__in": team_ids(user)})


def missed_checkins_visible_to(user: User, now: datetime | None = None) -> QuerySet[CheckIn]:
    """Check-ins due and not heard from, on cases the user may see: longest missed first."""
    return (
        CheckIn.objects.missed(now)
        .filter(through_visible_case(user))
        .select_related("case")
        .order_by("due_at", "pk")
    )


def get_case_for(user: User, reference: str, *, write: bool = False, coordinate: bool = False):
    """Return the case if the user may see it, else 404; 403 if they may see but not act."""
    visible = cases_visible_to(user).select_related("team", "assignee", "created_by")
    case = visible.filter(reference=reference).first()
    if case is None:
        raise Http404
    if coordinate and not user.coordinates:
        raise PermissionDenied
    if write and not user.works_cases:
        raise PermissionDenied
    return case


def merged_into(user: User, reference: str) -> Case | None:
    """The case a merged reference now leads to, if the user may see it; else None."""
    return (
        cases_visible_to(user)
        .filter(merged_references__reference=reference)
        .only("reference")
        .first()
    )


def case_by_typed_reference(user: User, typed: str) -> Case | None:
    """The case of the user's teams that a typed reference names (dashes optional, a
    merged reference leads to the case it was merged into), or None.

    None whether the case exists in another team or not at all: a typed
    reference must not tell a user which references exist elsewhere.
    """
    reference = normalise_reference(typed)
    if reference is None:
        return None
    visible = cases_visible_to(user).select_related("team")
    return visible.filter(reference=reference).first() or (
        visible.filter(merged_references__reference=reference).first()
    )


def assignees_for(user: User) -> QuerySet[User]:
    """Who the user's case list may filter by: their teams' case staff; a shielded
    account, itself alone, as a team of one would (it names no colleague)."""
    if user.shielded:
        return assignees_in(teams_of(user)).filter(pk=user.pk)
    return assignees_in(team_ids(user))


def assignees_in(teams) -> QuerySet[User]:
    """Active caseworkers and coordinators of these teams: who a case may be assigned to."""
    return (
        User.objects.filter(
            teams__in=teams, is_active=True, role__in=[Role.CASEWORKER, Role.COORDINATOR]
        )
        .distinct()
        .order_by("username")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    # "created", "note", "status", "event", "referral", "checkin_set",
    # "checkin_missed", "checkin_heard", "message"
    kind: str
    by: User | None
    item: object | None = None


def checkins_with_people(case: Case) -> list[CheckIn]:
    """Every check-in of the case, with who set it and who heard from them: one query.

    The case page lists the open ones and puts all of them on the timeline.
    A check-in may be the arrival check of an evacuation leg (`leg`, the
    reverse side of the leg's link, named as a string: intake imports
    nothing of evacuations).
    """
    return list(case.checkins.select_related("set_by", "heard_by", "leg__plan"))


def checkin_entries(checkins) -> list[TimelineEntry]:
    """Set, missed (the escalation, by nobody: the scan) and heard from, each at its time."""
    entries = []
    for c in checkins:
        entries.append(TimelineEntry(c.created_at, "checkin_set", c.set_by, c))
        if c.escalated_at is not None:
            entries.append(TimelineEntry(c.escalated_at, "checkin_missed", None, c))
        if c.heard_at is not None:
            entries.append(TimelineEntry(c.heard_at, "checkin_heard", c.heard_by, c))
    return entries


def referrals_with_history(case: Case) -> list:
    """The case's referrals with their moves and who made each: two queries, however many.

    Through the related manager and the app registry: intake sits below
    referrals and imports nothing of it (the layer contract, pyproject.toml).
    """
    change = apps.get_model("referrals", "ReferralChange")
    moves = Prefetch("changes", queryset=change.objects.select_related("by"))
    return list(
        case.referrals.select_related("partner")
        .prefetch_related(moves)
        .defer("summary", "decline_reason", "outcome_note", "partner__contact_details")
    )


def case_timeline(case: Case, referrals=None, checkins=None) -> list[TimelineEntry]:
    """Notes, status changes, other events, referral moves, check-ins and the
    portal's messages, oldest first.

    `referrals`: the case's referrals with their changes prefetched, and
    `checkins`: its check-ins from `checkins_with_people`, if the caller has
    them already (the case page lists them too).
    """
    entries = [TimelineEntry(case.created_at, "created", case.created_by)]
    entries += [
        TimelineEntry(n.created_at, "note", n.author, n)
        for n in case.notes.select_related("author")
    ]
    entries += [
        TimelineEntry(c.at, "status", c.by, c) for c in case.status_changes.select_related("by")
    ]
    entries += [TimelineEntry(e.at, "event", e.by, e) for e in case.events.select_related("by")]
    if referrals is None:
        referrals = referrals_with_history(case)
    for referral in referrals:
        entries += [TimelineEntry(c.at, "referral", c.by, c) for c in referral.changes.all()]
    # From the check-in rows themselves: no second record of the same moment to keep in step.
    entries += checkin_entries(checkins_with_people(case) if checkins is None else checkins)
    # The person's messages and the team's replies (conversations/), through
    # the related manager: intake imports nothing of it. By nobody: the
    # message names its author itself, "from the person" or "reply by".
    entries += [
        TimelineEntry(m.created_at, "message", None, m) for m in case.messages.select_related("by")
    ]
    return sorted(entries, key=lambda e: e.at)
