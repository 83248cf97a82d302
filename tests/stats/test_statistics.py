"""What the tables count, and how their numbers are hidden together."""

import statistics as stdlib_statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from retention import services as retention
from retention.measures import Outcome, quarter_of, retired_outcome
from retention.models import RetiredCaseCount, RetiredMilestoneCount, RetiredReferralCount
from stats.queries import Period
from stats.tables import quartiles
from tests.factories import PartnerFactory
from tests.stats import history
from tests.stats.history import published, raw, refer, request


def rows(table):
    return {row[0]: row[1:] for row in table}


def test_it_counts_requests_by_region_quarter_risk_threat_need_and_outcome(team_a):
    for _ in range(6):
        request(team=team_a, region="chechnya", risk=4, threats=["outing", "extortion"])
    for _ in range(5):
        case = request(team=team_a, region="dagestan", risk=2, needs=["legal"])
        history.close(case, "lost_contact")
    tables = published()
    assert rows(tables["regions"])["Chechnya"] == ["6"]
    assert rows(tables["regions"])["Dagestan"] == ["5"]
    assert rows(tables["regions"])["Ingushetia"] == ["0"]
    assert rows(tables["regions"])["Total"] == ["11"]
    # The quarter of the requests, then every quarter up to the last completed one.
    quarters = list(rows(tables["quarters"]).values())
    assert quarters[0] == ["11"] and quarters[-1] == ["11"]
    assert all(cells == ["0"] for cells in quarters[1:-1])
    assert rows(tables["risk"]) == {
        "Low": ["0"],
        "Medium": ["5"],
        "High": ["0"],
        "Critical": ["6"],
        "Total": ["11"],
    }
    assert rows(tables["threats"])["Outing"] == ["6"]
    assert rows(tables["threats"])["Detention or torture by police"] == ["5"]
    assert rows(tables["needs"])["Legal aid"] == ["5"]
    assert rows(tables["needs"])["A place to hide"] == ["6"]
    outcomes = rows(tables["outcomes"])
    assert outcomes["Lost contact"] == ["5"] and outcomes["Not verified (waiting, or lapsed)"] == [
        "6"
    ]
    assert "Total" not in rows(tables["threats"])  # a request may name several


def test_small_counts_are_hidden_with_a_complement(team_a):
    for region, n in (("chechnya", 9), ("dagestan", 2), ("ingushetia", 6)):
        for _ in range(n):
            request(team=team_a, region=region)
    regions = rows(published()["regions"])
    assert regions["Dagestan"] == ["<5"] and regions["Ingushetia"] == ["<5"]
    assert regions["Chechnya"] == ["9"] and regions["Total"] == ["17"]


def test_the_region_and_quarter_tables_are_the_margins_of_the_two_way_table(team_a):
    for days_ago, region, n in ((200, "chechnya", 7), (200, "dagestan", 1), (300, "chechnya", 9)):
        for _ in range(n):
            request(team=team_a, region=region, days_ago=days_ago)
    tables = published()
    grid = rows(tables["regions-by-quarter"])
    assert [cells[-1] for label, cells in grid.items() if label != "Total"] == [
        cells[0] for label, cells in rows(tables["regions"]).items() if label != "Total"
    ]
    assert grid["Total"][:-1] == [c[0] for label, c in rows(tables["quarters"]).items()][:-1]
    assert grid["Total"][-1] == rows(tables["regions"])["Total"][0] == "17"
    assert "1" not in sum(grid.values(), [])


def test_a_total_hidden_in_one_table_is_hidden_in_every_table_that_shows_it(team_a):
    # Five requests with five outcomes: ones only, which their total would pin down.
    reasons = ["stable", "not_needed", "lost_contact", "declined", "duplicate"]
    for reason in reasons:
        history.close(request(team=team_a, region="chechnya", risk=3), reason)
    tables = published()
    for slug in ("regions", "quarters", "risk", "outcomes"):
        assert rows(tables[slug])["Total"] == ["<5"], slug
    assert rows(tables["regions"])["Chechnya"] == ["<5"]
    assert rows(tables["risk"])["High"] == ["<5"]


def test_requests_of_the_current_quarter_are_left_out_so_a_new_one_changes_nothing(team_a):
    for _ in range(6):
        request(team=team_a)
    before = published()
    request(team=team_a, days_ago=0, region="ingushetia", risk=4)
    assert published() == before


