from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from intake.choices import Risk
from intake.status import ClosureReason, Status
from tests.factories import CaseFactory, UserFactory

URL = reverse("intake:case_list")


def refs(response):
    return [c.reference for c in response.context["page"]]


@pytest.fixture
def listed(client, caseworker):
    client.force_login(caseworker)
    return client


def test_it_hides_other_teams_cases(listed, team_a, team_b):
    mine = CaseFactory(team=team_a)
    CaseFactory(team=team_b)
    assert refs(listed.get(URL)) == [mine.reference]


def test_a_coordinator_of_two_teams_sees_both(client, team_a, team_b):
    both = UserFactory(role=Role.COORDINATOR, teams=[team_a, team_b])
    cases = {CaseFactory(team=team_a).reference, CaseFactory(team=team_b).reference}
    client.force_login(both)
    assert set(refs(client.get(URL))) == cases


def test_it_sorts_by_risk_then_age_by_default(listed, team_a):
    now = timezone.now()
    old_low = CaseFactory(team=team_a, risk=Risk.LOW, created_at=now - timedelta(days=3))
    new_crit = CaseFactory(team=team_a, risk=Risk.CRITICAL, created_at=now)
    old_crit = CaseFactory(team=team_a, risk=Risk.CRITICAL, created_at=now - timedelta(days=1))
    expected = [old_crit.reference, new_crit.reference, old_low.reference]
    assert refs(listed.get(URL)) == expected
    assert refs(listed.get(URL, {"sort": "oldest"})) == [
        old_low.reference,
        old_crit.reference,
        new_crit.reference,
    ]
    assert refs(listed.get(URL, {"sort": "newest"}))[0] == new_crit.reference


@pytest.mark.parametrize(
    ("params", "match", "other"),
    [
        ({"status": "active"}, {"status": Status.ACTIVE}, {"status": Status.NEW}),
        ({"risk": "4"}, {"risk": Risk.CRITICAL}, {"risk": Risk.LOW}),
        ({"region": "ingushetia"}, {"region": "ingushetia"}, {"region": "chechnya"}),
        ({"need": "legal"}, {"needs": ["legal", "money"]}, {"needs": ["legal_aid_x", "money"]}),
    ],
)
def test_it_filters(listed, team_a, params, match, other):
    wanted = CaseFactory(team=team_a, **match)
    CaseFactory(team=team_a, **other)
    assert refs(listed.get(URL, params)) == [wanted.reference]


def test_need_filter_matches_whole_values_only(listed, team_a):
    CaseFactory(team=team_a, needs=["relocation_abroad"])
    assert refs(listed.get(URL, {"need": "relocation_domestic"})) == []


def test_it_filters_by_assignee(listed, team_a, caseworker, coordinator):
    mine = CaseFactory(team=team_a, assignee=caseworker)
    CaseFactory(team=team_a, assignee=coordinator)
    assert refs(listed.get(URL, {"assignee": caseworker.pk})) == [mine.reference]


def test_it_filters_overdue_follow_ups_of_open_cases(listed, team_a):
    yesterday = timezone.localdate() - timedelta(days=1)
    overdue = CaseFactory(team=team_a, follow_up_on=yesterday)
    CaseFactory(team=team_a, follow_up_on=timezone.localdate())
    CaseFactory(
        team=team_a,
        follow_up_on=yesterday,
        status=Status.CLOSED,
        closure_reason=ClosureReason.STABLE,
    )
    response = listed.get(URL, {"overdue": "yes"})
    assert refs(response) == [overdue.reference]
    assert b"(overdue)" in response.content


def test_an_assignee_from_another_team_is_not_a_filter_choice(listed, outsider):
    response = listed.get(URL, {"assignee": outsider.pk})
    assert response.status_code == 200
    assert "assignee" in response.context["filter"].errors


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"risk": "99"},
        {"page": "abc"},
        {"page": "-1"},
        {"sort": "'; DROP TABLE intake_case; --"},
        {"region": "<script>alert(1)</script>"},
        {"need": "a\x00b"},
        {"assignee": "1 OR 1=1"},
    ],
)
def test_malformed_filters_are_explained_not_fatal(listed, team_a, params):
    CaseFactory(team=team_a)
    response = listed.get(URL, params)
    has_null = any("\x00" in v for v in params.values())
    assert response.status_code == (400 if has_null else 200)
    assert b"<script>alert(1)</script>" not in response.content


def test_the_query_count_does_not_grow_with_the_page(listed, team_a, django_assert_max_num_queries):
    CaseFactory.create_batch(5, team=team_a)
    # session, user, second factor, teams, count, page, filter choices, check-ins,
    # bell; a session's first page also saves it (a savepoint pair in tests)
    with django_assert_max_num_queries(12) as small:
        listed.get(URL)
    CaseFactory.create_batch(45, team=team_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = listed.get(URL)
    assert len(response.context["page"]) == 50


def test_the_list_does_not_decrypt_what_it_does_not_show(listed, team_a):
    CaseFactory(team=team_a, narrative="NARRATIVE-NOT-ON-LIST")
    response = listed.get(URL)
    assert b"NARRATIVE-NOT-ON-LIST" not in response.content
    page_case = response.context["page"][0]
    assert "narrative" in page_case.get_deferred_fields()


def test_the_second_page_keeps_the_default_order(listed, team_a):
    now = timezone.now()
    for i in range(60):
        CaseFactory(team=team_a, risk=1 + i % 4, created_at=now - timedelta(minutes=i % 7))
    first = refs(listed.get(URL))
    second = refs(listed.get(URL, {"page": 2}))
    assert len(first) == 50 and len(second) == 10
    assert not set(first) & set(second)
    risks = [c.risk for c in listed.get(URL).context["page"]]
    assert risks == sorted(risks, reverse=True)


def test_each_row_links_to_the_page_of_its_case(listed, team_a):
    cases = CaseFactory.create_batch(3, team=team_a)
    html = listed.get(URL).content.decode()
    for case in cases:
        href = f'href="{reverse("intake:case_detail", args=[case.reference])}"'
        assert html.count(href) == 1
