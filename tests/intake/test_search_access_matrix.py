"""The search against every persona: case staff of any team may search their own teams."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from core.http import SCRIPTED_SUBMIT_HEADER
from intake.models import Case, SearchToken
from intake.search_views import PENDING
from tests.access import LOGIN, cells, check
from tests.conftest import SHIELDED
from tests.intake.search_helpers import indexed_case

L = LOGIN
# fmt: off
#                                           anon  oper cw   coord outsider partner auditor admin
SEARCH_VIEWS = {
    # Sent by the page's script: the results at once.
    ("case_search", "POST", "script"):     [L, 200, 200, 200, 200, 404, 404, 404],
    # Sent by the browser alone: held for the GET it redirects to.
    ("case_search", "POST", "no script"):  [L, 302, 302, 302, 302, 404, 404, 404],
    # A GET with nothing held searches nothing: back to the list.
    ("case_search", "GET", ""):            [L, 302, 302, 302, 302, 404, 404, 404],
}
# fmt: on
COVERS = {f"intake:{view}" for view, _, _ in SEARCH_VIEWS}


def snapshot(client):
    return (
        AuditEvent.objects.filter(action=Action.SEARCH).count(),
        Case.objects.count(),
        SearchToken.objects.count(),
        PENDING in client.session,
    )


@pytest.mark.parametrize(("view", "method", "sent_by", "role", "outcome"), cells(SEARCH_VIEWS))
def test_search_views(client, personas, team_a, view, method, sent_by, role, outcome):
    case = indexed_case(team_a, alias="Ruslan Magomedov")
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot(client)
    url = reverse(f"intake:{view}")
    if method == "GET":
        response = client.get(url)
    else:
        headers = {SCRIPTED_SUBMIT_HEADER: "1"} if sent_by == "script" else {}
        response = client.post(url, {"q": "Ruslan"}, headers=headers)
    if outcome == LOGIN and sent_by == "script":
        # The script is told where a redirect leads instead of following it.
        assert response.status_code == 204
        assert response["X-Scripted-Location"].startswith(reverse("login"))
        assert snapshot(client) == before
        return
    check(response, outcome, method=method, before=before, after=snapshot(client))
    if response.status_code == 302 and outcome != LOGIN:
        expected = "intake:case_search" if method == "POST" else "intake:case_list"
        assert response["Location"] == reverse(expected)
    if response.status_code == 200:
        # Each finds only its own teams' cases: team B's outsider, none of these;
        # nor a shielded session of team A's own.
        assert (case.reference in response.content.decode()) == (
            role not in ("outsider", *SHIELDED)
        )
