"""Rules that keep a plan from hurting someone: suspicion, burned channels, deadlines, dates."""

from datetime import timedelta

import pytest
from django.urls import reverse

from evacuations import services
from evacuations.models import LegKind, Plan
from evacuations.status import LegStatus, PlanError
from intake import services as intake
from intake.status import ClosureReason, Status, TransitionError
from reminders.models import Kind, Notification
from reminders.services import scan
from tests.evacuations.conftest import leg_data
from tests.evacuations.test_access_matrix import leg_post

SHARED = "MRKMEET8R gate 7"


def missed():
    return Notification.objects.filter(kind=Kind.CHECKIN_MISSED)


def test_a_suspected_case_plans_and_shares_nothing(
    client, plan, caseworker, partner, sent_referral, add_leg
):
    leg = add_leg(LegKind.SHELTER, referral=sent_referral, partner_details=SHARED)
    intake.case_set_verification(case=plan.case, verification="suspected", by=caseworker)
    client.force_login(partner)
    page = client.get(reverse("referrals:partner_detail", args=[sent_referral.reference]))
    assert SHARED not in page.content.decode()
    with pytest.raises(PlanError):
        services.leg_add(
            plan=plan, data=leg_data(referral=sent_referral, partner_details="x"), by=caseworker
        )
    data = {name: getattr(leg, name) for name in services.LEG_FIELDS}
    with pytest.raises(PlanError):
        services.leg_update(leg=leg, data={**data, "partner_details": "new"}, by=caseworker)
    services.plan_cancel(plan=plan, by=caseworker)
    with pytest.raises(PlanError):
        services.plan_open(
            case=plan.case,
            data={"destination_country": "GE", "destination_city": ""},
            by=caseworker,
        )


def test_burned_channels_withhold_the_details_for_the_partner(
    client, plan, caseworker, partner, sent_referral, add_leg
):
    add_leg(LegKind.SHELTER, referral=sent_referral, partner_details=SHARED)
    intake.case_mark_compromised(case=plan.case, by=caseworker)
    client.force_login(partner)
    text = client.get(
        reverse("referrals:partner_detail", args=[sent_referral.reference])
    ).content.decode()
    assert "Stay at a shelter" in text
    assert SHARED not in text


def test_a_later_end_after_an_escalation_is_watched_again(plan, add_leg, caseworker, coordinator):
    leg = services.leg_start(leg=add_leg(days=0), by=caseworker)
    first_due = leg.checkin.due_at
    scan(now=first_due + timedelta(minutes=5))
    first_reminder = missed().get().pk
    data = {name: getattr(leg, name) for name in services.LEG_FIELDS}
    services.leg_update(
        leg=leg, data={**data, "planned_end": leg.planned_end + timedelta(days=2)}, by=caseworker
    )
    scan(now=first_due + timedelta(days=1))
    # The new end is not missed yet: the first deadline's reminder is removed.
    assert not missed().exists()
    leg.checkin.refresh_from_db()
    for hours in (1, 2, 30):
        scan(now=leg.checkin.due_at + timedelta(hours=hours))
    # The new deadline missed: told again, once however many scans.
    assert missed().count() == 1
    assert missed().get().pk != first_reminder


def test_the_case_page_sends_a_legs_check_to_the_plan(client, plan, add_leg, caseworker):
    leg = services.leg_start(leg=add_leg(), by=caseworker)
    client.force_login(caseworker)
    case_page = reverse("intake:case_detail", args=[plan.case.reference])
    text = client.get(case_page).content.decode()
    assert reverse("evacuations:plan_detail", args=[plan.reference]) in text
    response = client.post(
        reverse("intake:checkin_heard", args=[plan.case.reference]), {"checkin": leg.checkin_id}
    )
    assert response.status_code == 302
    leg.checkin.refresh_from_db()
    assert leg.checkin.heard_at is None


def test_another_partner_does_not_inherit_details_written_for_the_first(
    plan, add_leg, caseworker, sent_referral, other_partner_org
):
    from referrals.services import referral_move
    from tests.factories import ReferralFactory

    leg = add_leg(LegKind.SHELTER, referral=sent_referral, partner_details=SHARED)
    other = ReferralFactory(case=plan.case, partner=other_partner_org)
    referral_move(referral=other, to="sent", by=caseworker)
    data = {name: getattr(leg, name) for name in services.LEG_FIELDS}
    with pytest.raises(PlanError):
        services.leg_update(leg=leg, data={**data, "referral": other}, by=caseworker)
    services.leg_update(
        leg=leg, data={**data, "referral": other, "partner_details": "Flat 2"}, by=caseworker
    )
    leg.refresh_from_db()
    assert (leg.referral, leg.partner_details) == (other, "Flat 2")


