"""Find what is due and tell the right people, once per due event."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import TEAM_ROLES, Role, Team, User, awake_q
from conversations.models import Message
from intake.choices import Channel
from intake.models import Case, CheckIn, Transfer
from network.models import Cause, Exposure
from referrals.models import PartnerStaff, Referral, ReferralChange
from referrals.status import PARTNER_MOVES
from reminders.dashboard import open_notifications
from reminders.models import CLOSE_WHEN_ENDED, Kind, Notification

log = logging.getLogger(__name__)
INSERT_BATCH = 1000  # reminders written per statement
# A partner's answer or a case moved in is announced if it happened this
# recently: the scan reads the newest rows only, and a scan that was down
# for less than this still announces what happened meanwhile.
ANNOUNCE_WITHIN = timedelta(days=3)
# ReferralChange has no index on its time; its ids grow with it. The newest
# this many rows hold far more than three days of every partner's moves.
RECENT_CHANGES = 10_000


@dataclass(frozen=True)
class Due:
    """One due event, by ids: a scan over a large archive builds no model objects."""

    kind: str
    key: str
    case_id: int | None  # None for a request about a case the recipients may not see yet
    team_id: int
    assignee_id: int | None  # None when nobody, or nobody active, is assigned
    referral_id: int | None = None
    to_coordinators: bool = False
    not_to: int | None = None  # who made it happen: they need no telling
    staff_id: int | None = None  # the staff account it is about (a duress sign-in)


class Coordinators(dict):
    """Each team's active coordinators (their ids), and who is in which team, looked up
    once per scan.

    An account under duress or asleep (travel mode) is nobody here: it is
    told nothing, and what was its own goes to the coordinators awake.
    """

    @cached_property
    def members(self) -> set[tuple[int, int]]:
        """(user id, team id) of every team membership of an account awake."""
        memberships = User.teams.through.objects.filter(awake_q("user__"))
        return set(memberships.values_list("user_id", "team_id"))

    def __missing__(self, team_id: int) -> list[int]:
        found = list(
            User.objects.filter(awake_q(), teams=team_id, role=Role.COORDINATOR, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self[team_id] = found
        return found


def recipients(due: Due, coordinators: Coordinators | None = None) -> list[int]:
    """The assignee; the team's coordinators when nobody is assigned or it is urgent.

    An assignee who has left the case's team counts as nobody: they may no
    longer see the case, and the scan would remove each reminder it wrote
    them (close_ended) only to write it again on the next.
    """
    coordinators = Coordinators() if coordinators is None else coordinators
    assignee = due.assignee_id
    people = [assignee] if assignee and (assignee, due.team_id) in coordinators.members else []
    if due.to_coordinators or not people:
        people += [pk for pk in coordinators[due.team_id] if pk not in people]
    return [pk for pk in people if pk != due.not_to]


# What a source reads of each case: ids and the assignee's standing, no objects.
CASE_COLUMNS = ("pk", "team_id", "assignee_id", "assignee__is_active")


def _active(assignee_id: int | None, is_active: bool | None) -> int | None:
    return assignee_id if is_active else None


def first_responses_due(now) -> Iterable[Due]:
    hours = settings.CORRIDOR_FIRST_RESPONSE_HOURS
    for risk, limit in hours.items():
        cases = Case.objects.awaiting_first_response().filter(
            risk=risk, created_at__lt=now - timedelta(hours=limit)
        )
        for pk, team, assignee, active in cases.values_list(*CASE_COLUMNS):
            yield Due(
                Kind.FIRST_RESPONSE, f"first_response:{pk}", pk, team, _active(assignee, active)
            )


def portal_requests_due(now) -> Iterable[Due]:
    """Requests the person wrote on the portal, from the moment they arrive until
    someone answers them (a note or a status change, as for a first response)."""
    cases = Case.objects.awaiting_first_response().filter(contact_channel=Channel.PORTAL)
    for pk, team, assignee, active in cases.values_list(*CASE_COLUMNS):
        yield Due(Kind.PORTAL_REQUEST, f"portal_request:{pk}", pk, team, _active(assignee, active))


def portal_messages_due(now) -> Iterable[Due]:
    """One per case whose person wrote something nobody on the team has opened yet.

    The key names the oldest unread message too: once they are read the
    reminder ends, and a later message is told anew even if its user had
    marked the earlier one done (a done row stands for its key forever).
    """
    columns = [f"case__{c}" if c != "pk" else "case_id" for c in CASE_COLUMNS]
    unread = (
        Message.objects.unread_by_team()
        .order_by()  # the model's ordering would split the groups
        .values_list(*columns)
        .annotate(first=Min("pk"))
    )
    for case, team, assignee, active, first in unread:
        key = f"portal_message:{case}:{first}"
        yield Due(Kind.PORTAL_MESSAGE, key, case, team, _active(assignee, active))


def follow_ups_due(now) -> Iterable[Due]:
    today = timezone.localdate(now)
    cases = Case.objects.open().filter(follow_up_on__lte=today)
    for pk, team, assignee, active, on in cases.values_list(*CASE_COLUMNS, "follow_up_on"):
        yield Due(Kind.FOLLOW_UP, f"follow_up:{pk}:{on}", pk, team, _active(assignee, active))


def referrals_due(now) -> Iterable[Due]:
    late = Referral.objects.unacknowledged_late(now)
    unfinished = Referral.objects.uncompleted_late(now)
    columns = [f"case__{c}" if c != "pk" else "case_id" for c in CASE_COLUMNS]
    for pk, due_at, case, team, assignee, active in late.values_list("pk", "ack_due_at", *columns):
        key = f"referral_ack:{pk}:{due_at.isoformat()}"
        yield Due(Kind.REFERRAL_UNACKNOWLEDGED, key, case, team, _active(assignee, active), pk)
    for pk, by, case, team, assignee, active in unfinished.values_list(
        "pk", "complete_by", *columns
    ):
        key = f"referral_done:{pk}:{by}"
        yield Due(Kind.REFERRAL_UNCOMPLETED, key, case, team, _active(assignee, active), pk)


def missed_checkins_due(now) -> Iterable[Due]:
    """Missed check-ins already escalated and still not heard from.

    The escalation (below) fires once; this keeps the event due, so its
    reminders close when someone is heard from, and tells whoever answers
    for the case now (after a transfer, the new team's coordinators).
    """
    missed = CheckIn.objects.missed(now).filter(escalated_at__isnull=False)
    columns = [f"case__{c}" if c != "pk" else "case_id" for c in CASE_COLUMNS]
    for pk, case, team, assignee, active in missed.values_list("pk", *columns):
        yield Due(
            Kind.CHECKIN_MISSED, f"checkin:{pk}", case, team, _active(assignee, active), None, True
        )


def exposures_due(now) -> Iterable[Due]:
    """Every open exposure warning, until someone records what was done.

    A warning from another team's seized phone goes to the coordinators only,
    and its reminder's text names no source (Kind.EXPOSURE_ELSEWHERE).
    """
    columns = [f"case__{c}" if c != "pk" else "case_id" for c in CASE_COLUMNS]
    for pk, cause, case, team, assignee, active in Exposure.objects.open().values_list(
        "pk", "cause", *columns
    ):
        key = f"exposure:{pk}"
        if cause != Cause.ELSEWHERE:
            yield Due(Kind.EXPOSURE, key, case, team, _active(assignee, active))
        elif settings.CROSS_TEAM_EXPOSURE_WARNINGS:
            yield Due(Kind.EXPOSURE_ELSEWHERE, key, case, team, None, to_coordinators=True)


def approvals_due(now) -> Iterable[Due]:
    """Drafts that share the contact handle, waiting for a coordinator of the case's team."""
    waiting = Referral.objects.awaiting_approval().values_list(
        "pk", "shared_fields", "case_id", "case__team_id"
    )
    for pk, shared, case, team in waiting:
        # An approval is of a set of fields: changing the set clears it
        # (referral_update_draft), and the new set waits anew.
        key = f"approval:{pk}:{'.'.join(sorted(shared))}"
        yield Due(Kind.APPROVAL, key, case, team, None, pk, True)


def referral_answers_due(now) -> Iterable[Due]:
    """Each move a partner made (acknowledged, accepted, declined, completed), once.

    To whoever drafted the referral while they may still see its case; else
    the case's assignee; else the coordinators.
    """
    newest = ReferralChange.objects.aggregate(newest=Max("pk"))["newest"]
    if newest is None:
        return
    drafter_sees = User.teams.through.objects.filter(
        user_id=OuterRef("referral__created_by_id"), team_id=OuterRef("referral__case__team_id")
    )
    answers = (
        ReferralChange.objects.filter(
            pk__gt=newest - RECENT_CHANGES,
            at__gte=now - ANNOUNCE_WITHIN,
            to_status__in=PARTNER_MOVES,
            by__role=Role.PARTNER,
        )
        .annotate(drafter_sees=Exists(drafter_sees))
        .values_list(
            "pk",
            "referral_id",
            "referral__case_id",
            "referral__case__team_id",
            "referral__case__assignee_id",
            "referral__case__assignee__is_active",
            "referral__created_by_id",
            "referral__created_by__is_active",
            "referral__created_by__role",
            "drafter_sees",
        )
    )
    for pk, referral, case, team, assignee, active, drafter, *standing in answers:
        drafter_active, drafter_role, sees = standing
        if not (drafter and drafter_active and drafter_role in TEAM_ROLES and sees):
            drafter = _active(assignee, active)
        yield Due(Kind.REFERRAL_ANSWERED, f"answered:{pk}", case, team, drafter, referral)


def transfers_due(now) -> Iterable[Due]:
    """Requests waiting for the other team's coordinators; cases moved in recently;
    requests refused (or withdrawn by someone else) recently, to whoever asked.

    A request names no case to its recipients: they may not see it before
    accepting, so its reminder leads to the list of requests instead.
    """
    for pk, to_team in Transfer.objects.open().values_list("pk", "to_team_id"):
        yield Due(Kind.TRANSFER_REQUESTED, f"transfer:{pk}", None, to_team, None, None, True)
    moved = Transfer.objects.filter(accepted=True, decided_at__gte=now - ANNOUNCE_WITHIN)
    for pk, case, to_team, by in moved.values_list("pk", "case_id", "to_team_id", "decided_by_id"):
        key = f"transferred_in:{pk}"
        yield Due(Kind.TRANSFERRED_IN, key, case, to_team, None, None, True, not_to=by)
    # The case stayed with the team that asked: the asker (or, gone, its
    # coordinators) may look for another way. Their own withdrawal tells nobody.
    refused = Transfer.objects.filter(
        accepted=False, decided_at__gte=now - ANNOUNCE_WITHIN
    ).exclude(decided_by=F("requested_by"))
    for pk, case, from_team, asker, active, by in refused.values_list(
        "pk",
        "case_id",
        "from_team_id",
        "requested_by_id",
        "requested_by__is_active",
        "decided_by_id",
    ):
        key = f"transfer_refused:{pk}"
        yield Due(Kind.TRANSFER_REFUSED, key, case, from_team, _active(asker, active), not_to=by)


def _rows(due: Due, coordinators: Coordinators | None = None) -> list[Notification]:
    return [
        Notification(
            user_id=user,
            kind=due.kind,
            key=due.key,
            case_id=due.case_id,
            referral_id=due.referral_id,
            staff_id=due.staff_id,
        )
        for user in recipients(due, coordinators)
    ]


def _insert(rows: list[Notification]) -> int:
    """Write the reminders that do not exist yet; return how many this call wrote.

    A reminder that already exists for its event stays one (the unique
    constraint, ON CONFLICT DO NOTHING). bulk_create(ignore_conflicts=True)
    cannot say how many rows it wrote, and counting the table before and
    after counts what a concurrent scan wrote too; the statement's own row
    count is exact on both backends.
    """
    if not rows:
        return 0
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    # As bulk_create sizes its batches: SQLite takes only so many parameters.
    batch = min(INSERT_BATCH, connection.ops.bulk_batch_size(fields, rows) or INSERT_BATCH)
    written = 0
    for start in range(0, len(rows), batch):
        query = InsertQuery(Notification, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, rows[start : start + batch])
        with connection.cursor() as cursor:
            for statement, params in query.get_compiler(connection=connection).as_sql():
                cursor.execute(statement, params)
                written += cursor.rowcount
    return written


def notify(due: Due, coordinators: Coordinators | None = None) -> int:
    return _insert(_rows(due, coordinators))


def staff_duress(user: User) -> int:
    """A staff member signed in with their duress password: tell the coordinators awake of
    their teams (a partner's: of the team managing the partner) now, in the sign-in's
    transaction (accounts.coercion.on_duress). Returns how many were told."""
    teams = set(user.teams.values_list("pk", flat=True))
    if user.role == Role.PARTNER:
        teams |= set(
            PartnerStaff.objects.filter(user=user).values_list("partner__team_id", flat=True)
        )
    if not teams:  # an admin or auditor: every team's coordinators, someone must know
        teams = set(Team.objects.values_list("pk", flat=True))
    key = f"staff_duress:{user.pk}:{timezone.now():%Y%m%dT%H%M%S%f}"
    coordinators = Coordinators()
    rows = {}  # one reminder per coordinator, however many of the teams they share
    for team in sorted(teams):
        due = Due(Kind.STAFF_DURESS, key, None, team, None, None, True, user.pk, user.pk)
        rows |= {row.user_id: row for row in _rows(due, coordinators)}
    return _insert(list(rows.values()))


def escalate_missed_checkins(now) -> int:
    """Escalate each missed check-in to the coordinators, exactly once.

    Returns the number of reminders this call wrote.
    """
    written = 0
    coordinators = Coordinators()
    missed = CheckIn.objects.missed(now).filter(escalated_at__isnull=True)
    for pk in missed.values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update is the claim: of two workers, one wins,
            # and the claim and the reminders commit together or not at all.
            if CheckIn.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now):
                case, team, assignee, active = Case.objects.values_list(*CASE_COLUMNS).get(
                    checkins=pk
                )
                assignee = _active(assignee, active)
                due = Due(Kind.CHECKIN_MISSED, f"checkin:{pk}", case, team, assignee, None, True)
                written += notify(due, coordinators)
    return written


