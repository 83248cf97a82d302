"""The leg state machine, reordering and cancelling, and what completing a plan does."""

import pytest

from evacuations import services
from evacuations.models import Leg, LegKind, NotRelocated, Plan
from evacuations.status import LEG_TRANSITIONS, LegStatus, NextStep, PlanError, PlanStatus
from intake.models import CheckIn
from intake.status import Status

L = LegStatus


def order(plan):
    return list(plan.legs.order_by("position").values_list("kind", flat=True))


def test_a_leg_goes_planned_under_way_done(plan, add_leg, caseworker):
    leg = add_leg()
    services.leg_start(leg=leg, by=caseworker)
    services.leg_arrived(leg=leg, by=caseworker)
    leg.refresh_from_db()
    assert leg.status == L.DONE
    assert leg.started_at <= leg.ended_at


# The machines of README.md "Evacuations", written out edge by edge. Legs: planned
# → under way → done / failed / cancelled; any leg still to happen can be cancelled.
LEG_DESIGN = {
    ("planned", "under_way"),
    ("planned", "cancelled"),
    ("under_way", "done"),
    ("under_way", "failed"),
    ("under_way", "cancelled"),
}
# A plan is open until it is completed (arrived) or cancelled; neither reopens.
PLAN_DESIGN = {("open", "completed"), ("open", "cancelled")}


def test_the_leg_machine_is_the_one_in_the_design():
    edges = {(a, b) for a, targets in LEG_TRANSITIONS.items() for b in targets}
    assert edges == LEG_DESIGN
    assert set(LEG_TRANSITIONS) == set(L.values)


def test_the_plan_states_are_the_ones_in_the_design():
    assert set(PlanStatus.values) == {"open", "completed", "cancelled"}


# Each move a caseworker can ask for, through the service that makes it. Nothing
# moves a leg back to planned (a retry is a new leg): there the machine answers.
LEG_MOVES = {
    "under_way": lambda leg, by: services.leg_start(leg=leg, by=by),
    "done": lambda leg, by: services.leg_arrived(leg=leg, by=by),
    "failed": lambda leg, by: services.leg_fail(leg=leg, next_step=NextStep.REPLAN, by=by),
    "cancelled": lambda leg, by: services.leg_cancel(leg=leg, by=by),
    "planned": lambda leg, by: services._move(leg, L.PLANNED),
}


@pytest.mark.parametrize(("start", "target"), sorted(LEG_DESIGN))
def test_every_move_of_the_design_is_made(plan, add_leg, caseworker, start, target):
    leg = add_leg()
    if start == L.UNDER_WAY:
        services.leg_start(leg=leg, by=caseworker)
    LEG_MOVES[target](leg, caseworker)
    assert Leg.objects.get(pk=leg.pk).status == target


@pytest.mark.parametrize(
    ("start", "target"),
    [(s, t) for s in L.values for t in L.values if (s, t) not in LEG_DESIGN],
)
def test_it_refuses_every_move_the_design_does_not_allow(plan, add_leg, caseworker, start, target):
    leg = add_leg()
    Leg.objects.filter(pk=leg.pk).update(status=start)
    leg.refresh_from_db()
    with pytest.raises(PlanError):
        LEG_MOVES[target](leg, caseworker)
    assert Leg.objects.get(pk=leg.pk).status == start
    assert plan.legs.count() == 1


PLAN_MOVES = {
    "completed": lambda plan, by: services.plan_complete(
        plan=plan, by=by, relocate=False, not_relocated=NotRelocated.TEMPORARY
    ),
    "cancelled": lambda plan, by: services.plan_cancel(plan=plan, by=by),
}


@pytest.mark.parametrize(
    ("start", "target"),
    [(s, t) for s in PlanStatus.values for t in PLAN_MOVES if (s, t) not in PLAN_DESIGN],
)
def test_it_refuses_every_plan_move_the_design_does_not_allow(
    plan, add_leg, caseworker, start, target
):
    arrive(plan, add_leg, caseworker)  # so that only the plan's state stands in the way
    Plan.objects.filter(pk=plan.pk).update(status=start)
    with pytest.raises(PlanError):
        PLAN_MOVES[target](plan, caseworker)
    assert Plan.objects.get(pk=plan.pk).status == start


@pytest.mark.parametrize("target", sorted(t for _, t in PLAN_DESIGN))
def test_every_plan_move_of_the_design_is_made(plan, add_leg, caseworker, target):
    arrive(plan, add_leg, caseworker)
    PLAN_MOVES[target](plan, caseworker)
    assert Plan.objects.get(pk=plan.pk).status == target


def test_it_refuses_arrival_of_a_leg_that_never_started(plan, add_leg, caseworker):
    leg = add_leg()
    with pytest.raises(PlanError):
        services.leg_arrived(leg=leg, by=caseworker)
    assert Leg.objects.get(pk=leg.pk).status == L.PLANNED


def test_it_refuses_to_start_a_leg_without_a_planned_end(plan, add_leg, caseworker):
    leg = add_leg(planned_end=None)
    with pytest.raises(PlanError):
        services.leg_start(leg=leg, by=caseworker)
    assert Leg.objects.get(pk=leg.pk).status == L.PLANNED
    assert not CheckIn.objects.exists()


def test_planned_legs_change_places_and_done_ones_stay(plan, add_leg, caseworker):
    first = add_leg(LegKind.LEAVE_REGION)
    add_leg(LegKind.SHELTER)
    third = add_leg(LegKind.TRAVEL)
    services.leg_reorder(leg=third, up=True, by=caseworker)
    assert order(plan) == ["leave_region", "travel", "shelter"]
    services.leg_start(leg=first, by=caseworker)
    second = plan.legs.get(kind="travel")
    with pytest.raises(PlanError):
        services.leg_reorder(leg=second, up=True, by=caseworker)
    with pytest.raises(PlanError):
        services.leg_reorder(leg=plan.legs.get(kind="shelter"), up=False, by=caseworker)
    assert order(plan) == ["leave_region", "travel", "shelter"]


