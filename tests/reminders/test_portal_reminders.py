"""The portal's reminders: a new request until someone answers it, and each case whose
person wrote what nobody has read yet, until it is read. The e-mail only counts them."""

import pytest
from django.core import mail
from django.urls import reverse

from conversations import services as conversations
from intake import services as intake
from intake.choices import Channel
from reminders import services
from reminders.models import Kind, Notification
from tests.factories import CaseFactory, UserFactory
from tests.reminders.conftest import open_keys, told

MARKER = "MRKPORTALMSG7Q my brother found the phone"


@pytest.fixture
def portal_case(team_a):
    return CaseFactory(team=team_a, contact_channel=Channel.PORTAL, contact_handle="")


def kinds(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", "key"))


def test_a_portal_request_is_told_at_once_to_the_coordinators(
    portal_case, coordinator, caseworker, second_coordinator
):
    CaseFactory(team=portal_case.team)  # an ordinary request: not the portal's
    services.scan()
    key = f"portal_request:{portal_case.pk}"
    assert kinds(Kind.PORTAL_REQUEST) == [("coordinator", key), ("second_coordinator", key)]


def test_a_portal_request_goes_to_its_assignee_when_there_is_one(
    portal_case, caseworker, coordinator
):
    portal_case.assignee = caseworker
    portal_case.save()
    services.scan()
    assert told() == [("caseworker", Kind.PORTAL_REQUEST)]


def test_a_portal_request_reminder_ends_when_it_is_answered(portal_case, coordinator):
    services.scan()
    assert open_keys() == {f"portal_request:{portal_case.pk}"}
    intake.note_add(case=portal_case, body="Called the shelter.", by=coordinator)
    services.scan()
    assert not Notification.objects.filter(kind=Kind.PORTAL_REQUEST).exists()


def test_a_message_nobody_read_is_told_once_per_case(portal_case, caseworker, coordinator):
    portal_case.assignee = caseworker
    portal_case.save()
    first = conversations.person_writes(case=portal_case, body="one")
    conversations.person_writes(case=portal_case, body="two")
    services.scan()
    services.scan()
    assert kinds(Kind.PORTAL_MESSAGE) == [
        ("caseworker", f"portal_message:{portal_case.pk}:{first.pk}")
    ]


def test_a_message_reminder_ends_once_the_messages_are_read(portal_case, coordinator):
    conversations.person_writes(case=portal_case, body="one")
    services.scan()
    assert Notification.objects.filter(kind=Kind.PORTAL_MESSAGE).count() == 1
    conversations.team_reads(case=portal_case, by=coordinator)
    services.scan()
    assert not Notification.objects.filter(kind=Kind.PORTAL_MESSAGE).exists()


def test_a_message_after_a_dismissed_reminder_is_told_again(portal_case, coordinator):
    conversations.person_writes(case=portal_case, body="one")
    services.scan()
    reminder = Notification.objects.get(kind=Kind.PORTAL_MESSAGE)
    assert services.mark_done(user=coordinator, notification_id=reminder.pk)
    conversations.team_reads(case=portal_case, by=coordinator)
    later = conversations.person_writes(case=portal_case, body="two")
    services.scan()
    assert open_keys() >= {f"portal_message:{portal_case.pk}:{later.pk}"}


def test_opening_the_case_page_ends_the_message_reminder(client, portal_case, coordinator):
    conversations.person_writes(case=portal_case, body="one")
    services.scan()
    client.force_login(coordinator)
    assert client.get(portal_case.page_url).status_code == 200
    services.scan()
    assert not Notification.objects.filter(kind=Kind.PORTAL_MESSAGE).exists()


def test_the_teams_own_reply_is_no_message_to_be_told_of(portal_case, caseworker, coordinator):
    intake.note_add(case=portal_case, body="answered", by=coordinator)
    conversations.team_replies(case=portal_case, body="We are here", by=caseworker)
    services.scan()
    assert told() == []


def test_another_teams_portal_case_is_told_to_its_own_team_only(team_b, outsider, coordinator):
    theirs = CaseFactory(team=team_b, contact_channel=Channel.PORTAL, contact_handle="")
    conversations.person_writes(case=theirs, body="hello")
    services.scan()
    assert told() == [("outsider", Kind.PORTAL_MESSAGE), ("outsider", Kind.PORTAL_REQUEST)]


def test_the_digest_counts_them_and_says_nothing_they_say(portal_case, team_a, settings):
    coordinator = UserFactory(
        username="mailed", role="coordinator", teams=[team_a], email="c@example.org"
    )
    conversations.person_writes(case=portal_case, body=MARKER)
    services.scan()
    assert sorted(Notification.objects.filter(user=coordinator).values_list("kind", flat=True)) == [
        Kind.PORTAL_MESSAGE,
        Kind.PORTAL_REQUEST,
    ]
    assert services.send_digests() == 1
    (sent,) = mail.outbox
    assert "2 items due" in sent.body
    for text in (sent.subject, sent.body):
        assert "MRKPORTALMSG7Q" not in text and "brother" not in text
        assert portal_case.reference not in text and portal_case.alias not in text


def test_the_reminder_list_names_them_and_leads_to_the_case(client, portal_case, coordinator):
    conversations.person_writes(case=portal_case, body=MARKER)
    services.scan()
    client.force_login(coordinator)
    html = client.get(reverse("reminders:notification_list")).content.decode()
    assert "A new request came in through the portal" in html
    assert "A new message on the portal" in html
    assert html.count(f'href="{portal_case.page_url}"') == 2
    assert "MRKPORTALMSG7Q" not in html
