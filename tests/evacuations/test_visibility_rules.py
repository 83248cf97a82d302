"""What the evacuation selectors hand a partner and the route pages, and how they read it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from evacuations.models import Leg, LegKind, LegStatus, RouteTemplate, RouteTemplateLeg
from evacuations.selectors import get_plan_for, legs_for_partner, routes_for

SHARED = "MRKSHARED3V meet at the bus station"


def partner_legs(plan, sent_referral, add_leg):
    first = add_leg(LegKind.SHELTER, referral=sent_referral, partner_details=SHARED)
    second = add_leg(LegKind.TRAVEL, referral=sent_referral, partner_details=SHARED)
    return first, second


def test_a_cancelled_leg_is_no_business_of_the_partner(plan, sent_referral, add_leg):
    kept, cancelled = partner_legs(plan, sent_referral, add_leg)
    Leg.objects.filter(pk=cancelled.pk).update(status=LegStatus.CANCELLED)
    legs = legs_for_partner(sent_referral, channels_burned=False)
    assert [leg.pk for leg in legs] == [kept.pk]


def test_the_partner_legs_and_their_shared_details_are_read_in_one_query(
    plan, sent_referral, add_leg, django_assert_num_queries
):
    partner_legs(plan, sent_referral, add_leg)
    with django_assert_num_queries(1):
        legs = legs_for_partner(sent_referral, channels_burned=False)
        shown = [
            (leg.key, leg.kind, leg.status, leg.planned_start, leg.planned_end, leg.position)
            for leg in legs
        ]
        details = [leg.partner_details for leg in legs]
    assert len(shown) == 2 and details == [SHARED, SHARED]


def test_burned_channels_blank_the_shared_details_without_reading_them(
    plan, sent_referral, add_leg
):
    partner_legs(plan, sent_referral, add_leg)
    with CaptureQueriesContext(connection) as queries:
        legs = legs_for_partner(sent_referral, channels_burned=True)
    assert [leg.partner_details for leg in legs] == ["", ""]
    assert not any("partner_details" in query["sql"] for query in queries.captured_queries)


def test_the_route_list_reads_every_route_with_its_legs_in_two_queries(
    db, caseworker, django_assert_num_queries
):
    for n in range(3):
        route = RouteTemplate.objects.create(
            name=f"Route {n}", origin_region="chechnya", destination_country="GE"
        )
        RouteTemplateLeg.objects.create(template=route, position=1, kind="travel", typical_days=2)
    with django_assert_num_queries(2):
        legs = [list(route.legs.all()) for route in routes_for(caseworker)]
    assert [len(route_legs) for route_legs in legs] == [1, 1, 1]


def test_a_plan_comes_with_its_case_team_and_route_in_one_read(
    plan, caseworker, django_assert_num_queries
):
    plan.template = RouteTemplate.objects.create(
        name="Route", origin_region="chechnya", destination_country="GE"
    )
    plan.save()
    with django_assert_num_queries(2):  # the user's teams, then the plan with its joins
        found = get_plan_for(caseworker, plan.reference)
        assert (found.case.reference, found.case.team.name, found.template.name) == (
            plan.case.reference,
            "Team A",
            "Route",
        )
