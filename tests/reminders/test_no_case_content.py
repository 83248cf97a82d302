"""The new reminders carry ids and a kind, never case content: not in the rows, not in
the scan's task, not in the e-mail; and each new kind renders with a link to act on."""

import inspect
import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from intake import transfers
from intake.models import CaseEvent
from network.models import Cause
from referrals.models import ReferralChange
from referrals.services import referral_move
from reminders import services
from reminders.models import Kind, Notification
from reminders.tasks import scan_reminders, send_digests
from tests.factories import CaseFactory, ReferralFactory, UserFactory
from tests.reminders.conftest import draft_sharing_handle, exposure

MARKERS = {
    "alias": "Alias-Marker-Zarema",
    "contact_handle": "@handle_marker_zarema",
    "narrative": "Narrative-Marker",
    "location": "Location-Marker",
    "safe_contact": "Safe-Marker",
}
# What a key may be: a kind's word and ids (and, for an approval, field codes).
KEY = re.compile(r"^[a-z_]+:\d+(:[a-z_.]+)?$")


@pytest.fixture
def every_new_kind(team_a, team_b, caseworker, coordinator, outsider, partner, partner_org):
    case = CaseFactory(team=team_a, status="active", assignee=caseworker, **MARKERS)
    draft_sharing_handle(case, partner_org, caseworker, summary="Summary-Marker")
    referral = ReferralFactory(case=case, partner=partner_org, created_by=caseworker)
    referral_move(referral=referral, to="sent", by=caseworker)
    referral_move(referral=referral, to="declined", by=partner, note="Decline-Marker")
    exposure(case, Cause.LINKED)
    theirs = CaseFactory(team=team_b, status="active", **MARKERS)
    exposure(theirs, Cause.ELSEWHERE)
    asked = CaseFactory(team=team_a, **MARKERS)
    transfers.case_transfer(case=asked, to_team=team_b, by=coordinator)
    both = UserFactory(username="both", role="coordinator", teams=[team_a, team_b])
    moved = CaseFactory(team=team_a, **MARKERS)
    transfers.case_transfer(case=moved, to_team=team_b, by=both)
    services.scan()
    return case, referral, asked, moved


def test_every_new_kind_is_written(every_new_kind):
    new = {
        Kind.APPROVAL,
        Kind.REFERRAL_ANSWERED,
        Kind.EXPOSURE,
        Kind.EXPOSURE_ELSEWHERE,
        Kind.TRANSFER_REQUESTED,
        Kind.TRANSFERRED_IN,
    }
    assert new <= set(Notification.objects.values_list("kind", flat=True))


def test_no_row_holds_case_content(every_new_kind):
    case, *_ = every_new_kind
    for row in Notification.objects.values():
        text = repr(row)
        assert KEY.match(row["key"]), row["key"]
        for marker in (*MARKERS.values(), "Summary-Marker", "Decline-Marker", case.reference):
            assert marker not in text
    # The transfer's event and audit entries: a team's name, ids and codes.
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.TRANSFERRED)
    assert set(events.values_list("detail", flat=True)) == {"Team B"}
    trail = repr(list(AuditEvent.objects.filter(detail__has_key="transfer").values("detail")))
    assert "Team" not in trail
    for marker in MARKERS.values():
        assert marker not in trail


def test_the_scan_task_takes_nothing_and_the_email_says_only_how_many(
    every_new_kind, coordinator, caseworker, settings
):
    assert list(inspect.signature(scan_reminders.run).parameters) == []
    settings.CORRIDOR_REMINDER_EMAILS = True
    for user in (coordinator, caseworker):
        user.email = f"{user.username}@example.org"
        user.save()
    assert send_digests() == 2
    case, referral, asked, moved = every_new_kind
    for message in mail.outbox:
        text = message.subject + message.body
        assert re.search(r"You have \d+ items? due", text)
        for marker in (*MARKERS.values(), case.reference, referral.reference, asked.reference):
            assert marker not in text
        for label in Kind.labels:
            assert str(label) not in text


def test_each_new_kind_links_to_where_one_acts(
    client, every_new_kind, caseworker, coordinator, outsider
):
    case, referral, asked, moved = every_new_kind
    client.force_login(caseworker)
    listing = client.get(reverse("reminders:notification_list")).content.decode()
    assert "A partner answered a referral" in listing
    assert reverse("referrals:referral_detail", args=[referral.reference]) in listing
    assert "check in, move to a new channel" in listing and case.page_url in listing
    client.force_login(coordinator)
    listing = client.get(reverse("reminders:notification_list")).content.decode()
    assert "A referral waits for your approval" in listing
    client.force_login(outsider)
    listing = client.get(reverse("reminders:notification_list")).content.decode()
    assert "A case transfer waits for your answer" in listing
    assert reverse("intake:transfer_requests") in listing
    assert asked.reference not in listing  # not theirs before they accept
    assert "Check your cases" in listing
    # The case moved in by the coordinator of both: the others of team B are told.
    assert Notification.objects.filter(kind=Kind.TRANSFERRED_IN, user=outsider).exists()
    assert "A case was moved to your team" in listing and moved.page_url in listing


def test_urgent_ones_come_first_in_the_list(client, every_new_kind, caseworker):
    client.force_login(caseworker)
    listing = client.get(reverse("reminders:notification_list")).content.decode()
    body = listing[listing.index('class="notifications"') :]
    assert body.index("phone was taken") < body.index("A partner answered")
    assert ReferralChange.objects.filter(by__role="partner").count() == 1
