"""Throttled sign-in, session limits, lock now and emergency revoke."""

import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.conftest import pass_second_factor
from tests.factories import PASSWORD

URL = reverse("login")


def sign_in(client, username, password=PASSWORD):
    return client.post(URL, {"username": username, "password": password})


def test_argon2_hashes_passwords_first():
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_five_failures_lock_the_account_and_the_lockout_is_audited(client, caseworker):
    for _ in range(5):
        sign_in(client, "caseworker", "wrong passphrase here")
    response = sign_in(client, "caseworker")
    assert response.status_code == 429
    assert b"Signing in is paused" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="lockout").exists()
    stored = AccessAttempt.objects.get()
    assert "caseworker" not in stored.username  # a keyed hash, never what was typed
    assert stored.ip_address.startswith("fd") and "127.0.0.1" not in stored.ip_address


def test_many_accounts_tried_from_one_client_lock_that_client(client, caseworker, coordinator):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        sign_in(client, name, "wrong passphrase here")
    assert sign_in(client, "coordinator").status_code == 429


def test_an_attacker_cannot_lock_everyone_out(caseworker, coordinator):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        sign_in(attacker, "caseworker", "wrong passphrase here")
    colleague = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(colleague, "caseworker").status_code == 429  # the attacked account waits
    other = Client(REMOTE_ADDR="198.51.100.21")
    assert sign_in(other, "coordinator").status_code == 302  # everyone else signs in


def test_a_good_sign_in_resets_the_count(client, caseworker):
    for _ in range(4):
        sign_in(client, "caseworker", "wrong passphrase here")
    assert sign_in(client, "caseworker").status_code == 302
    assert not AccessAttempt.objects.exists()


def test_sign_in_gives_a_new_session_id(client, caseworker):
    client.get(URL)
    client.session.save()
    before = client.session.session_key
    sign_in(client, "caseworker")
    assert client.session.session_key != before


@pytest.mark.parametrize("key", ["last_seen", "started_at"])
def test_an_idle_or_old_session_ends(client, caseworker, settings, key):
    sign_in(client, "caseworker")
    session = client.session
    age = settings.SESSION_IDLE_TIMEOUT if key == "last_seen" else settings.SESSION_ABSOLUTE_AGE
    session[key] = int(time.time()) - age - 5
    session.save()
    response = client.get(reverse("intake:case_list"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get(reverse("intake:case_list"))["Location"].startswith(reverse("login"))


def test_activity_keeps_a_session_alive(client, caseworker):
    sign_in(client, "caseworker")
    pass_second_factor(client, caseworker)
    assert client.get(reverse("intake:case_list")).status_code == 200
    assert client.get(reverse("intake:case_list")).status_code == 200


def test_activity_is_written_once_a_minute_not_on_every_page(client, caseworker, settings):
    sign_in(client, "caseworker")
    pass_second_factor(client, caseworker)
    client.get(reverse("intake:case_list"))
    first = client.session["last_seen"]
    session = client.session
    session["last_seen"] = first - 30
    session.save()
    client.get(reverse("intake:case_list"))
    assert client.session["last_seen"] == first - 30  # half a minute: not written again
    session = client.session
    session["last_seen"] = first - 61
    session.save()
    client.get(reverse("intake:case_list"))
    assert client.session["last_seen"] >= first


def test_an_open_page_counts_down_the_idle_limit_and_can_keep_the_session(
    client, caseworker, settings
):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(caseworker)
    assert b'data-idle-seconds="600"' in client.get(reverse("intake:case_list")).content
    session = client.session
    session["last_seen"] = int(time.time()) - 500
    session.save()
    assert client.post(reverse("session_alive")).status_code == 204
    assert client.session["last_seen"] >= int(time.time()) - 1
    assert client.get(reverse("session_alive")).status_code == 405


def test_a_signed_out_page_counts_nothing_down(client):
    assert b"data-idle-seconds" not in client.get(reverse("login")).content
    assert client.post(reverse("session_alive"))["Location"].startswith(reverse("login"))


def test_lock_now_ends_the_session_and_clears_the_browser(client, caseworker, case):
    sign_in(client, "caseworker")
    pass_second_factor(client, caseworker)
    assert client.get(reverse("intake:case_detail", args=[case.reference])).status_code == 200
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    page = client.get(reverse("intake:case_detail", args=[case.reference]))
    assert page["Location"].startswith(reverse("login"))
    assert case.alias.encode() not in page.content


def test_a_password_change_ends_every_other_session(caseworker):
    phone, laptop = Client(), Client()
    for client in (phone, laptop):
        sign_in(client, "caseworker")
        pass_second_factor(client, caseworker)
    assert phone.get(reverse("intake:case_list")).status_code == 200
    caseworker.set_password("an entirely new long passphrase")
    caseworker.save()
    response = phone.get(reverse("intake:case_list"))
    assert response["Location"].startswith(reverse("login"))


class TestEmergencyRevoke:
    def test_a_coordinator_revokes_a_team_member_at_once(self, coordinator, caseworker):
        seized, desk = Client(), Client()
        sign_in(seized, "caseworker")
        pass_second_factor(seized, caseworker)
        assert seized.get(reverse("intake:case_list")).status_code == 200
        desk.force_login(coordinator)
        assert desk.get(reverse("team")).status_code == 200
        response = desk.post(reverse("revoke"), {"user": caseworker.pk}, follow=True)
        assert b"can no longer sign in; 1 session ended." in response.content
        caseworker.refresh_from_db()
        assert not caseworker.is_active
        assert seized.get(reverse("intake:case_list"))["Location"].startswith(reverse("login"))
        from django_otp import devices_for_user

        assert list(devices_for_user(caseworker, confirmed=None)) == []  # second factors gone
        event = AuditEvent.objects.get(action="revoke")
        assert (event.actor, event.object_ref) == (coordinator, str(caseworker.pk))

    @pytest.mark.parametrize("role", ["operator", "caseworker", "outsider", "partner", "auditor"])
    def test_others_cannot(self, client, personas, caseworker, role):
        client.force_login(personas[role])
        assert client.post(reverse("revoke"), {"user": caseworker.pk}).status_code == 404
        caseworker.refresh_from_db()
        assert caseworker.is_active

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("operator", 404),
            ("caseworker", 404),
            ("coordinator", 200),
            ("outsider", 200),
            ("partner", 404),
            ("auditor", 404),
            ("admin", 404),
        ],
    )
    def test_who_sees_the_team_page(self, client, personas, role, status):
        client.force_login(personas[role])
        assert client.get(reverse("team")).status_code == status

    def test_an_admin_revokes_from_the_admin_site(self, client, admin_user, caseworker):
        client.force_login(admin_user)
        response = client.post(
            "/admin/accounts/user/",
            {"action": "revoke_now", "_selected_action": [caseworker.pk, admin_user.pk]},
        )
        assert response.status_code == 302
        caseworker.refresh_from_db()
        admin_user.refresh_from_db()
        assert not caseworker.is_active and admin_user.is_active

    def test_an_admin_revokes_anyone_but_not_themselves(self, client, admin_user, partner):
        client.force_login(admin_user)
        assert client.post(reverse("revoke"), {"user": partner.pk}).status_code == 302
        assert client.post(reverse("revoke"), {"user": admin_user.pk}).status_code == 404
        admin_user.refresh_from_db()
        assert admin_user.is_active

    @pytest.mark.parametrize("value", ["", "abc", "²", "1 OR 1=1", "9" * 40])
    def test_bad_ids_are_404(self, client, coordinator, value):
        client.force_login(coordinator)
        assert client.post(reverse("revoke"), {"user": value}).status_code == 404
