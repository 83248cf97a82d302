"""The transfer pages: every persona against every view, a refused form that keeps
its choice and says why, hostile values, and a request that shows no case content."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from intake import transfers
from intake.models import Case, Transfer
from tests.access import LOGIN as L
from tests.access import cells, check
from tests.factories import CaseFactory, TeamFactory, UserFactory
from tests.hostile import HOSTILE, assert_safe

# A case of team A. "ask" rows: its coordinator asks team B (whose coordinator is
# the outsider); "open" rows: a request from team A to team B already waits.
# fmt: off
# The outsider answers as team B's coordinator; the shielded personas (team A's
# coordinators, under duress and asleep) cannot see the case at all.
#                                        anon oper cw   coord outsdr partnr audit admin dur. asleep
MATRIX = {
    ("case_transfer", "ask"):              [L, 403, 403, 302, 404, 404, 404, 404],
    ("transfer_withdraw", "open"):         [L, 403, 403, 302, 404, 404, 404, 404],
    ("transfer_accept", "open"):           [L, 403, 403, 403, 302, 404, 404, 404, 404, 404],
    ("transfer_refuse", "open"):           [L, 403, 403, 403, 302, 404, 404, 404, 404, 404],
    ("transfer_requests", "list"):         [L, 403, 403, 200, 200, 404, 404, 404],
}
# fmt: on
# The URL names this matrix gives a row (tests/test_every_view_has_a_row.py).
COVERS = {f"intake:{view}" for view, _ in MATRIX}


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    transfers_of = Transfer.objects.order_by("pk").values_list("accepted", "decided_by")
    return fresh.team_id, fresh.assignee_id, list(transfers_of)


@pytest.mark.parametrize(("view", "setup", "role", "outcome"), cells(MATRIX))
def test_transfer_views(client, personas, case, team_b, view, setup, role, outcome):
    case.assignee = personas["caseworker"]
    case.save()
    waiting = None
    if setup == "open":
        waiting = transfers.case_transfer(case=case, to_team=team_b, by=personas["coordinator"])
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot(case)
    if view == "transfer_requests":
        response = client.get(reverse(f"intake:{view}"))
    else:
        data = {"to_team": team_b.pk} if setup == "ask" else {"transfer": waiting.pk}
        response = client.post(reverse(f"intake:{view}", args=[case.reference]), data)
    check(response, outcome, method="POST" if view != "transfer_requests" else "GET",
          before=before, after=snapshot(case))  # fmt: skip


@pytest.fixture
def both(team_a, team_b):
    return UserFactory(username="both", role=Role.COORDINATOR, teams=[team_a, team_b])


def post_transfer(client, case, team_value):
    return client.post(
        reverse("intake:case_transfer", args=[case.reference]), {"to_team": team_value}
    )


def test_a_coordinator_of_both_moves_it_and_still_sees_it(client, both, case, team_b):
    client.force_login(both)
    response = post_transfer(client, case, team_b.pk)
    assert response["Location"] == case.page_url
    page = client.get(case.page_url).content.decode()
    assert "The case moved to “Team B”" in page
    assert "Moved to another team: Team B" in page  # on the timeline
    assert Case.objects.get(pk=case.pk).team == team_b


def test_the_old_team_loses_the_case_and_the_new_one_gets_it(
    client, coordinator, caseworker, outsider, case, team_b
):
    client.force_login(coordinator)
    post_transfer(client, case, team_b.pk)
    client.force_login(outsider)
    assert client.get(case.page_url).status_code == 404  # not before accepting
    transfer = Transfer.objects.get()
    response = client.post(
        reverse("intake:transfer_accept", args=[case.reference]), {"transfer": transfer.pk}
    )
    assert response["Location"] == case.page_url
    assert client.get(case.page_url).status_code == 200
    client.force_login(caseworker)
    assert client.get(case.page_url).status_code == 404


def test_a_refused_transfer_keeps_the_choice_and_says_why(client, coordinator, case):
    nobody = TeamFactory(name="Nobody home")
    client.force_login(coordinator)
    response = post_transfer(client, case, nobody.pk)
    assert response.status_code == 400
    html = response.content.decode()
    assert "has no coordinator who could accept the case" in html
    assert f'<option value="{nobody.pk}" selected>' in html
    assert not Transfer.objects.exists()


def test_a_second_request_is_refused_on_the_page(client, coordinator, outsider, case, team_b):
    client.force_login(coordinator)
    post_transfer(client, case, team_b.pk)
    page = client.get(case.page_url).content.decode()
    assert "Waiting for the coordinators of “Team B”" in page
    assert 'action="{}"'.format(reverse("intake:case_transfer", args=[case.reference])) not in page


@pytest.mark.parametrize(
    "value", [*HOSTILE, "own team", "no such team"], ids=range(len(HOSTILE) + 2)
)
def test_hostile_team_values_change_nothing(client, coordinator, outsider, case, team_b, value):
    value = {"own team": case.team_id, "no such team": team_b.pk + 1000}.get(value, value)
    client.force_login(coordinator)
    before = snapshot(case)
    response = post_transfer(client, case, value)
    assert_safe(response)
    assert response.status_code == 400
    said = ("Select a valid choice", "This field is required", "contains a null character")
    assert any(words in response.content.decode() for words in said)
    assert snapshot(case) == before


@pytest.mark.parametrize("view", ["transfer_accept", "transfer_refuse", "transfer_withdraw"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_request_ids_change_nothing(
    client, coordinator, outsider, case, team_b, view, value
):
    transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
    client.force_login(outsider if view != "transfer_withdraw" else coordinator)
    before = snapshot(case)
    response = client.post(reverse(f"intake:{view}", args=[case.reference]), {"transfer": value})
    assert response.status_code in (302, 400, 404)
    if response.status_code == 400:
        assert_safe(response)
    if view == "transfer_withdraw" and response.status_code == 302:
        assert "No transfer of this case is waiting" in client.get(case.page_url).content.decode()
    assert snapshot(case) == before


def test_an_answered_request_says_so(client, coordinator, outsider, case, team_b):
    transfer = transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
    transfers.transfer_withdraw(transfer=transfer, by=coordinator)
    client.force_login(outsider)
    response = client.post(
        reverse("intake:transfer_accept", args=[case.reference]), {"transfer": transfer.pk}
    )
    assert response["Location"] == reverse("intake:transfer_requests")
    page = client.get(response["Location"]).content.decode()
    assert "answered or withdrawn meanwhile" in page
    assert Case.objects.get(pk=case.pk).team_id == case.team_id


def test_moving_and_accepting_ask_for_the_password_again(client, coordinator, case, team_b):
    client.force_login(coordinator)
    session = client.session
    session["auth_at"] = 0
    session.save()
    response = post_transfer(client, case, team_b.pk)
    assert response["Location"].startswith(reverse("reauth"))
    assert not Transfer.objects.exists()


def test_the_request_shows_what_it_takes_to_decide_and_no_case_content(
    client, team_a, team_b, coordinator, outsider
):
    case = CaseFactory(
        team=team_a,
        risk=4,
        region="dagestan",
        needs=["shelter", "legal"],
        alias="Request-Alias-Marker",
        contact_handle="@request_handle_marker",
        narrative="Request-Narrative-Marker",
        location="Request-Location-Marker",
        safe_contact="Request-Safe-Marker",
    )
    transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
    client.force_login(outsider)
    markers = ("Request-Alias", "request_handle", "Request-Narrative", "Request-Location")
    for url in (reverse("intake:transfer_requests"), reverse("reminders:dashboard")):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        assert case.reference in html and "Critical" in html and "Dagestan" in html
        assert "coordinator" in html and "Team A" in html  # who asks
        for marker in (*markers, "Request-Safe"):
            assert marker not in html
    # Not even read: the requests page asks for no encrypted column.
    sql = "\n".join(q["sql"] for q in captured.captured_queries if "intake_transfer" in q["sql"])
    assert case.reference and '"intake_transfer"' in sql
    for column in ("alias", "contact_handle", "narrative", "location", "safe_contact"):
        assert f'"intake_case"."{column}"' not in sql


def test_only_the_cases_coordinators_see_the_transfer_form(client, caseworker, coordinator, case):
    form = 'action="{}"'.format(reverse("intake:case_transfer", args=[case.reference]))
    client.force_login(caseworker)
    assert form not in client.get(case.page_url).content.decode()
    client.force_login(coordinator)
    assert form in client.get(case.page_url).content.decode()


def test_the_other_team_is_never_offered_the_own_team(client, coordinator, case, team_b):
    client.force_login(coordinator)
    html = client.get(case.page_url).content.decode()
    choices = html[
        html.index('name="to_team"') : html.index("</select>", html.index('name="to_team"'))
    ]
    assert f'<option value="{team_b.pk}">Team B</option>' in choices
    assert f'<option value="{case.team_id}"' not in choices


def test_the_case_page_costs_the_same_with_or_without_transfers(
    client, coordinator, outsider, team_a, team_b
):
    quiet, busy, waiting = CaseFactory.create_batch(3, team=team_a)
    for _ in range(3):
        request = transfers.case_transfer(case=busy, to_team=team_b, by=coordinator)
        transfers.transfer_refuse(transfer=request, by=outsider)
    transfers.case_transfer(case=waiting, to_team=team_b, by=coordinator)
    client.force_login(coordinator)

    def queries(case):
        client.get(case.page_url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(case.page_url).status_code == 200
        return len(captured.captured_queries)

    assert queries(quiet) == queries(busy)
    # While a request waits there is no form, and so no list of teams to read.
    assert queries(waiting) == queries(quiet) - 1


def test_a_transfer_enqueues_no_task(
    client, coordinator, outsider, case, team_b, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks() as callbacks:
        post_transfer(client, case, team_b.pk)
        client.force_login(outsider)
        client.post(
            reverse("intake:transfer_accept", args=[case.reference]),
            {"transfer": Transfer.objects.get().pk},
        )
    assert Case.objects.get(pk=case.pk).team == team_b
    assert callbacks == []
