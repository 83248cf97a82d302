"""Every role against every evacuation view: the case decides, and refusals change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evacuations import services
from evacuations.models import DocumentKind, Leg, LegKind, Plan, PlanDocument, RouteTemplate
from intake.status import Status
from tests.access import LOGIN as L
from tests.access import cells, check

# fmt: off
#                                      anon oper  cw   coord outsdr partnr audit admin
MATRIX = {
    ("plan_create", "GET", "case"):      [L, 403, 200, 200, 404, 404, 404, 404],
    ("plan_create", "POST", "case"):     [L, 403, 302, 302, 404, 404, 404, 404],
    ("plan_detail", "GET", "plan"):      [L, 200, 200, 200, 404, 404, 404, 404],
    ("leg_add", "POST", "plan"):         [L, 403, 302, 302, 404, 404, 404, 404],
    ("leg_edit", "GET", "leg"):          [L, 403, 200, 200, 404, 404, 404, 404],
    ("leg_edit", "POST", "leg"):         [L, 403, 302, 302, 404, 404, 404, 404],
    ("leg_act", "POST", "leg"):          [L, 403, 302, 302, 404, 404, 404, 404],
    ("documents_set", "POST", "plan"):   [L, 403, 302, 302, 404, 404, 404, 404],
    ("plan_complete", "POST", "arrived"): [L, 403, 302, 302, 404, 404, 404, 404],
    ("plan_cancel", "POST", "plan"):     [L, 403, 302, 302, 404, 404, 404, 404],
    ("route_save", "GET", "completed"):  [L, 403, 403, 200, 404, 404, 404, 404],
    ("route_save", "POST", "completed"): [L, 403, 403, 302, 404, 404, 404, 404],
    # Routes are the organisation's, every team's (the outsider's too), but no
    # shielded session's: an empty list, and no route to switch off.
    ("route_list", "GET", None):         [L, 200, 200, 200, 200, 404, 404, 404, 200, 200],
    ("route_toggle", "POST", "route"):   [L, 403, 403, 302, 302, 404, 404, 404, 404, 404],
}
# fmt: on
# The URL names this matrix gives a row (tests/test_every_view_has_a_row.py).
COVERS = {f"evacuations:{view}" for view, *_ in MATRIX}


def leg_post(kind="travel"):
    today = timezone.localdate()
    return {
        "kind": kind,
        "planned_start": today.isoformat(),
        "planned_end": (today + timedelta(days=2)).isoformat(),
        "details": "Bus at 6.",
    }


def arrived_plan(case, by):
    case.move_to(Status.IN_TRANSIT, by=by)
    plan = services.plan_open(
        case=case, data={"destination_country": "DE", "destination_city": ""}, by=by
    )
    data = {name: None for name in services.LEG_FIELDS} | {
        "kind": LegKind.ARRIVAL,
        "partner_kind": "",
        "details": "",
        "partner_details": "",
        "planned_end": timezone.localdate(),
    }
    leg = services.leg_add(plan=plan, data=data, by=by)
    services.leg_start(leg=leg, by=by)
    services.leg_arrived(leg=leg, by=by)
    return plan


def setup(target, case, personas):
    """Return (url args, post data) for a view's target object."""
    by = personas["caseworker"]
    case.move_to(Status.VERIFYING, by=by)
    case.move_to(Status.ACTIVE, by=by)
    if target is None:
        return [], {}
    if target == "case":
        return [case.reference], {"destination_country": "GE", "destination_city": "Batumi"}
    if target == "route":
        route = RouteTemplate.objects.create(
            name="A route", origin_region="chechnya", destination_country="GE"
        )
        return [route.reference], {}
    if target in ("arrived", "completed"):
        plan = arrived_plan(case, by)
        if target == "completed":
            services.plan_complete(plan=plan, by=by, relocate=True)
            return [plan.reference], {"name": "Via Georgia"}
        return [plan.reference], {"relocate": "on"}
    plan = services.plan_open(
        case=case, data={"destination_country": "GE", "destination_city": ""}, by=by
    )
    if target == "leg":
        leg = services.leg_add(
            plan=plan,
            data={name: None for name in services.LEG_FIELDS}
            | {"kind": "travel", "partner_kind": "", "details": "", "partner_details": ""}
            | {"planned_end": timezone.localdate()},
            by=by,
        )
        return [plan.reference, leg.key], leg_post("shelter")
    documents = dict.fromkeys(DocumentKind.values, "needed") | {"visa": "ready"}
    return [plan.reference], {**leg_post(), **documents, "note": "Called off."}


def snapshot():
    return (
        list(Plan.objects.order_by("pk").values_list("status", "not_relocated")),
        list(Leg.objects.order_by("pk").values_list("kind", "status", "position")),
        list(PlanDocument.objects.order_by("pk").values_list("status", flat=True)),
        list(RouteTemplate.objects.order_by("pk").values_list("name", "active")),
    )


@pytest.mark.parametrize(("view", "method", "target", "role", "outcome"), cells(MATRIX))
def test_evacuation_views(client, personas, case, view, method, target, role, outcome):
    args, data = setup(target, case, personas)
    if role != "anonymous":
        client.force_login(personas[role])
    if view == "leg_act":
        args = [*args, "start"]
    url = reverse(f"evacuations:{view}", args=args)
    before = snapshot()
    response = client.get(url) if method == "GET" else client.post(url, data)
    check(response, outcome, method=method, before=before, after=snapshot())
