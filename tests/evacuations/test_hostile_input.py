"""Hostile input on every evacuation form: a clear error or a clean save, never a 500."""

import pytest
from django.urls import reverse

from evacuations import services
from evacuations.models import DocumentKind, Leg, Plan, RouteTemplate
from evacuations.status import LegStatus
from tests.evacuations.test_access_matrix import arrived_plan, leg_post
from tests.hostile import HOSTILE, assert_safe

IDS = range(len(HOSTILE))
PLAN = {"destination_country": "GE", "destination_city": "Batumi", "template": "", "start_on": ""}
LEG = {**leg_post(), "partner_kind": "", "referral": "", "partner_details": ""}


def legs():
    return list(Leg.objects.order_by("pk").values_list("kind", "status", "position"))


@pytest.mark.parametrize("field", list(PLAN))
@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_plan_form(client, caseworker, active_case, field, value):
    client.force_login(caseworker)
    url = reverse("evacuations:plan_create", args=[active_case.reference])
    response = client.post(url, {**PLAN, field: value})
    assert_safe(response)
    if response.status_code != 302:
        assert not Plan.objects.exists()


@pytest.mark.parametrize("field", list(LEG))
@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_leg_form(client, caseworker, plan, field, value):
    client.force_login(caseworker)
    response = client.post(
        reverse("evacuations:leg_add", args=[plan.reference]), {**LEG, field: value}
    )
    assert_safe(response)
    if response.status_code != 302:
        assert not plan.legs.exists()


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_failing_a_leg(client, caseworker, plan, add_leg, value):
    leg = services.leg_start(leg=add_leg(), by=caseworker)
    client.force_login(caseworker)
    url = reverse("evacuations:leg_act", args=[plan.reference, leg.key, "fail"])
    prefix = leg.key
    response = client.post(url, {f"{prefix}-next_step": value, f"{prefix}-outcome": value})
    assert_safe(response)
    assert Leg.objects.get(pk=leg.pk).status == LegStatus.UNDER_WAY


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_documents_complete_and_cancel(client, caseworker, plan, add_leg, value):
    add_leg()
    client.force_login(caseworker)
    before = (legs(), list(plan.documents.values_list("status", flat=True)))
    documents = dict.fromkeys(DocumentKind.values, value)
    for name, data in [
        ("documents_set", documents),
        ("plan_complete", {"relocate": value, "not_relocated": value}),
    ]:
        response = client.post(reverse(f"evacuations:{name}", args=[plan.reference]), data)
        assert_safe(response)
    assert (legs(), list(plan.documents.values_list("status", flat=True))) == before
    assert Plan.objects.get(pk=plan.pk).status == "open"
    response = client.post(
        reverse("evacuations:plan_cancel", args=[plan.reference]), {"note": value}
    )
    assert_safe(response)


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_unknown_actions_and_keys_are_404(client, caseworker, plan, add_leg, value):
    leg = add_leg()
    client.force_login(caseworker)
    url = f"/evacuations/{plan.reference}/legs/{leg.key}/{value}/"
    response = client.post(url)
    assert response.status_code == 404
    assert legs() == [(leg.kind, LegStatus.PLANNED, 1)]


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_route_names(client, coordinator, active_case, value):
    done = arrived_plan(active_case, coordinator)
    services.plan_complete(plan=done, by=coordinator, relocate=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("evacuations:route_save", args=[done.reference]), {"name": value}
    )
    assert_safe(response)
    if response.status_code != 302:
        assert not RouteTemplate.objects.exists()
