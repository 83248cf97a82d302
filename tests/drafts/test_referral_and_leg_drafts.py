"""The referral summary and a leg's details keep drafts too, each in its own place."""

import re

import pytest
from django.urls import reverse

from drafts.models import Draft
from evacuations.models import Leg
from referrals.models import Referral
from tests.evacuations.test_access_matrix import leg_post
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

MARKER = "Marker-Wren: the driver waits behind the school"


def save(client, form, scope, **fields):
    response = client.post(
        reverse("drafts:save"), {"_draft": form, "_draft_scope": scope, **fields}
    )
    assert response.status_code == 200, response.content
    return response


def test_a_new_referrals_summary_is_restored_for_that_partner_only(
    client, caseworker, active_case, partner_org
):
    client.force_login(caseworker)
    scope = f"{active_case.reference}:{partner_org.reference}:shelter"
    save(client, "referral_new", scope, summary=MARKER)
    url = reverse("referrals:referral_create", args=[active_case.reference])
    page = client.get(url, {"partner": partner_org.reference, "service": "shelter"})
    assert MARKER in page.content.decode()
    other_service = client.get(url, {"partner": partner_org.reference, "service": "legal_aid"})
    assert MARKER not in other_service.content.decode()
    response = client.post(
        f"{url}?partner={partner_org.reference}&service=shelter",
        {"summary": MARKER, "shared_fields": ["alias"], "consent_given": ""},
    )
    assert response.status_code == 302
    assert Referral.objects.get().summary == MARKER
    assert not Draft.objects.exists()


def test_a_draft_referrals_summary_is_restored_when_edited_again(
    client, caseworker, active_case, partner_org
):
    referral = ReferralFactory(case=active_case, partner=partner_org)
    client.force_login(caseworker)
    save(client, "referral", referral.reference, summary=MARKER)
    page = client.get(reverse("referrals:referral_edit", args=[referral.reference]))
    assert MARKER in page.content.decode()
    assert Draft.objects.get().case == active_case


def test_a_new_legs_details_are_restored_on_the_plan_and_go_with_the_leg(client, caseworker, plan):
    client.force_login(caseworker)
    save(client, "leg_new", plan.reference, kind="travel", details=MARKER)
    page = client.get(reverse("evacuations:plan_detail", args=[plan.reference])).content.decode()
    assert MARKER in page and "<details open>" in page.replace('details open=""', "details open")
    response = client.post(
        reverse("evacuations:leg_add", args=[plan.reference]), {**leg_post(), "details": MARKER}
    )
    assert response.status_code == 302
    assert Leg.objects.get().details == MARKER
    assert not Draft.objects.exists()


def test_a_legs_changed_details_are_restored_on_its_form(client, caseworker, plan, add_leg):
    leg = add_leg()
    client.force_login(caseworker)
    save(client, "leg", f"{plan.reference}:{leg.key}", details=MARKER)
    page = client.get(reverse("evacuations:leg_edit", args=[plan.reference, leg.key]))
    assert MARKER in page.content.decode()


def test_a_leg_named_under_another_plan_is_a_404(client, caseworker, plan, add_leg, team_a):
    from evacuations import services
    from intake.status import Status
    from tests.factories import CaseFactory

    leg = add_leg()
    other_case = CaseFactory(team=team_a)
    for status in (Status.VERIFYING, Status.ACTIVE):
        other_case.move_to(status, by=caseworker)
    other = services.plan_open(
        case=other_case, data={"destination_country": "GE", "destination_city": ""}, by=caseworker
    )
    client.force_login(caseworker)
    for scope in (f"{other.reference}:{leg.key}", f"{plan.reference}:nosuchleg"):
        response = client.post(
            reverse("drafts:save"), {"_draft": "leg", "_draft_scope": scope, "details": MARKER}
        )
        assert response.status_code == 404
    assert not Draft.objects.exists()


def test_consent_and_shared_fields_taken_back_stay_taken_back(
    client, caseworker, active_case, partner_org
):
    referral = ReferralFactory(
        case=active_case, partner=partner_org, shared_fields=["alias", "contact_handle"]
    )
    client.force_login(caseworker)
    # As the browser sends the form once both ticks are removed: neither field at all.
    save(client, "referral", referral.reference, summary=MARKER, consent_channel="messenger")
    page = client.get(reverse("referrals:referral_edit", args=[referral.reference])).content
    page = page.decode()
    assert MARKER in page
    assert not re.search(r'name="consent_given"[^>]*checked', page)
    assert not re.search(r'name="shared_fields" value="contact_handle"[^>]*checked', page)


def test_a_refused_change_keeps_the_draft_and_says_why(
    client, caseworker, active_case, partner_org, monkeypatch
):
    from referrals import services
    from referrals.services import ReferralError

    def refuse(**kwargs):
        raise ReferralError("Only a draft can be changed.")

    referral = ReferralFactory(case=active_case, partner=partner_org)
    client.force_login(caseworker)
    save(client, "referral", referral.reference, summary=MARKER)
    monkeypatch.setattr(services, "referral_update_draft", refuse)
    response = client.post(
        reverse("referrals:referral_edit", args=[referral.reference]),
        {"summary": MARKER, "shared_fields": ["alias"]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only a draft can be changed." in page and "Draft saved." not in page
    assert Draft.objects.exists()
