"""Destination city, leg details, partner details and outcomes are encrypted at rest,
and never reach logs, SQL parameters or URLs."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from evacuations.models import Leg, Plan
from referrals.services import referral_move
from tests.evacuations.test_access_matrix import leg_post
from tests.factories import ReferralFactory
from tests.intake.test_no_plaintext import raw_database_text

CITY = "MRKEVCITY5K"
DETAILS = "MRKEVDETAILS5K meet by the mosque"
SHARED = "MRKEVSHARED5K room 7"
OUTCOME = "MRKEVOUTCOME5K held at the post"
NOTE = "MRKEVNOTE5K called off"
MARKERS = [CITY, DETAILS, SHARED, OUTCOME, NOTE]


def plan_through_the_pages(client, caseworker, case, partner_org):
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=caseworker)
    client.force_login(caseworker)
    locations = []
    response = client.post(
        reverse("evacuations:plan_create", args=[case.reference]),
        {"destination_country": "GE", "destination_city": CITY},
    )
    locations.append(response["Location"])
    plan = Plan.objects.get()
    leg = {**leg_post(), "details": DETAILS, "partner_details": SHARED, "referral": referral.pk}
    response = client.post(reverse("evacuations:leg_add", args=[plan.reference]), leg)
    locations.append(response["Location"])
    key = Leg.objects.get().key
    for action, data in [
        ("start", {}),
        ("fail", {f"{key}-next_step": "replan", f"{key}-outcome": OUTCOME}),
    ]:
        url = reverse("evacuations:leg_act", args=[plan.reference, key, action])
        locations.append(client.post(url, data)["Location"])
    response = client.post(
        reverse("evacuations:plan_cancel", args=[plan.reference]), {"note": NOTE}
    )
    locations.append(response["Location"])
    page = client.get(reverse("evacuations:plan_detail", args=[plan.reference]))
    return plan, locations, page


@pytest.mark.django_db(transaction=True)
def test_no_evacuation_marker_is_stored_in_the_clear(client, caseworker, active_case, partner_org):
    plan, _, page = plan_through_the_pages(client, caseworker, active_case, partner_org)
    for marker in MARKERS:  # saved for real, and read back on the page
        assert marker.encode() in page.content
    raw = raw_database_text()
    assert plan.reference in raw
    for marker in MARKERS:
        assert marker not in raw


@pytest.mark.django_db(transaction=True)
def test_no_evacuation_marker_reaches_logs_sql_or_urls(
    client, caseworker, active_case, partner_org, caplog
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True
    try:
        plan, locations, _ = plan_through_the_pages(client, caseworker, active_case, partner_org)
    finally:
        connection.force_debug_cursor = False
    text = "\n".join(r.getMessage() + str(r.__dict__.get("params", "")) for r in caplog.records)
    assert "INSERT INTO" in text
    assert locations == [reverse("evacuations:plan_detail", args=[plan.reference])] * 5
    for marker in MARKERS:
        assert marker not in text