def test_the_period_ends_with_the_last_completed_quarter():
    period = Period.completed_quarters(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert period.current_quarter == "2026Q4"
    assert period.last_quarter == "2026Q3"
    assert str(period.last_day) == "2026-09-30"
    january = Period.completed_quarters(datetime(2027, 1, 1, 0, 30, tzinfo=UTC))
    assert (january.current_quarter, january.last_quarter) == ("2027Q1", "2026Q4")


def test_referrals_by_service_and_kind_with_acceptance_rates(team_a):
    shelter = PartnerFactory(team=team_a, kind="shelter")
    legal = PartnerFactory(team=team_a, kind="legal")
    fund = PartnerFactory(team=team_a, kind="financial")
    case = request(team=team_a)
    for outcome in ["accepted", "completed", "withdrawn_after_acceptance", "declined", "sent"]:
        refer(case, shelter, service="shelter", outcome=outcome)
    refer(case, shelter, service="shelter", outcome="declined")
    refer(case, shelter, service="shelter", outcome="draft")  # never sent: not counted
    for outcome in ["accepted", "declined", "expired"]:
        refer(case, legal, service="legal", outcome=outcome)
    for _ in range(5):
        refer(case, fund, service="money", outcome="completed")
    tables = published()
    by_service = rows(tables["referrals-by-service"])
    # 6 sent; answered 5 (3 accepted, 2 declined): 60 %.
    assert by_service["A place to hide"] == ["6", "60"]
    assert by_service["Legal aid"] == ["<5", "—"]  # 3 sent, 2 answered: too few for a rate
    # Hidden with legal aid, so that the total cannot give that away. A rate beside it
    # would say it is not small, and so which hidden cell is which: none is shown.
    assert by_service["Money"] == ["<5", "—"]
    assert by_service["Medical care"] == ["0", "—"]
    assert by_service["Total"] == ["14", "75"]  # 9 accepted of 12 answered
    by_kind = rows(tables["referrals-by-partner-kind"])
    assert by_kind["Shelter"] == ["6", "60"]
    assert by_kind["Legal aid"] == ["<5", "—"]
    assert by_kind["Financial aid"] == ["<5", "—"]


def test_time_to_safety_gives_quartiles_once_enough_people_reached_it(team_a):
    for days in (2, 4, 6, 8, 10):
        history.reach(request(team=team_a), "sheltered", after_days=days)
    for days in (30, 40):
        history.reach(request(team=team_a), "relocated", after_days=days)
    table = rows(published()["time-to-safety"])
    assert table["From the request to shelter"] == ["5", "4", "6", "8"]
    assert table["From the request to relocation"] == ["<5", "—", "—", "—"]


def test_time_to_safety_counts_the_first_move_only(team_a):
    for _ in range(5):
        case = request(team=team_a)
        history.reach(case, "sheltered", after_days=3)
        history.reach(case, "sheltered", after_days=50)  # back to active, sheltered again
    assert rows(published()["time-to-safety"])["From the request to shelter"] == [
        "5",
        "3",
        "3",
        "3",
    ]


def test_counters_of_purged_cases_are_added(team_a):
    quarter = quarter_of(timezone.now() - timedelta(days=200))
    RetiredCaseCount.objects.create(
        quarter=quarter, region="tajikistan", dimension="case", value="", count=8
    )
    RetiredCaseCount.objects.create(
        quarter=quarter, region="tajikistan", dimension="risk", value="1", count=8
    )
    RetiredCaseCount.objects.create(
        quarter=quarter, region="tajikistan", dimension="outcome", value="stale_unverified", count=8
    )
    RetiredReferralCount.objects.create(
        quarter=quarter, service="money", partner_kind="financial", sent=9, answered=8, accepted=2
    )
    RetiredMilestoneCount.objects.create(milestone="sheltered", quarter=quarter, days=12, count=6)
    # The current quarter's counters wait like its live cases.
    RetiredCaseCount.objects.create(
        quarter=quarter_of(timezone.now()), region="chechnya", dimension="case", value="", count=9
    )
    tables = published()
    assert rows(tables["regions"])["Tajikistan"] == ["8"]
    assert rows(tables["regions"])["Total"] == ["8"]
    assert rows(tables["risk"])["Low"] == ["8"]
    assert rows(tables["outcomes"])["Not verified (waiting, or lapsed)"] == ["8"]
    assert rows(tables["referrals-by-service"])["Money"] == ["9", "25"]
    assert rows(tables["time-to-safety"])["From the request to shelter"] == ["6", "12", "12", "12"]


def test_the_outcomes_a_purge_records_are_the_ones_statistics_read():
    assert retired_outcome(retention.STALE) == Outcome.UNVERIFIED
    assert retired_outcome(retention.FORGOTTEN) == Outcome.FORGOTTEN
    assert set(Outcome.ORDER) == set(Outcome.LABELS)


def test_the_statistics_read_a_fixed_number_of_queries(team_a, django_assert_num_queries):
    history.past(team_a, size=10)
    retention.purge_expired()
    with django_assert_num_queries(8):
        raw()
    history.past(team_a, seed=9, size=30)
    with django_assert_num_queries(8):
        raw()


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [
        ({7: 1}, (7, 7, 7)),
        ({1: 1, 2: 1, 3: 1, 4: 1}, (1.75, 2.5, 3.25)),
        ({0: 3, 10: 1}, (0, 0, 2.5)),
    ],
)
def test_quartiles_of_a_histogram(histogram, expected):
    assert quartiles(Counter(histogram)) == expected


@given(st.dictionaries(st.integers(0, 400), st.integers(1, 6), min_size=1, max_size=12))
def test_quartiles_match_the_standard_library(histogram):
    data = [day for day, n in histogram.items() for _ in range(n)]
    if len(data) < 2:
        return
    expected = stdlib_statistics.quantiles(data, n=4, method="inclusive")
    assert quartiles(Counter(histogram)) == pytest.approx(tuple(expected))
