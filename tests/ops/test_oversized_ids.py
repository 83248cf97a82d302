"""An id no row can have (past the signed 64-bit range) is a clear 400 in the admin, never a 500.

SQLite cannot bind such a number (OverflowError); PostgreSQL answers as if
nothing matched. ops.overflow refuses it first, so both backends agree.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from ops.overflow import out_of_range
from tests.accounts.test_user_admin import change_url, form_for

HUGE = "99999999999999999999999999"
GUARD = "ops.overflow.RejectOversizedIdsMiddleware"
LISTS = {
    f"{model._meta.app_label}.{model._meta.model_name}": model for model in admin.site._registry
}


def lookups(model) -> list[str]:
    """Every way a change list's query string can ask for rows by id, through each relation."""
    keys = ["id__in", "pk__in", "id"]
    for field in model._meta.get_fields():
        if field.concrete and (field.many_to_one or field.many_to_many):
            keys += [f"{field.name}__id__in", f"{field.name}__in", field.name]
    return keys


def list_url(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


@pytest.fixture(autouse=True)
def guard(settings):
    """Until config/settings.py lists the guard (right after RejectNullBytesMiddleware)."""
    if GUARD not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("ops.middleware.RejectNullBytesMiddleware") + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], GUARD, *settings.MIDDLEWARE[at:]]


def test_the_guard_is_in_the_settings():
    # The module, not django.conf.settings: the fixture above has changed that.
    from config import settings as project

    assert GUARD in project.MIDDLEWARE


@pytest.mark.parametrize("who", ["admin_user", "auditor"])
@pytest.mark.parametrize("label", list(LISTS))
def test_every_change_list_refuses_an_oversized_id(request, db, who, label):
    model = LISTS[label]
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(who))
    plain = client.get(list_url(model))
    assert plain.status_code in (200, 302, 403)  # the list itself works, or is not theirs
    for key in lookups(model):
        for value in (HUGE, f"1,{HUGE}", f"-{HUGE}"):
            response = client.get(list_url(model), {key: value})
            assert response.status_code == 400, (key, value, response.status_code)
            assert b"too large to be an id" in response.content


def test_without_the_guard_the_backends_disagree(client, auditor, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != GUARD]
    client.raise_request_exception = False
    client.force_login(auditor)
    response = client.get("/admin/audit/auditevent/", {"actor__id__in": HUGE})
    assert response.status_code == (500 if connection.vendor == "sqlite" else 200)


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("9223372036854775807", False),
        ("-9223372036854775808", False),
        ("9223372036854775808", True),
        ("-9223372036854775809", True),
        ("1,2,9223372036854775808", True),
        ("+99999999999999999999", True),
        (" 99999999999999999999 ", True),
        ("9_999_999_999_999_999_999", True),
        ("９" * 20, True),  # full-width digits: int() reads them, so would the ORM
        ("99999999999999999999.5", False),  # not a whole number: the ORM refuses it itself
        ("1e30", False),
        ("9" * 5000, False),  # past what int() reads from text: a plain ValueError
        ("", False),
    ],
)
def test_the_range_is_a_signed_64_bit_integer(value, refused):
    assert out_of_range(value) is refused


def test_an_id_in_range_that_matches_nothing_is_an_ordinary_empty_list(client, auditor):
    client.force_login(auditor)
    response = client.get("/admin/audit/auditevent/", {"actor__id__in": "9223372036854775807"})
    assert response.status_code == 200


def test_adding_a_user_with_an_oversized_team_is_refused(client, admin_user, team_a):
    client.force_login(admin_user)
    data = {
        "username": "newcomer",
        "password1": "a long passphrase for newcomers",
        "password2": "a long passphrase for newcomers",
        "role": Role.CASEWORKER,
        "teams": [team_a.pk, HUGE],
    }
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 400
    assert not User.objects.filter(username="newcomer").exists()


def test_changing_a_users_teams_to_an_oversized_id_is_refused(client, admin_user, operator):
    client.force_login(admin_user)
    before = list(operator.teams.values_list("pk", flat=True))
    response = client.post(change_url(operator), form_for(operator, teams=[HUGE]))
    assert response.status_code == 400
    assert list(operator.teams.values_list("pk", flat=True)) == before


def test_a_team_that_does_not_exist_is_still_a_form_error(client, admin_user, operator):
    client.force_login(admin_user)
    response = client.post(change_url(operator), form_for(operator, teams=["9223372036854775807"]))
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


def test_an_action_on_an_oversized_row_is_refused(client, admin_user, operator):
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/", {"action": "revoke_now", "_selected_action": [operator.pk, HUGE]}
    )
    assert response.status_code == 400
    operator.refresh_from_db()
    assert operator.is_active


def test_the_rest_of_the_site_keeps_long_numbers_typed_as_text(client, caseworker, team_a):
    # A Russian bank account number has 20 digits: outside the admin it is data.
    from tests.hostile import valid

    client.force_login(caseworker)
    account = "40817810099910004312"
    response = client.post(reverse("intake:case_create"), {**valid(team_a), "location": account})
    assert response.status_code == 302
