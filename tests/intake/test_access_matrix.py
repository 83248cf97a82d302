"""Every role against every view: denied by default, decided on the object."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Case, CheckIn
from tests.access import LOGIN, cells, check, outcomes
from tests.conftest import ROLES


def case_data(**overrides):
    data = {
        "alias": "Sparrow",
        "contact_channel": "telegram",
        "contact_handle": "@matrix_handle",
        "safe_contact": "",
        "region": "chechnya",
        "location": "",
        "threats": ["outing"],
        "needs": ["shelter"],
        "languages": ["ru"],
        "risk": "3",
        "narrative": "",
    }
    data.update(overrides)
    return data


def post_data(view, case, personas):
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {
        "case_edit": case_data(),
        "note_add": {"body": "A note from the matrix."},
        "case_move": {"to": "verifying"},
        "follow_up_set": {"follow_up_on": tomorrow.isoformat()},
        "verification_set": {"verification": "verified"},
        "channel_restore": {},
        "case_assign": {"assignee": personas["caseworker"].pk},
        "legal_hold_set": {"hold": "on"},
        "checkin_set": {"due_at": (timezone.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
        "checkin_heard": {"checkin": case.checkins.values_list("pk", flat=True).first()},
    }[view]


L = LOGIN  # redirected to the sign-in page

# Expected status per view and role, on a case of team A.
# fmt: off
#                             anon  oper cw   coord outsider partner auditor admin
TEAM_VIEWS = {
    ("case_list", "GET"):      [L, 200, 200, 200, 200, 404, 404, 404],
    ("case_create", "GET"):    [L, 200, 200, 200, 200, 404, 404, 404],
    ("handle_check", "POST"):  [L, 200, 200, 200, 200, 404, 404, 404],
}
CASE_VIEWS = {
    ("case_detail", "GET"):       [L, 200, 200, 200, 404, 404, 404, 404],
    ("case_edit", "GET"):         [L, 403, 200, 200, 404, 404, 404, 404],
    ("case_edit", "POST"):        [L, 403, 302, 302, 404, 404, 404, 404],
    ("note_add", "POST"):         [L, 403, 302, 302, 404, 404, 404, 404],
    ("case_move", "POST"):        [L, 403, 302, 302, 404, 404, 404, 404],
    ("follow_up_set", "POST"):    [L, 403, 302, 302, 404, 404, 404, 404],
    ("verification_set", "POST"): [L, 403, 302, 302, 404, 404, 404, 404],
    ("channel_restore", "POST"):  [L, 403, 302, 302, 404, 404, 404, 404],
    ("case_assign", "POST"):      [L, 403, 403, 302, 404, 404, 404, 404],
    ("legal_hold_set", "POST"):   [L, 403, 403, 302, 404, 404, 404, 404],
    ("checkin_set", "POST"):      [L, 403, 302, 302, 404, 404, 404, 404],
    ("checkin_heard", "POST"):    [L, 403, 302, 302, 404, 404, 404, 404],
    ("retention:case_forget", "GET"): [L, 403, 403, 200, 404, 404, 404, 404],
}
# fmt: on
# The URL names these matrices give a row (tests/test_every_view_has_a_row.py).
COVERS = {view if ":" in view else f"intake:{view}" for view, _ in [*TEAM_VIEWS, *CASE_VIEWS]}


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.verification,
        fresh.follow_up_on,
        fresh.device_compromised_at,
        fresh.assignee_id,
        fresh.legal_hold,
        fresh.alias,
        fresh.notes.count(),
        fresh.checkins.count(),
        fresh.checkins.filter(heard_at__isnull=False).count(),
    )


def request(client, method, url, data):
    return client.get(url) if method == "GET" else client.post(url, data)


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(CASE_VIEWS))
def test_case_views(client, personas, case, view, method, role, outcome):
    if role != "anonymous":
        client.force_login(personas[role])
    if view == "channel_restore":
        Case.objects.filter(pk=case.pk).update(device_compromised_at=timezone.now())
    if view == "checkin_heard":
        CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(hours=1))
    before = snapshot(case)
    url = reverse(view if ":" in view else f"intake:{view}", args=[case.reference])
    response = request(
        client, method, url, post_data(view, case, personas) if method == "POST" else None
    )
    check(response, outcome, method=method, before=before, after=snapshot(case))


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(TEAM_VIEWS))
def test_team_views(client, personas, case, view, method, role, outcome):
    if role != "anonymous":
        client.force_login(personas[role])
    data = {"contact_handle": "@nobody"} if method == "POST" else None
    check(request(client, method, reverse(f"intake:{view}"), data), outcome)


@pytest.mark.parametrize("role", ROLES)
def test_case_create_post(client, personas, team_a, role):
    """Recording a request: team roles of any team may; the rest get 404 or the login page."""
    if role != "anonymous":
        client.force_login(personas[role])
    user = personas.get(role)
    data = case_data(team=(user.teams.first().pk if user and user.teams.exists() else team_a.pk))
    response = client.post(reverse("intake:case_create"), data)
    expected = {"anonymous": LOGIN, "partner": 404, "auditor": 404, "admin": 404}
    check(response, expected.get(role, 302))
    assert Case.objects.exists() == (expected.get(role) is None)


def test_outsider_cannot_record_into_another_team(client, outsider, team_a):
    client.force_login(outsider)
    response = client.post(reverse("intake:case_create"), case_data(team=team_a.pk))
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("anonymous", "/login/"),
        ("operator", "/dashboard/"),
        ("caseworker", "/dashboard/"),
        ("coordinator", "/dashboard/"),
        ("outsider", "/dashboard/"),
        ("partner", "/partner/"),
        ("auditor", "/admin/"),
        ("admin", "/admin/"),
    ],
)
def test_home_sends_each_role_to_its_work(client, personas, role, target):
    if role != "anonymous":
        client.force_login(personas[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(target)


def test_home_sends_a_partner_to_their_referrals(client, partner):
    client.force_login(partner)
    assert client.get("/")["Location"] == reverse("referrals:partner_inbox")


def test_home_tells_a_partner_without_organisation_there_is_nothing(client, db):
    from accounts.models import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.PARTNER))
    response = client.get("/")
    assert response.status_code == 200
    assert b"no work for your role" in response.content


def test_sequential_ids_do_not_resolve(client, caseworker, case):
    client.force_login(caseworker)
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_an_inactive_user_sees_nothing(client, caseworker, case):
    caseworker.is_active = False
    caseworker.save()
    client.force_login(caseworker)
    response = client.get(reverse("intake:case_detail", args=[case.reference]))
    assert response.status_code == 302  # signed out: inactive users are not authenticated


# fmt: off
ADMIN_PAGES = {
    #                               anon  oper cw   coord outsider partner auditor admin
    "/admin/":                      [302, 302, 302, 302, 302, 302, 200, 200],
    "/admin/accounts/user/":        [302, 302, 302, 302, 302, 302, 403, 200],
    "/admin/retention/retentionpolicy/": [302, 302, 302, 302, 302, 302, 403, 200],
}
# fmt: on


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        pytest.param(path, role, status, id=f"{path}-{role}")
        for path, expected in ADMIN_PAGES.items()
        for role, status in outcomes(expected)
    ],
)
def test_admin_pages(client, personas, path, role, status):
    if role != "anonymous":
        client.force_login(personas[role])
    response = client.get(path)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(("/admin/login/", "/login/"))


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_the_admin_holds_no_case_content(client, personas, case, role):
    client.force_login(personas[role])
    index = client.get("/admin/")
    assert b"/admin/intake/" not in index.content
    assert client.get("/admin/intake/case/").status_code == 404
    assert client.get("/admin/intake/note/").status_code == 404
