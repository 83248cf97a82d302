from datetime import timedelta

import pytest
from django.utils import timezone

from evacuations import services
from evacuations.models import LegKind
from intake.status import Status
from referrals.services import referral_move
from tests.factories import ReferralFactory


@pytest.fixture
def active_case(case, caseworker):
    """A verified case, the usual starting point of an evacuation."""
    case.move_to(Status.VERIFYING, by=caseworker)
    case.move_to(Status.ACTIVE, by=caseworker)
    return case


@pytest.fixture
def plan(active_case, caseworker):
    return services.plan_open(
        case=active_case,
        data={"destination_country": "GE", "destination_city": "Tbilisi"},
        by=caseworker,
    )


def leg_data(kind=LegKind.TRAVEL, *, days=2, referral=None, **extra):
    today = timezone.localdate()
    return {
        "kind": kind,
        "partner_kind": "",
        "referral": referral,
        "planned_start": today,
        "planned_end": today + timedelta(days=days),
        "details": "",
        "partner_details": "",
        **extra,
    }


@pytest.fixture
def add_leg(plan, caseworker):
    def add(kind=LegKind.TRAVEL, **extra):
        return services.leg_add(plan=plan, data=leg_data(kind, **extra), by=caseworker)

    return add


@pytest.fixture
def sent_referral(active_case, partner_org, caseworker):
    referral = ReferralFactory(case=active_case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=caseworker)
    return referral
