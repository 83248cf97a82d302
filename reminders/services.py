"""Find what is due and tell the right people, once per due event."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Role, User
from intake.models import Case, CheckIn
from referrals.models import Referral
from reminders.models import Kind, Notification

log = logging.getLogger(__name__)
INSERT_BATCH = 1000  # reminders written per statement


@dataclass(frozen=True)
class Due:
    """One due event, by ids: a scan over a large archive builds no model objects."""

    kind: str
    key: str
    case_id: int
    team_id: int
    assignee_id: int | None  # None when nobody, or nobody active, is assigned
    referral_id: int | None = None
    to_coordinators: bool = False


class Coordinators(dict):
    """Each team's active coordinators (their ids), looked up once per scan."""

    def __missing__(self, team_id: int) -> list[int]:
        found = list(
            User.objects.filter(teams=team_id, role=Role.COORDINATOR, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self[team_id] = found
        return found


def recipients(due: Due, coordinators: Coordinators | None = None) -> list[int]:
    """The assignee; the team's coordinators when nobody is assigned or it is urgent."""
    coordinators = Coordinators() if coordinators is None else coordinators
    people = [due.assignee_id] if due.assignee_id else []
    if due.to_coordinators or not people:
        people += [pk for pk in coordinators[due.team_id] if pk not in people]
    return people


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


def _rows(due: Due, coordinators: Coordinators | None = None) -> list[Notification]:
    return [
        Notification(
            user_id=user,
            kind=due.kind,
            key=due.key,
            case_id=due.case_id,
            referral_id=due.referral_id,
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


def notify(due: Due) -> int:
    return _insert(_rows(due))


def escalate_missed_checkins(now) -> int:
    """Escalate each missed check-in to the coordinators, exactly once.

    Returns the number of reminders this call wrote.
    """
    written = 0
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
                written += notify(due)
    return written


def scan(now=None) -> int:
    """Create every reminder that is due now; return how many this scan created.

    Another scan running at the same time is not counted: each logs its own.
    """
    now = now or timezone.now()
    written = escalate_missed_checkins(now)
    coordinators = Coordinators()
    # Most due events were told of on an earlier scan: skip them before writing.
    told = set(Notification.objects.values_list("user_id", "key"))
    rows: list[Notification] = []
    for source in (first_responses_due, follow_ups_due, referrals_due):
        for due in source(now):
            rows += [row for row in _rows(due, coordinators) if (row.user_id, row.key) not in told]
            if len(rows) >= INSERT_BATCH:
                written += _insert(rows)
                rows = []
    return written + _insert(rows)


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
            count = Notification.objects.open().filter(user=user).count()
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
