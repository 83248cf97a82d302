"""Every persona against every portal view, with no portal session: a staff session
opens no request; and a portal session against the staff pages: it opens none of them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Message
from intake.models import Case, CheckIn
from portal.models import Codename
from portal.sessions import COOKIE
from tests.access import LOGIN, cells
from tests.portal.conftest import ask

S = "sign_in"  # sent to the portal's sign-in page
T = "start"  # sent to the portal's start page

# fmt: off
#                          anon oper cw   coord outsider partner auditor admin
PORTAL_VIEWS = {
    ("start", "GET"):      [200, 200, 200, 200, 200, 200, 200, 200],
    ("ask", "GET"):        [200, 200, 200, 200, 200, 200, 200, 200],
    ("sign_in", "GET"):    [200, 200, 200, 200, 200, 200, 200, 200],
    ("codename", "GET"):   [S, S, S, S, S, S, S, S],
    ("inbox", "GET"):      [S, S, S, S, S, S, S, S],
    ("write", "POST"):     [S, S, S, S, S, S, S, S],
    ("checkin", "POST"):   [S, S, S, S, S, S, S, S],
    ("duress", "GET"):     [S, S, S, S, S, S, S, S],
    ("duress", "POST"):    [S, S, S, S, S, S, S, S],
    ("forget", "GET"):     [S, S, S, S, S, S, S, S],
    ("forget", "POST"):    [S, S, S, S, S, S, S, S],
    ("forgotten", "GET"):  [200, 200, 200, 200, 200, 200, 200, 200],
    ("sign_out", "POST"):  [T, T, T, T, T, T, T, T],
}
# fmt: on
COVERS = {f"portal:{view}" for view, _ in PORTAL_VIEWS}
DATA = {
    "write": {"body": "from a staff session"},
    "forget": {"sure": "on"},
}


def snapshot():
    return (
        Case.objects.count(),
        Message.objects.count(),
        Codename.objects.count(),
        CheckIn.objects.filter(heard_at__isnull=False).count(),
    )


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(PORTAL_VIEWS))
def test_portal_views_open_no_request_without_its_codename(
    client, personas, portal_open, view, method, role, outcome
):
    # A request exists, with a check-in, and a staff member's browser is signed in.
    ask(client.__class__())
    case = Case.objects.get()
    checkin = CheckIn.objects.create(case=case, due_at=timezone.now())
    if role != "anonymous":
        client.force_login(personas[role])
    kwargs = {"checkin_id": checkin.pk} if view == "checkin" else {}
    url = reverse(f"portal:{view}", kwargs=kwargs)
    before = snapshot()
    response = client.get(url) if method == "GET" else client.post(url, DATA.get(view, {}))
    if outcome in (S, T):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(f"portal:{outcome}"))
    else:
        assert response.status_code == outcome
    assert "no-store" in response["Cache-Control"]
    assert snapshot() == before


STAFF_PAGES = [
    ("intake:case_list", {}),
    ("intake:case_detail", "case"),
    ("reminders:notification_list", {}),
    ("account", {}),
    ("admin:index", {}),
    ("stats:overview", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_a_portal_session_reaches_no_staff_page(client, portal_open, name, kwargs):
    ask(client)
    case = Case.objects.get()
    cookie = client.cookies[COOKIE]
    assert cookie["path"] == reverse("portal:start")  # never sent to a staff page
    # Even sent there by hand, it signs nobody in.
    url = reverse(name, kwargs={"reference": case.reference} if kwargs == "case" else {})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN)) or "login" in response["Location"]
