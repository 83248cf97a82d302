"""What needs action now: the queries behind the dashboard case staff land on.

Every selector starts from `cases_visible_to(user)` or joins through
`through_visible_case(user)`, so a section can only ever hold the user's own
teams' cases. Each returns a queryset sorted most
urgent first; `section()` cuts it to the rows shown and counts the rest.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Case as DbCase
from django.db.models import (
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from accounts.models import User
from intake.choices import Risk
from intake.models import Case, CheckIn
from intake.selectors import cases_visible_to, missed_checkins_visible_to, through_visible_case
from referrals.models import Referral
from referrals.selectors import referrals_for_staff
from referrals.status import ReferralStatus
from reminders.models import Kind, Notification

SHOWN = 10  # rows per section; the rest are behind "see all"

# The case columns a row shows. Of the encrypted fields only the alias is
# loaded, so at most SHOWN aliases per section are ever decrypted, and the
# narrative, contact handle, safe contact and location never are.
CASE_COLUMNS = ("reference", "alias", "risk", "status")


@dataclass(frozen=True)
class Section:
    items: list
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)

    @property
    def more(self) -> bool:
        return self.hidden > 0


def section(queryset: QuerySet, shown: int = SHOWN) -> Section:
    """The first rows and how many there are in all: two queries, however many."""
    return Section(items=list(queryset[:shown]), total=queryset.count())


def missed_checkins(user: User, now: datetime | None = None) -> QuerySet[CheckIn]:
    """Check-ins nobody has confirmed since they fell due, longest missed first."""
    return missed_checkins_visible_to(user, now).only(
        "due_at", *(f"case__{c}" for c in CASE_COLUMNS)
    )


def awaiting_approval(user: User) -> QuerySet[Referral]:
    """Drafts of the user's teams that wait for a coordinator's approval, oldest first."""
    if not user.coordinates:
        return Referral.objects.none()
    return (
        referrals_for_staff(user)
        .awaiting_approval()
        .select_related("case", "partner", "created_by")
        .only(
            "reference",
            "created_at",
            "partner__name",
            "created_by__username",
            *(f"case__{c}" for c in CASE_COLUMNS),
        )
        .order_by("created_at", "pk")
    )


def critical_unanswered(user: User) -> QuerySet[Case]:
    """Critical requests still waiting for a first response, oldest first.

    Listed from the moment they are recorded, not only once the reminder
    fires; `respond_by` is when it would.
    """
    hours = settings.CORRIDOR_FIRST_RESPONSE_HOURS[Risk.CRITICAL]
    return (
        cases_visible_to(user)
        .awaiting_first_response()
        .filter(risk=Risk.CRITICAL)
        .only(*CASE_COLUMNS, "created_at")
        .annotate(
            respond_by=ExpressionWrapper(
                F("created_at") + timedelta(hours=hours), output_field=DateTimeField()
            )
        )
        .order_by("created_at", "pk")
    )


def overdue_follow_ups(user: User, today: date | None = None) -> QuerySet[Case]:
    """Open cases past their follow-up date: the user's own, then unassigned ones.

    A coordinator answers for the whole team, so their list goes on with
    everyone else's; an operator or caseworker sees only their own and the
    unassigned.
    """
    cases = cases_visible_to(user).follow_up_overdue(today)
    if not user.coordinates:
        cases = cases.filter(Q(assignee=user) | Q(assignee__isnull=True))
    return (
        cases.select_related("assignee")
        .only(*CASE_COLUMNS, "follow_up_on", "assignee__username")
        .annotate(
            whose=DbCase(
                When(assignee=user, then=Value(0)),
                When(assignee__isnull=True, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("whose", "-risk", "follow_up_on", "pk")
    )


def overdue_referrals(user: User, now: datetime | None = None) -> QuerySet[Referral]:
    """Sent and not acknowledged in time, or accepted and not completed in time."""
    return (
        referrals_for_staff(user)
        .overdue(now)
        .select_related("case", "partner")
        .only(
            "reference",
            "status",
            "ack_due_at",
            "complete_by",
            "partner__name",
            *(f"case__{c}" for c in CASE_COLUMNS),
        )
        .annotate(
            due_on=DbCase(
                When(status=ReferralStatus.SENT, then=TruncDate("ack_due_at")),
                default=F("complete_by"),
                output_field=DateField(),
            )
        )
        .order_by("-case__risk", "due_on", "ack_due_at", "pk")
    )


def open_notifications(user: User) -> QuerySet[Notification]:
    """The user's reminders not yet marked done, newest first.

    Only about cases they may still see: a reminder outlives a move to
    another team, the right to read that team's aliases does not.
    """
    if user.shielded:
        return Notification.objects.none()
    return (
        Notification.objects.open()
        .filter(user=user)
        .filter(Q(case__isnull=True) | through_visible_case(user))
        .select_related("case", "referral", "staff")
        .only(
            "kind",
            "created_at",
            "referral__reference",
            "staff__username",
            # What a partner's answer was, as it stands now: the reminder
            # says only that they answered.
            "referral__status",
            *(f"case__{c}" for c in CASE_COLUMNS),
        )
        .order_by("-created_at", "-pk")
    )


def staff_under_duress(user: User) -> QuerySet[Notification]:
    """The user's open alerts of a colleague's duress sign-in, newest first: listed at
    the top of the dashboard, apart from the other reminders (`reminders_besides`)."""
    return open_notifications(user).filter(kind=Kind.STAFF_DURESS)


def reminders_besides(user: User) -> QuerySet[Notification]:
    """The user's open reminders but the duress alerts, which have a section of their own."""
    return open_notifications(user).exclude(kind=Kind.STAFF_DURESS)
