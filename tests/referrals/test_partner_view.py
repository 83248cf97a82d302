"""A partner sees the summary and the ticked fields, nothing else of the case."""

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral, SharedField
from referrals.services import referral_move
from tests.factories import NoteFactory, ReferralFactory

CASE_VALUES = {
    "alias": "ALIAS-MARK",
    "contact_handle": "@handle_mark",
    "safe_contact": "SAFE-MARK",
    "location": "LOCATION-MARK",
    "narrative": "NARRATIVE-MARK",
}


@pytest.fixture
def sent(case, partner_org):
    for name, value in CASE_VALUES.items():
        setattr(case, name, value)
    case.save()
    NoteFactory(case=case, body="NOTE-MARK")

    def make(shared, summary="SUMMARY-MARK"):
        referral = ReferralFactory(
            case=case,
            partner=partner_org,
            shared_fields=shared,
            summary=summary,
            approved_at=timezone.now(),  # approval is tested on its own
        )
        referral_move(referral=referral, to="sent", by=None)
        return referral

    return make


def page(client, partner, referral):
    client.force_login(partner)
    return client.get(
        reverse("referrals:partner_detail", args=[referral.reference])
    ).content.decode()


@pytest.mark.parametrize("field", [f.value for f in SharedField])
def test_each_ticked_field_and_only_it_is_shown(client, partner, sent, field):
    referral = sent([field])
    content = page(client, partner, referral)
    assert "SUMMARY-MARK" in content
    for name, value in CASE_VALUES.items():
        assert (value in content) == (name == field), name


def test_the_narrative_notes_and_location_are_never_shown(client, partner, sent):
    referral = sent([f.value for f in SharedField])
    content = page(client, partner, referral)
    for marker in ("NARRATIVE-MARK", "NOTE-MARK", "LOCATION-MARK"):
        assert marker not in content
    assert referral.case.reference not in content  # the case's own reference stays internal


def test_other_referrals_of_the_same_case_stay_hidden(client, partner, sent, other_partner_org):
    mine = sent(["alias"])
    theirs = ReferralFactory(case=mine.case, partner=other_partner_org, summary="OTHER-SUMMARY")
    Referral.objects.filter(pk=theirs.pk).update(status="sent")
    client.force_login(partner)
    inbox = client.get(reverse("referrals:partner_inbox")).content.decode()
    assert mine.reference in inbox and theirs.reference not in inbox
    assert "OTHER-SUMMARY" not in page(client, partner, mine)
    url = reverse("referrals:partner_detail", args=[theirs.reference])
    assert client.get(url).status_code == 404


def test_the_partner_works_the_referral_and_it_reaches_the_case_timeline(
    client, partner, caseworker, sent
):
    referral = sent(["alias"])
    client.force_login(partner)
    for action in ("acknowledge", "accept"):
        client.post(reverse("referrals:partner_act", args=[referral.reference, action]))
    client.post(
        reverse("referrals:partner_act", args=[referral.reference, "complete"]),
        {"note": "Arrived safely."},
    )
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert referral.outcome_note == "Arrived safely."
    client.force_login(caseworker)
    timeline = client.get(reverse("intake:case_detail", args=[referral.case.reference]))
    text = timeline.content.decode()
    assert f"Referral {referral.reference} to Safe House A: Accepted → Completed" in text


def test_declining_needs_a_reason(client, partner, sent):
    referral = sent(["alias"])
    client.force_login(partner)
    url = reverse("referrals:partner_act", args=[referral.reference, "decline"])
    response = client.post(url, {"note": "  "})
    assert response.status_code == 400
    assert Referral.objects.get(pk=referral.pk).status == "sent"
    client.post(url, {"note": "No beds for men this month."})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "No beds for men this month.")


def test_a_move_out_of_order_is_refused_with_a_message(client, partner, sent):
    referral = sent(["alias"])
    client.force_login(partner)
    url = reverse("referrals:partner_act", args=[referral.reference, "complete"])
    response = client.post(url, {"note": ""}, follow=True)
    assert "A referral cannot move from “Sent” to “Completed”." in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_a_case_shows_its_referrals_at_a_glance(client, caseworker, sent):
    referral = sent(["alias"])
    client.force_login(caseworker)
    content = client.get(reverse("intake:case_detail", args=[referral.case.reference])).content
    assert referral.reference.encode() in content
    assert b"Safe House A" in content


def test_the_coordinator_sees_overdue_referrals_first(client, coordinator, case, partner_org):
    from datetime import timedelta

    from django.utils import timezone

    fresh, late = (ReferralFactory(case=case, partner=partner_org) for _ in range(2))
    now = timezone.now()
    Referral.objects.filter(pk=fresh.pk).update(
        status="sent", sent_at=now, ack_due_at=now + timedelta(hours=5)
    )
    Referral.objects.filter(pk=late.pk).update(
        status="sent", sent_at=now, ack_due_at=now - timedelta(hours=1)
    )
    client.force_login(coordinator)
    content = client.get(reverse("referrals:open_referrals")).content.decode()
    assert content.index(late.reference) < content.index(fresh.reference)
    assert "not acknowledged in time" in content


def test_edits_after_sending_never_reach_the_partner(client, partner, sent):
    referral = sent(["alias", "contact_handle"])
    case = referral.case
    case.alias, case.contact_handle = "NEW-ALIAS", "@new_handle"
    case.save()
    content = page(client, partner, referral)
    assert "ALIAS-MARK" in content and "@handle_mark" in content
    assert "NEW-ALIAS" not in content and "@new_handle" not in content


def test_a_closed_referral_shows_the_partner_nothing(client, partner, caseworker, sent):
    referral = sent(["alias", "contact_handle"])
    referral_move(referral=referral, to="withdrawn", by=caseworker)
    content = page(client, partner, referral)
    for marker in ("ALIAS-MARK", "@handle_mark", "SUMMARY-MARK"):
        assert marker not in content
    assert "no longer shown" in content


def test_a_compromised_device_hides_the_channels_and_warns(client, partner, caseworker, sent):
    from intake import services as intake_services

    referral = sent(["alias", "contact_handle", "safe_contact"])
    intake_services.case_mark_compromised(case=referral.case, by=caseworker)
    content = page(client, partner, referral)
    assert "ALIAS-MARK" in content
    assert "@handle_mark" not in content and "SAFE-MARK" not in content
    assert "device is compromised" in content
