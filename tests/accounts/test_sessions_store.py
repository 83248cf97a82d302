"""A stolen copy of the session table cannot take over a live session."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffSession
from accounts.sessions import SessionStore, stored_key
from tests.conftest import pass_second_factor
from tests.factories import PASSWORD


def test_the_table_holds_no_usable_session_key(caseworker):
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    pass_second_factor(client, caseworker)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("intake:case_list")).status_code == 200
    keys = list(StaffSession.objects.values_list("session_key", flat=True))
    assert cookie not in keys
    assert stored_key(cookie) in keys
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stored_key(cookie)
    assert thief.get(reverse("intake:case_list"))["Location"].startswith(reverse("login"))


def test_signing_out_deletes_the_stored_row(caseworker):
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    signed_in = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert StaffSession.objects.filter(session_key=stored_key(signed_in)).exists()
    client.post(reverse("logout"))
    assert not StaffSession.objects.filter(session_key=stored_key(signed_in)).exists()


def test_a_change_is_written_to_the_stored_row_alone(caseworker, django_assert_num_queries):
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    pass_second_factor(client, caseworker)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(cookie)
    store["marker"] = "written"
    with django_assert_num_queries(1):  # the UPDATE: no transaction block around it
        store.save()
    assert StaffSession.objects.count() == 1
    assert SessionStore(cookie)["marker"] == "written"


def test_a_session_ended_elsewhere_is_not_written_back(caseworker):
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(cookie)
    assert store["_auth_user_id"] == str(caseworker.pk)  # read, as a request reads it
    StaffSession.objects.all().delete()  # signed out in another tab, or ended by an admin
    store["marker"] = "late"
    with pytest.raises(UpdateError):
        store.save()
    assert not StaffSession.objects.exists()


def test_a_new_expiry_is_written(caseworker):
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(cookie)
    store.set_expiry(60)
    store.save()
    row = StaffSession.objects.get(session_key=stored_key(cookie))
    assert 50 <= (row.expire_date - timezone.now()).total_seconds() <= 60


def test_signing_in_replaces_the_session_from_before(caseworker):
    client = Client()
    client.get(reverse("login"))
    store = client.session
    store["before"] = "sign-in"
    store.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not StaffSession.objects.filter(session_key=stored_key(before)).exists()
    assert StaffSession.objects.filter(session_key=stored_key(after)).exists()


def test_expired_sessions_are_deleted_by_the_hourly_job(client, caseworker):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tasks import clear_expired_sessions

    client.force_login(caseworker)
    live = StaffSession.objects.get()
    assert live.user_id == caseworker.pk
    StaffSession.objects.create(
        session_key="x" * 40, session_data="", expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert clear_expired_sessions.apply().get() == 1
    assert list(StaffSession.objects.values_list("pk", flat=True)) == [live.pk]