def scan(now=None) -> int:
    """Create every reminder that is due now and remove those whose cause has ended.

    Returns how many this scan created; another scan running at the same
    time is not counted: each logs its own.
    """
    started = timezone.now()
    now = now or started
    written = escalate_missed_checkins(now)
    coordinators = Coordinators()
    # Most due events were told of on an earlier scan: skip them before writing.
    # What this holds is still due or marked done by its user: the reminders
    # whose cause ended are gone (close_ended), so an event due again is told again.
    told = set(Notification.objects.values_list("user_id", "key"))
    due_keys: set[str] = set()
    rows: list[Notification] = []
    # Every source of due events, most urgent first.
    sources = (
        missed_checkins_due,
        exposures_due,
        portal_requests_due,
        portal_messages_due,
        first_responses_due,
        follow_ups_due,
        referrals_due,
        approvals_due,
        referral_answers_due,
        transfers_due,
    )
    for source in sources:
        for due in source(now):
            due_keys.add(due.key)
            rows += [row for row in _rows(due, coordinators) if (row.user_id, row.key) not in told]
            if len(rows) >= INSERT_BATCH:
                written += _insert(rows)
                rows = []
    written += _insert(rows)
    closed = close_ended(due_keys, before=started, members=coordinators.members)
    if closed:
        log.info("reminders: %d closed (removed, their cause ended)", closed)
    return written


