"""The limits: per client and overall, on sign-ins, requests and messages; and a wrong
codename costing what a right one does."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Case
from portal import codenames, services, sessions, throttle
from portal.models import PortalSession, Throttle
from tests.portal.conftest import REQUEST, ask, sign_in

pytestmark = pytest.mark.django_db


def test_sign_ins_past_the_client_limit_are_refused_even_with_the_right_codename(
    client, portal_open, settings
):
    settings.PORTAL_LIMITS = {**settings.PORTAL_LIMITS, "sign_in_client": (3, 900)}
    codename = ask(client)
    guesser = client.__class__()
    for _ in range(3):
        sign_in(guesser, "неверное слово " * 4)
    response = sign_in(guesser, codename)
    assert response["Location"].startswith(reverse("portal:sign_in"))
    page = guesser.get(response["Location"]).content.decode()
    assert 'role="alert"' in page
    assert guesser.get(reverse("portal:inbox")).status_code == 302


def test_the_overall_limit_holds_whatever_the_address(client, portal_open, settings):
    settings.PORTAL_LIMITS = {**settings.PORTAL_LIMITS, "sign_in_all": (2, 60)}
    codename = ask(client)
    for address in ("10.0.0.1", "10.0.0.2"):
        sign_in(client.__class__(REMOTE_ADDR=address), "wrong words " * 4)
    late = client.__class__(REMOTE_ADDR="10.0.0.3")
    assert sign_in(late, codename)["Location"].startswith(reverse("portal:sign_in"))


def test_requests_past_the_limit_store_nothing_and_keep_what_was_typed(
    client, portal_open, settings
):
    settings.PORTAL_LIMITS = {**settings.PORTAL_LIMITS, "request_client": (1, 3600)}
    ask(client)
    other = client.__class__()
    response = other.post(reverse("portal:ask"), {**REQUEST, "alias": "Second"})
    assert Case.objects.count() == 1
    page = other.get(response["Location"]).content.decode()
    assert 'role="alert"' in page and 'value="Second"' in page


def test_messages_past_the_limit_are_refused(client, portal_open, settings):
    settings.PORTAL_LIMITS = {**settings.PORTAL_LIMITS, "message_case": (2, 3600)}
    ask(client)
    for n in range(3):
        client.post(reverse("portal:write"), {"body": f"message {n}"})
    assert Case.objects.get().messages.count() == 2


def test_a_window_counts_every_attempt_and_a_new_window_starts_afresh(db, settings):
    settings.PORTAL_LIMITS = {**settings.PORTAL_LIMITS, "sign_in_client": (2, 60)}
    now = timezone.now()
    assert throttle.wait_for(("sign_in_client", "c"), now=now) == 0
    assert throttle.wait_for(("sign_in_client", "c"), now=now) == 0
    wait = throttle.wait_for(("sign_in_client", "c"), now=now)
    assert 0 < wait <= 60
    assert throttle.wait_for(("sign_in_client", "c"), now=now + timedelta(seconds=61)) == 0
    assert throttle.wait_for(("sign_in_client", "other"), now=now) == 0
    assert throttle.tidy(now + timedelta(days=2)) == 3
    assert not Throttle.objects.exists()


def test_ended_windows_and_sessions_are_tidied(client, portal_open):
    ask(client)
    throttle.wait_for(("request_all", "*"), now=timezone.now() - timedelta(days=1))
    PortalSession.objects.update(seen_at=timezone.now() - timedelta(hours=1))
    assert throttle.tidy() >= 1
    assert not Throttle.objects.filter(window_start__lt=timezone.now() - timedelta(hours=2))
    assert sessions.tidy() >= 1
    assert not PortalSession.objects.exists()


@pytest.mark.parametrize("right", [True, False])
def test_right_and_wrong_codenames_each_verify_exactly_one_hash(
    client, portal_open, monkeypatch, right
):
    codename = ask(client)
    calls = []
    real_verify = codenames.verify
    monkeypatch.setattr(codenames, "verify", lambda *a: calls.append(a) or real_verify(*a))
    found = services.sign_in(codename if right else "совсем другие слова " * 3)
    assert (found is not None) is right
    assert len(calls) == 1
    assert calls[0][0].startswith("$argon2id$")


def test_an_idle_session_ends(client, portal_open, settings):
    ask(client)
    PortalSession.objects.update(
        seen_at=timezone.now() - timedelta(seconds=settings.PORTAL_SESSION_IDLE + 1)
    )
    assert client.get(reverse("portal:inbox")).status_code == 302
    assert not PortalSession.objects.exists()


def test_a_flood_of_refused_forms_opens_no_more_sessions_than_the_limit(
    client, portal_open, settings
):
    settings.PORTAL_LIMITS = {**settings.PORTAL_LIMITS, "held_all": (2, 900)}
    for _ in range(4):
        client.__class__().post(reverse("portal:ask"), {**REQUEST, "region": ""})
    assert PortalSession.objects.count() == 2
    assert not Case.objects.exists()
