"""A partner sees only the legs they take part in, and only their shared details."""

import pytest
from django.urls import reverse

from evacuations import services
from evacuations.models import LegKind
from referrals.models import PartnerStaff
from referrals.services import referral_move
from tests.evacuations.conftest import leg_data
from tests.factories import ReferralFactory, UserFactory

OWN_SHARED = "MRKOWNSHARED2P meet at gate 4"
OWN_INTERNAL = "MRKOWNINTERNAL2P his sister drives"
OTHER_SHARED = "MRKOTHERSHARED2P flat 9"
OTHER_INTERNAL = "MRKOTHERINTERNAL2P border guard contact"
CITY = "MRKCITY2P"


@pytest.fixture
def shared_plan(plan, caseworker, sent_referral, other_partner_org, add_leg):
    plan.destination_city = CITY
    plan.save()
    other = ReferralFactory(case=plan.case, partner=other_partner_org, service="evacuation")
    referral_move(referral=other, to="sent", by=caseworker)
    add_leg(
        LegKind.SHELTER,
        referral=sent_referral,
        details=OWN_INTERNAL,
        partner_details=OWN_SHARED,
    )
    add_leg(LegKind.BORDER, referral=other, details=OTHER_INTERNAL, partner_details=OTHER_SHARED)
    add_leg(LegKind.ARRIVAL, details="MRKNOPARTNER2P")
    return plan


def page(client, user, referral):
    client.force_login(user)
    return client.get(reverse("referrals:partner_detail", args=[referral.reference]))


def test_a_partner_sees_their_leg_and_its_shared_details_only(
    client, shared_plan, partner, sent_referral
):
    response = page(client, partner, sent_referral)
    text = response.content.decode()
    assert response.status_code == 200
    assert OWN_SHARED in text
    assert "Stay at a shelter" in text
    for hidden in (OWN_INTERNAL, OTHER_SHARED, OTHER_INTERNAL, CITY, "MRKNOPARTNER2P"):
        assert hidden not in text
    assert "Cross a border" not in text
    assert shared_plan.reference not in text


def test_the_other_partner_sees_only_theirs(client, shared_plan, other_partner_org):
    staff = UserFactory(username="other.partner", role="partner")
    PartnerStaff.objects.create(user=staff, partner=other_partner_org)
    other = shared_plan.legs.get(kind="border").referral
    text = page(client, staff, other).content.decode()
    assert OTHER_SHARED in text
    for hidden in (OWN_SHARED, OWN_INTERNAL, OTHER_INTERNAL):
        assert hidden not in text


def test_a_partner_cannot_open_the_other_partners_referral(
    client, shared_plan, partner, other_partner_org
):
    other = shared_plan.legs.get(kind="border").referral
    assert page(client, partner, other).status_code == 404


def test_legs_disappear_once_the_referral_is_closed(
    client, shared_plan, partner, sent_referral, caseworker
):
    referral_move(referral=sent_referral, to="withdrawn", by=caseworker)
    text = page(client, partner, sent_referral).content.decode()
    assert OWN_SHARED not in text


def test_details_for_a_partner_need_a_partner(plan, caseworker):
    from evacuations.status import PlanError

    with pytest.raises(PlanError):
        services.leg_add(plan=plan, data=leg_data(partner_details="for nobody"), by=caseworker)
    assert not plan.legs.exists()


def test_a_leg_cannot_borrow_another_cases_referral(plan, caseworker, partner_org):
    from evacuations.status import PlanError

    foreign = ReferralFactory(partner=partner_org)
    with pytest.raises(PlanError):
        services.leg_add(plan=plan, data=leg_data(referral=foreign), by=caseworker)
    assert not plan.legs.exists()
