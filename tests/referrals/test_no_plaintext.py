"""Summary, decline reasons, outcomes and partner contacts are encrypted at rest."""

import pytest
from django.urls import reverse

from referrals.models import Partner, Referral
from tests.intake.test_no_plaintext import raw_database_text

SUMMARY = "MRKSUMMARY9Z needs a bed"
CONTACT = "MRKCONTACT9Z Signal +000"
REASON = "MRKREASON9Z no beds"


@pytest.mark.django_db(transaction=True)
def test_referral_and_partner_markers_are_not_in_the_database(client, coordinator, case, partner):
    client.force_login(coordinator)
    partner_org = Partner.objects.get()
    data = {
        "name": partner_org.name,
        "kind": "shelter",
        "services": ["shelter"],
        "regions": ["chechnya"],
        "countries": ["RU"],
        "languages": ["ru"],
        "ack_deadline_hours": "24",
        "contact_details": CONTACT,
        "active": "on",
        "team": partner_org.team_id,
        "capacity_seen": "",
    }
    assert (
        client.post(
            reverse("referrals:partner_edit", args=[partner_org.reference]), data
        ).status_code
        == 302
    )
    url = reverse("referrals:referral_create", args=[case.reference])
    response = client.post(
        f"{url}?service=shelter&partner={partner_org.reference}",
        {
            "summary": SUMMARY,
            "shared_fields": ["alias"],
            "consent_given": "on",
            "consent_at": "2026-01-01T10:00",
            "consent_channel": "phone",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    client.post(reverse("referrals:referral_send", args=[referral.reference]))
    client.force_login(partner)
    client.post(
        reverse("referrals:partner_act", args=[referral.reference, "decline"]), {"note": REASON}
    )
    referral.refresh_from_db()
    assert (referral.summary, referral.decline_reason) == (SUMMARY, REASON)
    assert Partner.objects.get().contact_details == CONTACT
    raw = raw_database_text()
    assert referral.reference in raw
    for marker in (SUMMARY, CONTACT, REASON, "MRKSUMMARY9Z", "MRKCONTACT9Z", "MRKREASON9Z"):
        assert marker not in raw
