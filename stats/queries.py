"""Count what statistics publish: live cases plus the counters purges left behind.

Organisation-wide: the counters of purged cases keep no team, and what
advocates publish is the organisation's picture anyway. Only requests made
in completed quarters count (`Period`): a table that changed with every
new request would let anyone comparing two downloads see that one arrived,
and from where.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from intake.models import Case, StatusChange
from referrals.models import Referral
from retention import measures
from retention.models import RetiredCaseCount, RetiredMilestoneCount, RetiredReferralCount

Dim = RetiredCaseCount.Dimension


@dataclass(frozen=True)
class Period:
    """Requests made before `until` (the start of the current quarter, local time)."""

    until: datetime
    current_quarter: str

    @classmethod
    def completed_quarters(cls, now: datetime | None = None) -> "Period":
        local = timezone.localtime(now)
        start = local.replace(
            month=(local.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
        )
        return cls(until=start, current_quarter=measures.quarter_of(start))

    @property
    def last_day(self):
        """The last day counted."""
        return (self.until - timedelta(days=1)).date()

    @property
    def last_quarter(self) -> str:
        return measures.quarter_of(self.until - timedelta(days=1))


@dataclass
class Tally:
    sent: int = 0
    answered: int = 0
    accepted: int = 0

    def add(self, sent: int, answered: int, accepted: int) -> None:
        self.sent += sent
        self.answered += answered
        self.accepted += accepted


@dataclass
class Counts:
    """Every number the statistics are made from, before anything is hidden."""

    requests: Counter = field(default_factory=Counter)  # (region, quarter) -> requests
    threats: Counter = field(default_factory=Counter)
    needs: Counter = field(default_factory=Counter)
    risk: Counter = field(default_factory=Counter)  # "1".."4"
    outcomes: Counter = field(default_factory=Counter)
    referrals: defaultdict = field(default_factory=lambda: defaultdict(Tally))  # (service, kind)
    milestones: defaultdict = field(default_factory=lambda: defaultdict(Counter))  # days -> n

    @property
    def total(self) -> int:
        return sum(self.requests.values())


def collect(period: Period) -> Counts:
    """Count live cases of the period and add what purges kept of theirs."""
    counts = Counts()
    _live_cases(counts, Case.objects.filter(created_at__lt=period.until))
    _live_milestones(counts, StatusChange.objects.filter(case__created_at__lt=period.until))
    for row in measures.referral_tally(
        Referral.objects.filter(case__created_at__lt=period.until), "service", "partner__kind"
    ):
        key = (row["service"], row["partner__kind"])
        counts.referrals[key].add(row["sent"], row["answered"], row["accepted"])
    _retired(counts, period.current_quarter)
    return counts


def _live_cases(counts: Counts, cases) -> None:
    grouped = (
        cases.annotate(quarter=TruncQuarter("created_at"))
        .values("quarter", "region", "risk", "status", "closure_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        n = row["n"]
        counts.requests[(row["region"], measures.quarter_of(row["quarter"]))] += n
        counts.risk[str(row["risk"])] += n
        counts.outcomes[measures.live_outcome(row["status"], row["closure_reason"])] += n
    # Grouped by the stored set of values: a few hundred combinations at most.
    for name in ("threats", "needs"):
        for row in cases.values(name).annotate(n=Count("pk")).order_by():
            for value in row[name]:
                getattr(counts, name)[value] += row["n"]


def _live_milestones(counts: Counts, changes) -> None:
    for row in measures.first_milestones(changes):
        days = measures.days_between(row["case__created_at"], row["first"])
        counts.milestones[row["to_status"]][days] += 1


def _retired(counts: Counts, current_quarter: str) -> None:
    """Add the counters of purged cases requested before the current quarter."""
    # "2026Q3" < "2026Q4" < "2027Q1": the text sorts like the quarters.
    for quarter, region, dimension, value, n in RetiredCaseCount.objects.filter(
        quarter__lt=current_quarter
    ).values_list("quarter", "region", "dimension", "value", "count"):
        if dimension == Dim.CASE:
            counts.requests[(region, quarter)] += n
        elif dimension == Dim.THREAT:
            counts.threats[value] += n
        elif dimension == Dim.NEED:
            counts.needs[value] += n
        elif dimension == Dim.RISK:
            counts.risk[value] += n
        elif dimension == Dim.OUTCOME:
            counts.outcomes[measures.retired_outcome(value)] += n
    for row in RetiredReferralCount.objects.filter(quarter__lt=current_quarter).values(
        "service", "partner_kind", "sent", "answered", "accepted"
    ):
        key = (row["service"], row["partner_kind"])
        counts.referrals[key].add(row["sent"], row["answered"], row["accepted"])
    for milestone, days, n in RetiredMilestoneCount.objects.filter(
        quarter__lt=current_quarter
    ).values_list("milestone", "days", "count"):
        counts.milestones[milestone][days] += n
