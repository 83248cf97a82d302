"""Per route: evacuations, arrivals and days to arrival, by the statistics rules."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evacuations.models import Plan, RouteTemplate
from evacuations.status import PlanStatus
from retention.services import case_purge
from stats.routes import route_statistics
from tests.factories import CaseFactory

NOW = timezone.make_aware(datetime(2026, 11, 23, 12, 0))
LAST_QUARTER = timezone.make_aware(datetime(2026, 8, 15, 12, 0))


@pytest.fixture
def route(db):
    return RouteTemplate.objects.create(
        name="Chechnya to Georgia", origin_region="chechnya", destination_country="GE"
    )


@pytest.fixture
def finished(route, team_a):
    def make(status=PlanStatus.COMPLETED, days=10, closed=LAST_QUARTER, template=route):
        started = closed - timedelta(days=days)
        arrived = closed if status == PlanStatus.COMPLETED else None
        return Plan.objects.create(
            case=CaseFactory(team=team_a),
            destination_country="GE",
            template=template,
            status=status,
            started_at=started,
            arrived_at=arrived,
            closed_at=closed,
        )

    return make


def row(route, now=NOW):
    return route_statistics([route], now=now)[route.pk]


def texts(r):
    return (
        r.used.text,
        r.arrived.text,
        r.first_quartile.text,
        r.median.text,
        r.third_quartile.text,
    )


def test_it_counts_uses_arrivals_and_the_spread_of_days(route, finished, settings):
    settings.CORRIDOR_STATS_THRESHOLD = 5
    for days in (4, 6, 8, 10, 12, 30):
        finished(days=days)
    for _ in range(5):
        finished(status=PlanStatus.CANCELLED)
    assert texts(row(route)) == ("11", "6", "6.5", "9", "11.5")


def test_small_counts_hide_and_so_does_what_subtraction_would_give(route, finished, settings):
    settings.CORRIDOR_STATS_THRESHOLD = 5
    for _ in range(6):
        finished()
    finished(status=PlanStatus.CANCELLED)
    # 7 evacuations, 6 arrived: showing 6 would tell that exactly one did not.
    assert texts(row(route)) == ("7", "<5", "—", "—", "—")


def test_a_route_used_a_few_times_shows_nothing_but_that(route, finished, settings):
    settings.CORRIDOR_STATS_THRESHOLD = 5
    for _ in range(3):
        finished()
    assert texts(row(route)) == ("<5", "<5", "—", "—", "—")


def test_open_plans_and_this_quarters_endings_do_not_count_yet(
    route, finished, settings, caseworker, active_case
):
    settings.CORRIDOR_STATS_THRESHOLD = 3
    for _ in range(3):
        finished()
    finished(closed=NOW - timedelta(days=2))  # finished this quarter
    Plan.objects.create(case=active_case, destination_country="GE", template=route)  # open
    assert row(route).used.text == "3"
    next_quarter = timezone.make_aware(datetime(2027, 1, 2, 12, 0))
    assert row(route, now=next_quarter).used.text == "4"


def test_other_routes_plans_are_not_counted(route, finished, settings):
    settings.CORRIDOR_STATS_THRESHOLD = 3
    other = RouteTemplate.objects.create(
        name="Dagestan to Armenia", origin_region="dagestan", destination_country="AM"
    )
    for _ in range(4):
        finished(template=other)
    assert row(route).used.text == "0"
    assert row(other).used.text == "4"


def test_the_numbers_survive_a_purge_unchanged(route, finished, settings):
    settings.CORRIDOR_STATS_THRESHOLD = 3
    plans = [finished(days=d) for d in (3, 5, 9, 20)]
    plans += [
        finished(status=PlanStatus.CANCELLED, closed=LAST_QUARTER - timedelta(days=40 * n))
        for n in range(3)
    ]
    plans.append(finished(closed=NOW - timedelta(days=1)))  # this quarter: not yet shown
    before = [texts(row(route)), texts(row(route, now=NOW + timedelta(days=60)))]
    for plan in plans:
        assert case_purge(case_id=plan.case_id, reason="forgotten")
    assert not Plan.objects.exists()
    after = [texts(row(route)), texts(row(route, now=NOW + timedelta(days=60)))]
    assert after == before
    assert before[0] == ("7", "4", "4.5", "7", "11.8")
    assert before[1] == ("8", "5", "5", "9", "10")


def test_coordinators_see_the_numbers_caseworkers_the_routes(
    client, route, finished, coordinator, caseworker, settings
):
    settings.CORRIDOR_STATS_THRESHOLD = 3
    for _ in range(3):
        finished()
    client.force_login(coordinator)
    page = client.get(reverse("evacuations:route_list")).content.decode()
    assert "Chechnya to Georgia" in page
    assert "Days to arrival: median" in page
    client.force_login(caseworker)
    page = client.get(reverse("evacuations:route_list")).content.decode()
    assert "Chechnya to Georgia" in page
    assert "Days to arrival: median" not in page
