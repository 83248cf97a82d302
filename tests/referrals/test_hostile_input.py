"""Hostile input on every referral and partner form: a clear error, never a 500."""

import pytest
from django.urls import reverse

from referrals.models import Partner, Referral
from tests.factories import ReferralFactory
from tests.hostile import HOSTILE, assert_safe
from tests.referrals.test_access_matrix import PARTNER_DATA, REFERRAL_DATA

IDS = range(len(HOSTILE))


@pytest.mark.parametrize("field", list(REFERRAL_DATA))
@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_referral_form(client, caseworker, case, partner_org, field, value):
    client.force_login(caseworker)
    url = reverse("referrals:referral_create", args=[case.reference])
    response = client.post(
        f"{url}?service=shelter&partner={partner_org.reference}",
        {**REFERRAL_DATA, field: value},
    )
    assert_safe(response)
    if response.status_code != 302:
        assert not Referral.objects.exists()


@pytest.mark.parametrize("field", list(PARTNER_DATA))
@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_partner_form(client, coordinator, field, value):
    client.force_login(coordinator)
    data = {**PARTNER_DATA, "team": coordinator.teams.first().pk, field: value}
    response = client.post(reverse("referrals:partner_create"), data)
    assert_safe(response)
    if response.status_code != 302:
        assert not Partner.objects.exists()


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_partner_decline_and_complete(client, partner, case, partner_org, value):
    referral = ReferralFactory(case=case, partner=partner_org)
    Referral.objects.filter(pk=referral.pk).update(status="sent")
    client.force_login(partner)
    url = reverse("referrals:partner_act", args=[referral.reference, "decline"])
    response = client.post(url, {"note": value})
    assert_safe(response)
    status = Referral.objects.get(pk=referral.pk).status
    assert status == ("declined" if response.status_code == 302 else "sent")


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_route_and_draft_queries(client, caseworker, case, partner_org, value):
    client.force_login(caseworker)
    route = client.get(reverse("referrals:route", args=[case.reference]), {"service": value})
    assert_safe(route)
    draft = client.get(
        reverse("referrals:referral_create", args=[case.reference]),
        {"service": value, "partner": value},
    )
    assert draft.status_code in (400, 404)


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_staff_username(client, coordinator, partner_org, value):
    client.force_login(coordinator)
    url = reverse("referrals:partner_staff_add", args=[partner_org.reference])
    response = client.post(url, {"username": value, "password": "a long passphrase for staff"})
    assert_safe(response)
    # A plain number is a username like any other; the rest are refused.
    assert response.status_code == (302 if value.isdigit() else 400)