def close_ended(due_keys: set[str], *, before, members: set[tuple[int, int]] | None = None) -> int:
    """Remove the open reminders whose cause has ended; return how many.

    Ended: a reminder of a kind that stands for a state (CLOSE_WHEN_ENDED)
    whose event no scan finds due any more; or one about a case its user may
    no longer see (the case moved to another team, or they left its team),
    hidden from them by open_notifications and only swelling the count in
    their e-mail. Only reminders written before this scan began: one that
    another scan wrote meanwhile may be for an event this scan read too
    early to see.

    Removed, not marked done: the unique (user, key) would keep a done row
    standing for its event forever, and an event can come due again under
    the same key (a risk lowered before anyone answered, then its later
    deadline passing; shared fields changed and changed back; a follow-up
    date moved away and back). Then the next scan tells it again, as a new
    reminder, e-mailed anew. A reminder its user marked done is never
    removed: what they dismissed does not come back. Two scans at once may
    both choose a row; the delete is conditional and one of them removes it.
    """
    if members is None:
        members = set(User.teams.through.objects.values_list("user_id", "team_id"))
    standing = (
        Notification.objects.open()
        .filter(created_at__lt=before)
        .values_list("pk", "kind", "key", "user_id", "case__team_id")
    )
    ended = [
        pk
        for pk, kind, key, user, team in standing
        if (kind in CLOSE_WHEN_ENDED and key not in due_keys)
        or (team is not None and (user, team) not in members)
    ]
    closed = 0
    for start in range(0, len(ended), INSERT_BATCH):
        # Conditional, in one statement (a fast delete: no row refers to a
        # reminder, no signal listens): one its user marked done meanwhile stays.
        batch = Notification.objects.open().filter(pk__in=ended[start : start + INSERT_BATCH])
        closed += batch.delete()[0]
    return closed


