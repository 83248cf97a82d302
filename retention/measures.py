"""What each statistic measures, defined once.

The live statistics (stats/) and the counters a purge keeps
(retention/services.py) both use these definitions, so a case counts the
same before and after it is purged. They sit here, in the lower of the two
apps: the purge counts with them, and stats reads what the purge kept.
"""

from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evacuations.status import PlanStatus
from intake.models import StatusChange
from intake.status import ClosureReason, Status
from referrals.models import Referral
from referrals.status import ReferralStatus

# "Time to safety" runs from the request to the first move into each of these.
MILESTONES = (Status.SHELTERED, Status.RELOCATED)


def quarter_of(moment: datetime) -> str:
    """The quarter of a moment in local time, as "2026Q3"."""
    local = timezone.localtime(moment)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from the request to a milestone; never negative."""
    return max((end - start).days, 0)


# An evacuation counts for its route once it ended, one way or the other.
FINISHED = (PlanStatus.COMPLETED, PlanStatus.CANCELLED)


def plan_days(plan_started, arrived) -> int:
    """Whole days from the first leg under way to the arrival confirmed."""
    return days_between(plan_started, arrived)


def first_milestones(changes: QuerySet[StatusChange]) -> QuerySet:
    """The first move of each case into each milestone.

    Rows of case_id, case__created_at (the request), to_status (the
    milestone) and first (when it was first reached).
    """
    return (
        changes.filter(to_status__in=MILESTONES)
        .values("case_id", "case__created_at", "to_status")
        .annotate(first=Min("at"))
        .order_by()
    )


# A referral counts once it was sent (a draft never left the building). It
# is answered once the partner decided; accepted counts what was accepted
# and whatever followed (completed, or withdrawn after acceptance).
ACCEPTED = Q(accepted_at__isnull=False)
ANSWERED = ACCEPTED | Q(status=ReferralStatus.DECLINED)


def referral_tally(referrals: QuerySet[Referral], *group_by: str) -> QuerySet:
    """Sent, answered and accepted referrals, grouped by these fields."""
    return (
        referrals.filter(sent_at__isnull=False)
        .values(*group_by)
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=ANSWERED),
            accepted=Count("pk", filter=ACCEPTED),
        )
        .order_by()
    )


class Outcome:
    """Where a request ended, or stands: a closure reason or one of these."""

    UNVERIFIED = "unverified"
    IN_PROGRESS = "in_progress"
    FORGOTTEN = "forgotten"

    LABELS = {
        **{reason.value: reason.label for reason in ClosureReason},
        # A stale request purged by the retention policy stays in this
        # bucket: the purge changes nothing in the statistics.
        UNVERIFIED: _("Not verified (waiting, or lapsed)"),
        IN_PROGRESS: _("In progress"),
        FORGOTTEN: _("Erased at the person's request"),
    }
    ORDER = [*ClosureReason.values, UNVERIFIED, IN_PROGRESS, FORGOTTEN]


# What a purge records as the outcome of a stale request
# (retention.services.STALE); a forgotten case is "forgotten" there too.
STALE_UNVERIFIED = "stale_unverified"


def live_outcome(status: str, closure_reason: str) -> str:
    if status == Status.CLOSED:
        return closure_reason
    if status in (Status.NEW, Status.VERIFYING):
        return Outcome.UNVERIFIED
    return Outcome.IN_PROGRESS


def retired_outcome(value: str) -> str:
    if value == STALE_UNVERIFIED:
        return Outcome.UNVERIFIED
    return value  # a closure reason, or "forgotten"
