"""Find what is due and tell the right people, once per due event."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role, User
from intake.models import Case, CheckIn, Note, StatusChange
from intake.status import Status
from referrals.models import Referral
from referrals.status import ReferralStatus
from reminders.models import Kind, Notification

log = logging.getLogger(__name__)
INSERT_BATCH = 1000  # reminders written per statement


@dataclass(frozen=True)
class Due:
    kind: str
    key: str
    case: Case
    referral: Referral | None = None
    to_coordinators: bool = False


class Coordinators(dict):
    """Each team's active coordinators, looked up once per scan."""

    def __missing__(self, team_id: int) -> list[User]:
        found = list(User.objects.filter(teams=team_id, role=Role.COORDINATOR, is_active=True))
        self[team_id] = found
        return found


def recipients(due: Due, coordinators: Coordinators | None = None) -> list[User]:
    """The assignee; the team's coordinators when nobody is assigned or it is urgent."""
    coordinators = Coordinators() if coordinators is None else coordinators
    people = [due.case.assignee] if due.case.assignee and due.case.assignee.is_active else []
    if due.to_coordinators or not people:
        people += [u for u in coordinators[due.case.team_id] if u not in people]
    return people


def first_responses_due(now) -> Iterable[Due]:
    hours = settings.CORRIDOR_FIRST_RESPONSE_HOURS
    answered = Exists(StatusChange.objects.filter(case=OuterRef("pk"))) | Exists(
        Note.objects.filter(case=OuterRef("pk"))
    )
    for risk, limit in hours.items():
        cases = (
            Case.objects.filter(
                status=Status.NEW, risk=risk, created_at__lt=now - timedelta(hours=limit)
            )
            .exclude(answered)
            .select_related("assignee")
            .only("id", "team", "assignee")
        )
        for case in cases:
            yield Due(Kind.FIRST_RESPONSE, f"first_response:{case.pk}", case)


def follow_ups_due(now) -> Iterable[Due]:
    today = timezone.localdate(now)
    cases = Case.objects.open().filter(follow_up_on__lte=today).select_related("assignee")
    for case in cases.only("id", "team", "assignee", "follow_up_on"):
        yield Due(Kind.FOLLOW_UP, f"follow_up:{case.pk}:{case.follow_up_on}", case)


def referrals_due(now) -> Iterable[Due]:
    late = Referral.objects.filter(status=ReferralStatus.SENT, ack_due_at__lt=now)
    unfinished = Referral.objects.filter(
        status=ReferralStatus.ACCEPTED, complete_by__lt=timezone.localdate(now)
    )
    fields = ("id", "ack_due_at", "complete_by", "case__id", "case__team", "case__assignee")
    for r in late.select_related("case__assignee").only(*fields):
        key = f"referral_ack:{r.pk}:{r.ack_due_at.isoformat()}"
        yield Due(Kind.REFERRAL_UNACKNOWLEDGED, key, r.case, r)
    for r in unfinished.select_related("case__assignee").only(*fields):
        yield Due(Kind.REFERRAL_UNCOMPLETED, f"referral_done:{r.pk}:{r.complete_by}", r.case, r)


def _rows(due: Due, coordinators: Coordinators | None = None) -> list[Notification]:
    return [
        Notification(user=user, kind=due.kind, key=due.key, case=due.case, referral=due.referral)
        for user in recipients(due, coordinators)
    ]


def _insert(rows: list[Notification]) -> None:
    # ignore_conflicts: a reminder that already exists for this event stays one.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_BATCH)


def notify(due: Due) -> None:
    _insert(_rows(due))


def escalate_missed_checkins(now) -> int:
    """Escalate each missed check-in to the coordinators, exactly once."""
    escalated = 0
    missed = CheckIn.objects.missed(now).filter(escalated_at__isnull=True)
    for pk in missed.values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update is the claim: of two workers, one wins,
            # and the claim and the reminders commit together or not at all.
            if CheckIn.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now):
                case = Case.objects.select_related("assignee").get(checkins=pk)
                notify(Due(Kind.CHECKIN_MISSED, f"checkin:{pk}", case, to_coordinators=True))
                escalated += 1
    return escalated


def scan(now=None) -> int:
    """Create every reminder that is due now; return how many were created."""
    now = now or timezone.now()
    before = Notification.objects.count()
    escalate_missed_checkins(now)
    coordinators = Coordinators()
    rows: list[Notification] = []
    for source in (first_responses_due, follow_ups_due, referrals_due):
        for due in source(now):
            rows += _rows(due, coordinators)
            if len(rows) >= INSERT_BATCH:
                _insert(rows)
                rows = []
    _insert(rows)
    return Notification.objects.count() - before


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
            context = {"count": count, "url": settings.CORRIDOR_BASE_URL + "/notifications/"}
            send_mail(
                render_to_string("emails/reminders-subject.txt", context).strip(),
                render_to_string("emails/reminders-body.txt", context),
                None,
                [user.email],
            )
            sent += 1
    return sent
