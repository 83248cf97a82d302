"""Per route template: how often it was used, how often it reached arrival, how fast.

Shown on the route list, which asks for it through evacuations/route_figures.py
(registered in stats/apps.py). The statistics rules apply: only plans
finished before the current quarter count, purged ones through the counters
the purge left, so the numbers do not move the day someone arrives; counts
of 1 to threshold-1 are hidden, and so is whatever would give them away by
subtraction (a route's uses are its arrivals plus its other endings); the
median and spread of days are shown only for threshold arrivals or more.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from evacuations.models import Plan, RetiredRouteCount, RetiredRouteDays, RouteTemplate
from evacuations.status import PlanStatus
from retention.measures import FINISHED, plan_days
from stats.queries import Period
from stats.suppression import suppress_line
from stats.tables import NOT_SHOWN, Cell, count, days_cell, quartiles


@dataclass
class RouteCounts:
    used: int = 0
    arrived: int = 0
    days: Counter = field(default_factory=Counter)  # days to arrival -> plans


@dataclass(frozen=True)
class RouteRow:
    route: RouteTemplate
    used: Cell
    arrived: Cell
    first_quartile: Cell
    median: Cell
    third_quartile: Cell


@dataclass(frozen=True)
class RouteStatistics:
    period: Period
    threshold: int
    rows: dict[int, RouteRow]

    def __getitem__(self, route_id: int) -> RouteRow:
        return self.rows[route_id]


def collect(routes: list[RouteTemplate], period: Period) -> dict[int, RouteCounts]:
    counts: dict[int, RouteCounts] = defaultdict(RouteCounts)
    ids = [route.pk for route in routes]
    finished = Plan.objects.filter(
        template__in=ids, status__in=FINISHED, closed_at__lt=period.until
    ).values_list("template_id", "status", "started_at", "arrived_at")
    for template, status, started, arrived in finished:
        counts[template].used += 1
        if status == PlanStatus.COMPLETED:
            counts[template].arrived += 1
            counts[template].days[plan_days(started or arrived, arrived)] += 1
    before = Q(template__in=ids) & Q(quarter__lt=period.current_quarter)
    for template, used, arrived in RetiredRouteCount.objects.filter(before).values_list(
        "template_id", "used", "arrived"
    ):
        counts[template].used += used
        counts[template].arrived += arrived
    for template, days, n in RetiredRouteDays.objects.filter(before).values_list(
        "template_id", "days", "count"
    ):
        counts[template].days[days] += n
    return counts


def _row(route: RouteTemplate, tally: RouteCounts, threshold: int) -> RouteRow:
    # A route's uses are a total: arrivals plus the plans that ended otherwise.
    line = suppress_line([tally.arrived, tally.used - tally.arrived], threshold=threshold)
    if tally.arrived >= threshold and not line.cells[0]:
        spread = tuple(days_cell(v) for v in quartiles(tally.days))
    else:
        spread = (Cell(NOT_SHOWN),) * 3
    return RouteRow(
        route,
        count(tally.used, line.total, threshold),
        count(tally.arrived, line.cells[0], threshold),
        *spread,
    )


def route_statistics(routes: list[RouteTemplate], now=None) -> RouteStatistics:
    period = Period.completed_quarters(now)
    threshold = settings.CORRIDOR_STATS_THRESHOLD
    counts = collect(routes, period)
    rows = {route.pk: _row(route, counts[route.pk], threshold) for route in routes}
    return RouteStatistics(period, threshold, rows)