def mark_done(*, user: User, notification_id: int) -> bool:
    return bool(
        Notification.objects.open()
        .filter(user=user, pk=notification_id)
        .update(done_at=timezone.now())
    )


def send_digests(now=None) -> int:
    """E-mail each user with new open reminders how many items are due; nothing else."""
    now = now or timezone.now()
    sent = 0
    users = (
        User.objects.filter(
            awake_q(),  # nothing reaches the mailbox of an account under duress or asleep
            is_active=True,
            notifications__done_at__isnull=True,
            notifications__emailed_at__isnull=True,
        )
        .exclude(email="")
        .distinct()
    )
    for user in users:
        with transaction.atomic():
            # Claim first: a second worker finds nothing left to claim.
            claimed = Notification.objects.open().filter(user=user, emailed_at__isnull=True)
            if not claimed.update(emailed_at=now):
                continue
            # What the bell counts: not the reminders about cases they may no longer see.
            count = open_notifications(user).count()
            if not count:
                continue
            context = {
                "count": count,
                "site_title": settings.SITE_TITLE,
                "url": settings.CORRIDOR_BASE_URL + "/notifications/",
            }
            # A worker has no browser to ask: the account's language, else the default.
            with translation.override(user.language or settings.LANGUAGE_CODE):
                subject = render_to_string("emails/reminders-subject.txt", context).strip()
                body = render_to_string("emails/reminders-body.txt", context)
            send_mail(subject, body, None, [user.email])
            sent += 1
    return sent
