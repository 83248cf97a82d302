"""A leg under way is a check-in: a missed arrival escalates once, a confirmed one never."""

from datetime import timedelta

from django.utils import timezone

from evacuations import services
from evacuations.models import Leg
from reminders.models import Kind, Notification
from reminders.services import scan


def missed_arrivals():
    return Notification.objects.filter(kind=Kind.CHECKIN_MISSED)


def test_the_arrival_check_is_due_after_the_planned_end_and_the_grace(
    plan, add_leg, caseworker, settings
):
    settings.CORRIDOR_LEG_GRACE_HOURS = 6
    leg = services.leg_start(leg=add_leg(days=2), by=caseworker)
    local_due = timezone.localtime(leg.checkin.due_at)
    assert local_due.date() == leg.planned_end + timedelta(days=1)
    assert (local_due.hour, local_due.minute) == (6, 0)
    assert leg.checkin.case_id == plan.case_id


def test_a_missed_arrival_escalates_exactly_once(plan, add_leg, caseworker, coordinator):
    leg = services.leg_start(leg=add_leg(days=0), by=caseworker)
    scan(now=leg.checkin.due_at - timedelta(minutes=1))
    assert not missed_arrivals().exists()
    later = leg.checkin.due_at + timedelta(minutes=1)
    scan(now=later)
    scan(now=later + timedelta(hours=1))
    scan(now=later + timedelta(days=2))
    escalated = missed_arrivals()
    assert list(escalated.values_list("user", flat=True)) == [coordinator.pk]
    assert escalated.get().case_id == plan.case_id


def test_a_confirmed_arrival_never_escalates(plan, add_leg, caseworker, coordinator):
    leg = services.leg_start(leg=add_leg(days=0), by=caseworker)
    services.leg_arrived(leg=leg, by=caseworker)
    for days in (1, 5, 30):
        scan(now=timezone.now() + timedelta(days=days))
    assert not missed_arrivals().exists()
    assert Leg.objects.get(pk=leg.pk).checkin.escalated_at is None


def test_a_later_planned_end_moves_the_check_and_it_still_fires_once(
    plan, add_leg, caseworker, coordinator
):
    leg = services.leg_start(leg=add_leg(days=0), by=caseworker)
    first_due = leg.checkin.due_at
    data = {name: getattr(leg, name) for name in services.LEG_FIELDS}
    services.leg_update(
        leg=leg, data={**data, "planned_end": leg.planned_end + timedelta(days=3)}, by=caseworker
    )
    leg.checkin.refresh_from_db()
    assert leg.checkin.due_at == first_due + timedelta(days=3)
    scan(now=first_due + timedelta(hours=1))
    assert not missed_arrivals().exists()
    scan(now=leg.checkin.due_at + timedelta(hours=1))
    scan(now=leg.checkin.due_at + timedelta(hours=2))
    assert missed_arrivals().count() == 1


def test_confirming_after_the_escalation_closes_the_check(plan, add_leg, caseworker, coordinator):
    leg = services.leg_start(leg=add_leg(days=0), by=caseworker)
    scan(now=leg.checkin.due_at + timedelta(minutes=5))
    services.leg_arrived(leg=leg, by=caseworker)
    scan(now=leg.checkin.due_at + timedelta(days=1))
    leg.checkin.refresh_from_db()
    assert leg.checkin.heard_at is not None
    assert leg.checkin.escalated_at is not None  # it did fire, once
    # Heard from: the missed-arrival reminder's cause ended, so the scan removed it.
    assert not missed_arrivals().exists()
