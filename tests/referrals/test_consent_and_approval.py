import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import Referral
from referrals.status import ReferralError
from tests.factories import ReferralFactory


def test_it_refuses_sending_without_consent(db, caseworker):
    referral = ReferralFactory(consent_given=False, consent_at=None, consent_channel="")
    with pytest.raises(ReferralError, match="consent"):
        services.referral_move(referral=referral, to="sent", by=caseworker)
    assert Referral.objects.get(pk=referral.pk).status == "draft"


def test_the_database_refuses_a_sent_referral_without_consent(db):
    referral = ReferralFactory(consent_given=False, consent_at=None, consent_channel="")
    with pytest.raises(IntegrityError):
        Referral.objects.filter(pk=referral.pk).update(status="sent", sent_at=timezone.now())


def test_sharing_the_handle_needs_a_coordinators_approval(db, caseworker, coordinator):
    referral = ReferralFactory(shared_fields=["alias", "contact_handle"])
    with pytest.raises(ReferralError, match="approval"):
        services.referral_move(referral=referral, to="sent", by=caseworker)
    with pytest.raises(PermissionDenied, match="Only a coordinator"):
        services.referral_approve(referral=referral, by=caseworker, seen_shared=["contact_handle"])
    services.referral_approve(referral=referral, by=coordinator, seen_shared=referral.shared_fields)
    services.referral_move(referral=referral, to="sent", by=caseworker)
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_changing_the_shared_fields_voids_the_approval(db, caseworker, coordinator):
    referral = ReferralFactory(shared_fields=["contact_handle"])
    services.referral_approve(referral=referral, by=coordinator, seen_shared=referral.shared_fields)
    data = {
        "summary": referral.summary,
        "shared_fields": ["contact_handle", "safe_contact"],
        "consent_given": True,
        "consent_at": referral.consent_at,
        "consent_channel": "phone",
        "complete_by": None,
    }
    services.referral_update_draft(referral=referral, data=data, by=caseworker)
    assert Referral.objects.get(pk=referral.pk).approved_at is None
    with pytest.raises(ReferralError, match="approval"):
        services.referral_move(referral=referral, to="sent", by=caseworker)


def test_a_referral_without_the_handle_needs_no_approval(db, caseworker):
    referral = ReferralFactory(shared_fields=["alias", "region"])
    services.referral_move(referral=referral, to="sent", by=caseworker)
    assert Referral.objects.get(pk=referral.pk).status == "sent"


class TestTheForm:
    def url(self, case, partner):
        base = reverse("referrals:referral_create", args=[case.reference])
        return f"{base}?service=shelter&partner={partner.reference}"

    def test_consent_needs_when_and_how(self, client, caseworker, case, partner_org):
        client.force_login(caseworker)
        response = client.post(
            self.url(case, partner_org),
            {"summary": "s", "shared_fields": ["alias"], "consent_given": "on"},
        )
        assert response.status_code == 400
        assert b"When did the person consent?" in response.content
        assert b"How did the person consent?" in response.content
        assert not Referral.objects.exists()

    def test_consent_cannot_be_in_the_future(self, client, caseworker, case, partner_org):
        client.force_login(caseworker)
        response = client.post(
            self.url(case, partner_org),
            {
                "summary": "s",
                "consent_given": "on",
                "consent_at": "2099-01-01T10:00",
                "consent_channel": "phone",
            },
        )
        assert response.status_code == 400
        assert not Referral.objects.exists()

    def test_a_partner_that_does_not_offer_the_service_is_refused(
        self, client, caseworker, case, partner_org
    ):
        client.force_login(caseworker)
        base = reverse("referrals:referral_create", args=[case.reference])
        response = client.post(
            f"{base}?service=legal&partner={partner_org.reference}",
            {"summary": "s", "shared_fields": ["alias"]},
        )
        assert response.status_code == 400
        assert b"does not offer that service" in response.content
        # Refused, so not saved: no "Draft saved." now or on the next page.
        assert b"Draft saved" not in response.content
        assert b"Draft saved" not in client.get(reverse("home"), follow=True).content

    def test_sending_without_consent_shows_why(self, client, caseworker, case, partner_org):
        referral = ReferralFactory(
            case=case, partner=partner_org, consent_given=False, consent_at=None
        )
        client.force_login(caseworker)
        response = client.post(
            reverse("referrals:referral_send", args=[referral.reference]), follow=True
        )
        assert b"Record the person&#x27;s consent before sending." in response.content
        assert Referral.objects.get(pk=referral.pk).status == "draft"


def test_a_closed_case_cannot_be_referred(db, caseworker, partner_org):
    from tests.factories import CaseFactory

    case = CaseFactory(status="closed", closure_reason="stable")
    data = {
        "summary": "s",
        "shared_fields": [],
        "consent_given": False,
        "consent_at": None,
        "consent_channel": "",
        "complete_by": None,
    }
    with pytest.raises(ReferralError, match="closed"):
        services.referral_draft(
            case=case, partner=partner_org, service="shelter", data=data, by=caseworker
        )


def test_approval_covers_only_the_fields_the_coordinator_saw(db, coordinator):
    referral = ReferralFactory(shared_fields=["alias", "contact_handle"])
    with pytest.raises(ReferralError, match="changed meanwhile"):
        services.referral_approve(referral=referral, by=coordinator, seen_shared=["alias"])
    assert Referral.objects.get(pk=referral.pk).approved_at is None


def test_a_suspected_provocation_is_never_sent(db, caseworker):
    referral = ReferralFactory(shared_fields=["alias"])
    type(referral.case).objects.filter(pk=referral.case_id).update(verification="suspected")
    with pytest.raises(ReferralError, match="provocation"):
        services.referral_move(referral=referral, to="sent", by=caseworker)


def test_a_closed_cases_draft_is_not_sent(db, caseworker):
    referral = ReferralFactory(shared_fields=["alias"])
    type(referral.case).objects.filter(pk=referral.case_id).update(
        status="closed", closure_reason="stable"
    )
    with pytest.raises(ReferralError, match="closed"):
        services.referral_move(referral=referral, to="sent", by=caseworker)


def test_a_draft_without_consent_can_be_discarded(client, caseworker, case, partner_org):
    referral = ReferralFactory(case=case, partner=partner_org, consent_given=False, consent_at=None)
    client.force_login(caseworker)
    response = client.post(reverse("referrals:referral_withdraw", args=[referral.reference]))
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"
