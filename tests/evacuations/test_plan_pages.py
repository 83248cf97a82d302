"""The plan through its pages, as a caseworker and a coordinator use it."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evacuations import services
from evacuations.models import Leg, LegKind, Plan, RouteTemplate
from evacuations.status import LegStatus, PlanStatus
from intake.models import CheckIn
from intake.status import Status
from tests.evacuations.test_access_matrix import leg_post


def plan_url(plan, name="plan_detail"):
    return reverse(f"evacuations:{name}", args=[plan.reference])


def act(client, plan, leg, action, data=None):
    return client.post(reverse("evacuations:leg_act", args=[plan.reference, leg.key, action]), data)


def test_a_caseworker_plans_runs_and_completes_an_evacuation(
    client, caseworker, coordinator, active_case
):
    client.force_login(caseworker)
    case_page = reverse("intake:case_detail", args=[active_case.reference])
    assert "Plan an evacuation" in client.get(case_page).content.decode()
    response = client.post(
        reverse("evacuations:plan_create", args=[active_case.reference]),
        {"destination_country": "GE", "destination_city": "Tbilisi"},
    )
    plan = Plan.objects.get()
    assert response["Location"] == plan_url(plan)
    for kind in ("travel", "border", "arrival"):
        assert client.post(plan_url(plan, "leg_add"), leg_post(kind)).status_code == 302
    travel, border, arrival = plan.legs.order_by("position")
    assert act(client, plan, border, "up").status_code == 302
    assert list(plan.legs.order_by("position").values_list("kind", flat=True)) == [
        "border",
        "travel",
        "arrival",
    ]
    active_case.move_to(Status.IN_TRANSIT, by=caseworker)
    for leg in (border, travel, arrival):
        act(client, plan, leg, "start")
        act(client, plan, leg, "arrived")
    assert set(plan.legs.values_list("status", flat=True)) == {LegStatus.DONE}
    assert client.post(plan_url(plan, "plan_complete"), {"relocate": "on"}).status_code == 302
    active_case.refresh_from_db()
    assert active_case.status == Status.RELOCATED
    page = client.get(case_page).content.decode()
    assert plan.reference in page
    assert "Plan an evacuation" in page  # another may follow; only an open one blocks it

    client.force_login(coordinator)
    response = client.post(plan_url(plan, "route_save"), {"name": "Via Upper Lars"})
    assert response.status_code == 302
    assert RouteTemplate.objects.get().legs.count() == 3


def test_a_failed_leg_asks_what_happens_next(client, caseworker, plan, add_leg):
    leg = services.leg_start(leg=add_leg(), by=caseworker)
    client.force_login(caseworker)
    response = act(client, plan, leg, "fail", {f"{leg.key}-outcome": "Stopped at the post"})
    assert response.status_code == 400
    assert "What happens next?" in response.content.decode()
    assert Leg.objects.get(pk=leg.pk).status == LegStatus.UNDER_WAY
    response = act(client, plan, leg, "fail", {f"{leg.key}-next_step": "retry"})
    assert response.status_code == 302
    assert list(plan.legs.values_list("status", flat=True)) == ["failed", "planned"]


def test_completing_without_arrival_says_why(client, caseworker, plan, add_leg):
    add_leg()
    client.force_login(caseworker)
    response = client.post(plan_url(plan, "plan_complete"), {"relocate": "on"})
    assert response.status_code == 400
    assert "still planned or under way" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.OPEN


def test_a_missed_arrival_shows_on_the_plan_and_the_case(client, caseworker, plan, add_leg):
    leg = services.leg_start(leg=add_leg(LegKind.BORDER, days=0), by=caseworker)
    # Two days later: the arrival check is past due.
    CheckIn.objects.filter(pk=leg.checkin_id).update(due_at=leg.checkin.due_at - timedelta(days=2))
    client.force_login(caseworker)
    assert "missed: escalated" in client.get(plan_url(plan)).content.decode()
    case_page = client.get(reverse("intake:case_detail", args=[plan.case.reference]))
    assert "arrival of the evacuation leg “Cross a border”" in case_page.content.decode()


def test_the_plan_page_costs_the_same_queries_for_one_leg_or_eight(
    client, caseworker, plan, add_leg, sent_referral
):
    client.force_login(caseworker)
    add_leg(referral=sent_referral)
    client.get(plan_url(plan))
    with CaptureQueriesContext(connection) as one:
        client.get(plan_url(plan))
    for kind in LegKind.values + ["travel"]:
        leg = add_leg(kind, referral=sent_referral)
    services.leg_start(leg=leg, by=caseworker)
    with CaptureQueriesContext(connection) as eight:
        client.get(plan_url(plan))
    assert len(eight) == len(one)


def test_the_plan_pages_read_nothing_they_do_not_show(
    client, caseworker, plan, add_leg, sent_referral
):
    # Texts the plan pages never show are not even decrypted: made unreadable
    # below the fields, they must not stop the pages.
    leg = add_leg(referral=sent_referral)
    unreadable = "gAAAAABkZm9yZ2VkLXRva2VuLXRoYXQtbm8ta2V5LW9wZW5z"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_case SET narrative = %s, location = %s", [unreadable] * 2)
        cursor.execute("UPDATE referrals_referral SET summary = %s", [unreadable])
        cursor.execute("UPDATE referrals_partner SET contact_details = %s", [unreadable])
    client.force_login(caseworker)
    assert client.get(plan_url(plan)).status_code == 200
    edit = reverse("evacuations:leg_edit", args=[plan.reference, leg.key])
    assert client.get(edit).status_code == 200


def test_reading_a_plan_or_a_leg_is_an_audited_read_of_its_case(client, caseworker, plan, add_leg):
    from audit.models import Action, AuditEvent

    leg = add_leg()
    client.force_login(caseworker)
    client.get(plan_url(plan))
    client.get(reverse("evacuations:leg_edit", args=[plan.reference, leg.key]))
    reads = AuditEvent.objects.filter(action=Action.VIEW, object_ref=plan.case.reference)
    assert [(e.object_type, e.actor, e.detail) for e in reads.order_by("pk")] == [
        ("case", caseworker, {"evacuation": plan.reference}),
        ("case", caseworker, {"evacuation": plan.reference, "leg": leg.key}),
    ]


def test_it_offers_completing_only_when_the_plan_can_complete(
    client, caseworker, plan, add_leg, active_case
):
    client.force_login(caseworker)
    complete = reverse("evacuations:plan_complete", args=[plan.reference])
    arrival = add_leg(LegKind.ARRIVAL)
    assert complete not in client.get(plan_url(plan)).content.decode()
    active_case.move_to(Status.IN_TRANSIT, by=caseworker)
    services.leg_start(leg=arrival, by=caseworker)
    assert complete not in client.get(plan_url(plan)).content.decode()
    services.leg_arrived(leg=arrival, by=caseworker)
    assert complete in client.get(plan_url(plan)).content.decode()
