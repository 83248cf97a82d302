"""The admin manages users and teams, and cannot widen their own access."""

import pytest
from django.db import IntegrityError

from accounts.models import Role, User
from tests.factories import UserFactory


def change_url(user):
    return f"/admin/accounts/user/{user.pk}/change/"


def form_for(user, **overrides):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "role": user.role,
        "teams": [t.pk for t in user.teams.all()],
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_cannot_make_themselves_a_coordinator(client, admin_user, team_a):
    client.force_login(admin_user)
    response = client.post(
        change_url(admin_user), form_for(admin_user, role="coordinator", teams=[team_a.pk])
    )
    assert response.status_code in (200, 302)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert not admin_user.teams.exists()


def test_an_admin_changes_another_users_role_and_team(client, admin_user, operator, team_b):
    client.force_login(admin_user)
    response = client.post(
        change_url(operator), form_for(operator, role="caseworker", teams=[team_b.pk])
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.role == Role.CASEWORKER
    assert list(operator.teams.all()) == [team_b]


def test_a_team_role_cannot_be_given_the_admin_site(client, admin_user, caseworker):
    client.force_login(admin_user)
    response = client.post(change_url(caseworker), form_for(caseworker, is_staff="on"))
    assert response.status_code == 200
    assert b"Only administrators and auditors may use the admin site." in response.content
    caseworker.refresh_from_db()
    assert not caseworker.is_staff


def test_the_database_refuses_a_staff_caseworker(db):
    with pytest.raises(IntegrityError):
        UserFactory(role=Role.CASEWORKER, is_staff=True)


def test_an_admin_cannot_grant_superuser_or_permissions(client, admin_user, operator):
    client.force_login(admin_user)
    client.post(
        change_url(operator),
        form_for(operator, is_superuser="on", user_permissions=["1", "2"]),
    )
    operator.refresh_from_db()
    assert not operator.is_superuser
    assert not operator.user_permissions.exists()


def test_an_admin_creates_a_caseworker(client, admin_user, team_a):
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "password1": "a long enough passphrase for newcomers",
            "password2": "a long enough passphrase for newcomers",
            "role": "caseworker",
            "teams": [team_a.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert (user.role, list(user.teams.all()), user.is_staff) == ("caseworker", [team_a], False)


def test_an_auditor_cannot_manage_users(client, auditor, operator):
    client.force_login(auditor)
    assert client.get(change_url(operator)).status_code == 403
