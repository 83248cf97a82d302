"""A completed plan becomes a route that keeps structure and durations, never case data."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from evacuations import services
from evacuations.models import LegKind, Plan, RouteTemplate, RouteTemplateLeg
from evacuations.status import PlanError
from intake.status import Status

ALIAS = "MRKROUTEALIAS4W"
HANDLE = "@mrkroutehandle4w"
LOCATION = "MRKROUTELOC4W"
CITY = "MRKROUTECITY4W"
DETAILS = "MRKROUTEDETAILS4W meet at the bus station"
PARTNER_DETAILS = "MRKROUTESHARED4W room 2"
OUTCOME = "MRKROUTEOUTCOME4W"
MARKERS = [ALIAS, HANDLE, LOCATION, CITY, DETAILS, PARTNER_DETAILS, OUTCOME]


def walk(leg, caseworker, days):
    """Run a leg: started `days` days ago and confirmed now."""
    services.leg_start(leg=leg, by=caseworker)
    leg.started_at = timezone.now() - timedelta(days=days)
    leg.save(update_fields=["started_at"])
    services.leg_arrived(leg=leg, by=caseworker)


@pytest.fixture
def completed_plan(active_case, caseworker, sent_referral):
    case = active_case
    case.alias, case.contact_handle, case.location = ALIAS, HANDLE, LOCATION
    case.save()
    case.move_to(Status.IN_TRANSIT, by=caseworker)
    plan = services.plan_open(
        case=case,
        data={"destination_country": "GE", "destination_city": CITY},
        by=caseworker,
    )
    add = lambda kind, **extra: services.leg_add(  # noqa: E731
        plan=plan,
        data={
            "kind": kind,
            "partner_kind": "",
            "referral": None,
            "planned_start": timezone.localdate(),
            "planned_end": timezone.localdate() + timedelta(days=3),
            "details": DETAILS,
            "partner_details": "",
            **extra,
        },
        by=caseworker,
    )
    leave = add(LegKind.LEAVE_REGION)
    shelter = add(LegKind.SHELTER, referral=sent_referral, partner_details=PARTNER_DETAILS)
    border = add(LegKind.BORDER)
    arrival = add(LegKind.ARRIVAL, partner_kind="relocation")
    walk(leave, caseworker, 1)
    walk(shelter, caseworker, 6)
    services.leg_start(leg=border, by=caseworker)
    services.leg_fail(leg=border, next_step="retry", outcome=OUTCOME, by=caseworker)
    walk(plan.legs.get(kind="border", status="planned"), caseworker, 2)
    walk(arrival, caseworker, 0)
    services.plan_complete(plan=plan, by=caseworker, relocate=True)
    return Plan.objects.get(pk=plan.pk)


def stored_text(*tables) -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            chunks += [repr(row) for row in cursor.fetchall()]
    return "\n".join(chunks)


def test_a_route_keeps_the_done_legs_kinds_partner_roles_and_days(completed_plan, coordinator):
    route = services.route_template_save(
        plan=completed_plan, name="Chechnya to Georgia", by=coordinator
    )
    legs = list(route.legs.values_list("kind", "partner_kind", "typical_days"))
    assert legs == [
        ("leave_region", "", 1),
        ("shelter", "shelter", 6),
        ("border", "", 2),
        ("arrival", "relocation", 0),
    ]
    assert (route.origin_region, route.destination_country) == ("chechnya", "GE")


def test_a_route_holds_no_case_data(completed_plan, coordinator):
    route = services.route_template_save(
        plan=completed_plan, name="Chechnya to Georgia", by=coordinator
    )
    text = stored_text(RouteTemplate._meta.db_table, RouteTemplateLeg._meta.db_table)
    assert route.reference in text  # the check reads the right rows
    case = completed_plan.case
    forbidden = [*MARKERS, "mrkroutehandle4w", case.reference, completed_plan.reference]
    forbidden += ["Safe House A", completed_plan.legs.first().key]
    for value in forbidden:
        assert value not in text
    for moment in (completed_plan.created_at, completed_plan.arrived_at):
        assert moment.date().isoformat() not in text
    fields = {f.name for f in RouteTemplate._meta.get_fields()} | {
        f.name for f in RouteTemplateLeg._meta.get_fields()
    }
    assert not fields & {"case", "plan", "source", "created_at", "partner", "details"}


@pytest.mark.parametrize("name", [ALIAS, f"Route of {ALIAS.lower()}", HANDLE, LOCATION])
def test_a_route_name_that_repeats_the_case_is_refused(completed_plan, coordinator, name):
    with pytest.raises(PlanError):
        services.route_template_save(plan=completed_plan, name=name, by=coordinator)
    assert not RouteTemplate.objects.exists()


def test_only_a_completed_plan_becomes_a_route(plan, coordinator):
    with pytest.raises(PlanError):
        services.route_template_save(plan=plan, name="Too early", by=coordinator)
    assert not RouteTemplate.objects.exists()


def test_a_new_plan_starts_from_a_route_with_dated_legs(completed_plan, coordinator, caseworker):
    route = services.route_template_save(
        plan=completed_plan, name="Chechnya to Georgia", by=coordinator
    )
    from tests.factories import CaseFactory

    case = CaseFactory(team=completed_plan.case.team)
    plan = services.plan_open(
        case=case,
        data={"destination_country": "GE", "destination_city": ""},
        template=route,
        start_on=date(2027, 3, 1),
        by=caseworker,
    )
    legs = list(plan.legs.values_list("kind", "partner_kind", "planned_start", "planned_end"))
    assert legs == [
        ("leave_region", "", date(2027, 3, 1), date(2027, 3, 2)),
        ("shelter", "shelter", date(2027, 3, 2), date(2027, 3, 8)),
        ("border", "", date(2027, 3, 8), date(2027, 3, 10)),
        ("arrival", "relocation", date(2027, 3, 10), date(2027, 3, 10)),
    ]
    assert plan.template == route
    assert set(plan.legs.values_list("details", flat=True)) == {""}
