"""The duress codename: it signs in as the real one does, looks the same, and raises the alarm."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Message
from intake.models import Case, CaseEvent, CheckIn
from reminders.models import Kind, Notification
from reminders.services import scan
from tests.portal.conftest import CODENAME, ask, sign_in

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def person(client, portal_open, coordinator, caseworker):
    """A request with its codename and, set at the first sign-in, a duress codename."""
    real = ask(client)
    response = client.post(reverse("portal:duress"))
    duress = CODENAME.search(client.get(response["Location"]).content.decode()).group(1)
    client.post(reverse("portal:sign_out"))
    case = Case.objects.get()
    return case, real, duress


def page_as(client, codename, name="portal:inbox"):
    response = sign_in(client, codename)
    assert response["Location"].startswith(reverse("portal:inbox"))
    page = client.get(reverse(name))
    return page


def test_the_duress_codename_is_a_different_codename(person):
    case, real, duress = person
    assert real != duress
    assert case.codenames.count() == 2


def test_duress_sign_in_alerts_the_coordinators_and_makes_check_ins_missed(
    client, person, coordinator
):
    case, real, duress = person
    later = CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(days=2))
    page_as(client, duress)
    later.refresh_from_db()
    assert later.is_missed and later.escalated_at is not None
    alerts = Notification.objects.filter(user=coordinator, case=case)
    assert set(alerts.values_list("kind", flat=True)) == {Kind.DURESS, Kind.CHECKIN_MISSED}
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DURESS).exists()
    scan()  # the alarm stays until a coordinator marks it done
    assert alerts.filter(kind=Kind.DURESS, done_at__isnull=True).exists()


def test_a_real_sign_in_alerts_nobody(client, person):
    case, real, _duress = person
    CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(days=2))
    page_as(client, real)
    assert not Notification.objects.exists()
    assert not CheckIn.objects.get().is_missed


@pytest.mark.parametrize("name", ["portal:inbox", "portal:duress", "portal:forget"])
def test_the_pages_look_the_same_in_either_session(client, person, caseworker, name):
    case, real, duress = person
    CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(days=2))
    Message.objects.create(case=case, direction="team", body="We hear you.", by=caseworker)
    first = page_as(client, real, name)
    client.post(reverse("portal:sign_out"))
    second = page_as(client.__class__(), duress, name)
    assert first.status_code == second.status_code == 200
    assert CSRF.sub(b"", first.content) == CSRF.sub(b"", second.content)
    assert sorted(first.headers) == sorted(second.headers)
    assert set(first.cookies) == set(second.cookies)


def test_i_am_safe_under_duress_answers_the_same_and_records_nothing(client, person):
    case, real, duress = person
    checkin = CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(days=2))
    page_as(client, duress)
    response = client.post(reverse("portal:checkin", args=[checkin.pk]))
    assert response.status_code == 302
    answer = client.get(response["Location"])
    assert 'role="status"' in answer.content.decode()
    checkin.refresh_from_db()
    assert checkin.heard_at is None and checkin.is_missed


def test_forget_under_duress_keeps_the_request_and_tells_the_coordinators(
    client, person, coordinator
):
    case, real, duress = person
    page_as(client, duress)
    response = client.post(reverse("portal:forget"), {"sure": "on"})
    assert response["Location"].startswith(reverse("portal:forgotten"))
    assert Case.objects.filter(pk=case.pk).exists()
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DURESS)
    assert set(events.values_list("detail", flat=True)) == {"sign_in", "forget"}
    assert "kept" in events.get(detail="forget").get_detail_display()
    assert Notification.objects.filter(user=coordinator, kind=Kind.DURESS).count() == 2


def test_messages_written_under_duress_are_marked_for_the_team(client, person):
    case, real, duress = person
    page_as(client, duress)
    client.post(reverse("portal:write"), {"body": "All is fine."})
    assert Message.objects.get().under_duress


def test_a_second_duress_codename_cannot_be_made(client, person):
    case, real, _duress = person
    page_as(client, real)
    response = client.post(reverse("portal:duress"))
    assert response.status_code == 200  # the page saying there is one already
    assert case.codenames.count() == 2


def test_i_am_safe_goes_from_the_page_in_either_session(client, person):
    """Pressed, the check-in is gone from the page and a second press is refused, in a
    duress session exactly as in a real one (a review found it stayed under duress)."""
    case, real, duress = person
    answers = {}
    for name, words in (("real", real), ("duress", duress)):
        checkin = CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(days=2))
        browser = client.__class__()
        page_as(browser, words)
        url = reverse("portal:checkin", args=[checkin.pk])
        first = browser.post(url)
        after = browser.get(first["Location"]).content.decode()
        answers[name] = (first.status_code, url in after, browser.post(url).status_code)
    assert answers["real"] == answers["duress"] == (302, False, 404)
    assert CheckIn.objects.filter(heard_at__isnull=False).count() == 1  # the real one only


def test_after_a_forced_deletion_the_duress_codename_opens_nothing(client, person):
    case, real, duress = person
    page_as(client, duress)
    client.post(reverse("portal:forget"), {"sure": "on"})
    again = client.__class__()
    assert sign_in(again, duress)["Location"].startswith(reverse("portal:sign_in"))
    assert sign_in(client.__class__(), real)["Location"].startswith(reverse("portal:inbox"))
    assert not case.codenames.filter(duress=True).exists()


def test_on_legal_hold_a_forced_deletion_is_answered_as_a_real_one(client, person):
    case, real, duress = person
    Case.objects.filter(pk=case.pk).update(legal_hold=True)
    answers = []
    for words in (real, duress):
        browser = client.__class__()
        page_as(browser, words)
        response = browser.post(reverse("portal:forget"), {"sure": "on"})
        answers.append((response.status_code, CSRF.sub(b"", response.content)))
    assert answers[0] == answers[1] and answers[0][0] == 409
    assert Case.objects.filter(pk=case.pk).exists()


def test_repeated_duress_sign_ins_raise_one_alert_an_hour(client, person, coordinator):
    case, real, duress = person
    for _ in range(3):
        page_as(client.__class__(), duress)
    assert Notification.objects.filter(user=coordinator, kind=Kind.DURESS).count() == 1