@pytest.mark.parametrize("year", ["9999", "1900"])
def test_dates_far_out_are_a_clear_error(client, caseworker, plan, add_leg, year):
    leg = add_leg()
    client.force_login(caseworker)
    data = {**leg_post(), "planned_end": f"{year}-12-31"}
    edit = client.post(reverse("evacuations:leg_edit", args=[plan.reference, leg.key]), data)
    added = client.post(reverse("evacuations:leg_add", args=[plan.reference]), data)
    assert (edit.status_code, added.status_code) == (400, 400)
    assert "Give a date between" in added.content.decode()
    assert plan.legs.count() == 1


def test_a_plan_from_a_route_far_in_the_future_is_a_clear_error(client, caseworker, active_case):
    from evacuations.models import RouteTemplate, RouteTemplateLeg

    route = RouteTemplate.objects.create(
        name="R", origin_region="chechnya", destination_country="GE"
    )
    RouteTemplateLeg.objects.create(template=route, position=1, kind="travel", typical_days=30)
    client.force_login(caseworker)
    response = client.post(
        reverse("evacuations:plan_create", args=[active_case.reference]),
        {"destination_country": "GE", "template": route.pk, "start_on": "9999-12-30"},
    )
    assert response.status_code == 400
    assert not Plan.objects.exists()


def test_a_leg_keeps_its_closed_referral_when_edited(
    client, caseworker, plan, add_leg, sent_referral
):
    from referrals.services import referral_move

    leg = add_leg(LegKind.SHELTER, referral=sent_referral)
    referral_move(referral=sent_referral, to="withdrawn", by=caseworker)
    client.force_login(caseworker)
    data = {**leg_post("shelter"), "referral": sent_referral.pk, "details": "Later."}
    response = client.post(reverse("evacuations:leg_edit", args=[plan.reference, leg.key]), data)
    assert response.status_code == 302
    leg.refresh_from_db()
    assert leg.details == "Later."


def test_two_legs_started_keep_the_first_start(plan, add_leg, caseworker):
    first, second = add_leg(), add_leg()
    services.leg_start(leg=first, by=caseworker)
    started = Plan.objects.get(pk=plan.pk).started_at
    services.leg_start(leg=second, by=caseworker)
    assert Plan.objects.get(pk=plan.pk).started_at == started


def test_the_route_audit_event_does_not_name_the_plan(plan, add_leg, caseworker, coordinator):
    from audit.models import AuditEvent

    plan.case.move_to(Status.IN_TRANSIT, by=caseworker)
    leg = services.leg_start(leg=add_leg(LegKind.ARRIVAL), by=caseworker)
    services.leg_arrived(leg=leg, by=caseworker)
    services.plan_complete(plan=plan, by=caseworker, relocate=True)
    route = services.route_template_save(plan=plan, name="Somewhere", by=coordinator)
    event = AuditEvent.objects.get(object_type="route", object_ref=route.reference)
    assert plan.reference not in str(event.detail)
    assert plan.case.reference not in str(event.detail)


def test_a_case_with_an_open_plan_is_not_closed(plan, caseworker):
    with pytest.raises(TransitionError):
        intake.case_move(
            case=plan.case,
            to=Status.CLOSED,
            closure_reason=ClosureReason.LOST_CONTACT,
            by=caseworker,
        )
    plan.case.refresh_from_db()
    assert plan.case.status == Status.ACTIVE


def test_only_buttons_that_work_are_offered(client, caseworker, plan, add_leg):
    done, first, second = add_leg(), add_leg(), add_leg()
    services.leg_start(leg=done, by=caseworker)
    client.force_login(caseworker)
    text = client.get(reverse("evacuations:plan_detail", args=[plan.reference])).content.decode()
    assert f"/legs/{first.key}/up/" not in text  # after a leg under way: it stays put
    assert f"/legs/{first.key}/down/" in text
    assert f"/legs/{second.key}/up/" in text
    assert f"/legs/{second.key}/down/" not in text
    assert done.status == LegStatus.UNDER_WAY
