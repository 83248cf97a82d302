"""A stolen copy of the session table cannot take over a live session."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.sessions import stored_key
from tests.conftest import pass_second_factor
from tests.factories import PASSWORD


def test_the_table_holds_no_usable_session_key(caseworker):
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    pass_second_factor(client, caseworker)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("intake:case_list")).status_code == 200
    keys = list(Session.objects.values_list("session_key", flat=True))
    assert cookie not in keys
    assert stored_key(cookie) in keys
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stored_key(cookie)
    assert thief.get(reverse("intake:case_list"))["Location"].startswith(reverse("login"))


def test_signing_out_deletes_the_stored_row(caseworker):
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    signed_in = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=stored_key(signed_in)).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=stored_key(signed_in)).exists()