def test_cancelling_a_leg_under_way_closes_its_arrival_check(plan, add_leg, caseworker):
    leg = add_leg()
    services.leg_start(leg=leg, by=caseworker)
    services.leg_cancel(leg=leg, by=caseworker)
    leg.refresh_from_db()
    assert leg.status == L.CANCELLED
    assert leg.checkin.heard_at is not None


def test_a_closed_plan_takes_no_new_legs(plan, add_leg, caseworker):
    services.plan_cancel(plan=plan, by=caseworker)
    with pytest.raises(PlanError):
        add_leg()
    assert not plan.legs.exists()


def test_a_failed_leg_retried_comes_again_right_after_it(plan, add_leg, caseworker):
    border = add_leg(LegKind.BORDER, details="Crossing at Upper Lars")
    add_leg(LegKind.ARRIVAL)
    services.leg_start(leg=border, by=caseworker)
    retry = services.leg_fail(
        leg=border, next_step=NextStep.RETRY, outcome="Turned back", by=caseworker
    )
    assert order(plan) == ["border", "border", "arrival"]
    assert (retry.status, retry.details) == (L.PLANNED, "Crossing at Upper Lars")
    border.refresh_from_db()
    assert (border.status, border.outcome) == (L.FAILED, "Turned back")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.OPEN


def test_a_failed_leg_can_stop_the_whole_plan(plan, add_leg, caseworker):
    travel = add_leg()
    arrival = add_leg(LegKind.ARRIVAL)
    services.leg_start(leg=travel, by=caseworker)
    services.leg_fail(leg=travel, next_step=NextStep.STOP, by=caseworker)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED
    assert Leg.objects.get(pk=arrival.pk).status == L.CANCELLED


def test_a_failed_leg_needs_to_know_what_happens_next(plan, add_leg, caseworker):
    leg = add_leg()
    services.leg_start(leg=leg, by=caseworker)
    with pytest.raises(PlanError):
        services.leg_fail(leg=leg, next_step="", by=caseworker)
    assert Leg.objects.get(pk=leg.pk).status == L.UNDER_WAY


def arrive(plan, add_leg, caseworker):
    leg = add_leg(LegKind.ARRIVAL)
    services.leg_start(leg=leg, by=caseworker)
    services.leg_arrived(leg=leg, by=caseworker)
    return leg


def test_completing_a_plan_moves_the_case_to_relocated(plan, add_leg, caseworker):
    plan.case.move_to(Status.IN_TRANSIT, by=caseworker)
    arrive(plan, add_leg, caseworker)
    services.plan_complete(plan=plan, by=caseworker, relocate=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert plan.arrived_at is not None
    plan.case.refresh_from_db()
    assert plan.case.status == Status.RELOCATED
    assert plan.case.status_changes.last().to_status == Status.RELOCATED


def test_completing_without_relocating_asks_why_not(plan, add_leg, caseworker):
    plan.case.move_to(Status.IN_TRANSIT, by=caseworker)
    arrive(plan, add_leg, caseworker)
    with pytest.raises(PlanError):
        services.plan_complete(plan=plan, by=caseworker, relocate=False)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.OPEN
    services.plan_complete(
        plan=plan, by=caseworker, relocate=False, not_relocated=NotRelocated.TEMPORARY
    )
    plan.refresh_from_db()
    plan.case.refresh_from_db()
    assert (plan.status, plan.not_relocated) == (PlanStatus.COMPLETED, "temporary")
    assert plan.case.status == Status.IN_TRANSIT


def test_a_case_that_cannot_move_to_relocated_needs_a_reason(plan, add_leg, caseworker):
    # Active cannot move straight to relocated: the plan asks why not.
    arrive(plan, add_leg, caseworker)
    with pytest.raises(PlanError):
        services.plan_complete(plan=plan, by=caseworker, relocate=True)
    services.plan_complete(
        plan=plan, by=caseworker, relocate=True, not_relocated=NotRelocated.INSIDE_COUNTRY
    )
    plan.case.refresh_from_db()
    assert plan.case.status == Status.ACTIVE


def test_a_plan_completes_only_on_arrival(plan, add_leg, caseworker):
    plan.case.move_to(Status.IN_TRANSIT, by=caseworker)
    travel = add_leg()
    services.leg_start(leg=travel, by=caseworker)
    with pytest.raises(PlanError):  # a leg still under way
        services.plan_complete(plan=plan, by=caseworker, relocate=True)
    services.leg_arrived(leg=travel, by=caseworker)
    with pytest.raises(PlanError):  # no arrival leg done
        services.plan_complete(plan=plan, by=caseworker, relocate=True)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.OPEN


def test_one_open_plan_per_case(plan, caseworker):
    with pytest.raises(PlanError):
        services.plan_open(
            case=plan.case,
            data={"destination_country": "DE", "destination_city": ""},
            by=caseworker,
        )
    services.plan_cancel(plan=plan, by=caseworker)
    services.plan_open(
        case=plan.case, data={"destination_country": "DE", "destination_city": ""}, by=caseworker
    )
    assert Plan.objects.open().count() == 1


def test_documents_keep_a_status_only(plan, caseworker):
    services.documents_set(
        plan=plan, statuses={"visa": "applied", "tickets": "nonsense"}, by=caseworker
    )
    statuses = dict(plan.documents.values_list("kind", "status"))
    assert statuses["visa"] == "applied"
    assert statuses["tickets"] == "needed"
    assert len(statuses) == 5
