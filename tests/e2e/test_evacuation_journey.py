"""An evacuation in a real browser: planned, walked leg by leg, completed, kept as a route.

The caseworker plans and runs it, the partner sees only their leg, the
coordinator saves the route and reads its figures. Every page is
screenshotted to test-artifacts/e2e/ and checked against WCAG 2.1 AA.
"""

import pytest

from accounts.models import Role
from evacuations.models import Plan, RouteTemplate
from intake.status import Status
from referrals.services import referral_move
from tests.e2e.test_journey import Person, Shots
from tests.factories import CaseFactory, PartnerFactory, ReferralFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHARED = "Room 4 is ready; ring twice."
INTERNAL = "Driver is her cousin; blue car."


@pytest.fixture
def scene():
    from referrals.models import PartnerStaff

    team = TeamFactory(name="Hotline")
    people = {
        role: UserFactory(username=f"{role}-evac", role=role, teams=[team])
        for role in (Role.CASEWORKER, Role.COORDINATOR)
    }
    people[Role.PARTNER] = UserFactory(username="partner-evac", role=Role.PARTNER)
    shelter = PartnerFactory(name="Safe House", team=team, services=["shelter"])
    PartnerStaff.objects.create(user=people[Role.PARTNER], partner=shelter)
    case = CaseFactory(team=team, alias="Marker-Heron")
    for status in (Status.VERIFYING, Status.ACTIVE, Status.IN_TRANSIT):
        case.move_to(status, by=people[Role.CASEWORKER])
    referral = ReferralFactory(case=case, partner=shelter)
    referral_move(referral=referral, to="sent", by=people[Role.CASEWORKER])
    return people, case, referral


# One run, in Russian on a phone: the narrowest page and the longer words.
# The English labels are checked by tests/evacuations/test_plan_pages.py.
@pytest.mark.parametrize(("language", "viewport"), [("ru", "phone")])
def test_an_evacuation_is_planned_walked_and_kept_as_a_route(
    browser, live_server, scene, language, viewport
):
    people, case, referral = scene
    shots = Shots(f"evacuation-{language}-{viewport}")
    for user in people.values():
        user.language = language
        user.save(update_fields=["language"])

    def person(role):
        return Person(
            browser, live_server, people[role], viewport=viewport, language=language, shots=shots
        )

    caseworker = person(Role.CASEWORKER)
    caseworker.sign_in()
    page = caseworker.page
    page.goto(f"/cases/{case.reference}/")
    with page.expect_navigation():
        page.locator("a[href$='/evacuation/']").click()
    page.select_option("#id_destination_country", "GE")
    page.fill("#id_destination_city", "Tbilisi")
    caseworker.shot("evacuation-new")
    caseworker.submit("form.case-form")
    plan = Plan.objects.get()
    for kind, partner in (("shelter", True), ("arrival", False)):
        page.locator("form[action$='/legs/'] >> xpath=..").locator("summary").click()
        page.select_option("form[action$='/legs/'] select[name=kind]", kind)
        page.fill("form[action$='/legs/'] input[name=planned_start]", "2026-11-20")
        page.fill("form[action$='/legs/'] input[name=planned_end]", "2026-11-25")
        if partner:
            page.select_option("form[action$='/legs/'] select[name=referral]", index=1)
            page.fill("form[action$='/legs/'] textarea[name=details]", INTERNAL)
            page.fill("form[action$='/legs/'] textarea[name=partner_details]", SHARED)
            caseworker.shot("evacuation-add-leg")
        caseworker.submit("form[action$='/legs/']")
    legs = list(plan.legs.order_by("position"))
    caseworker.submit(f"form[action$='/{legs[0].key}/start/']")
    caseworker.shot("evacuation-leg-under-way")
    for leg, action in ((legs[0], "arrived"), (legs[1], "start"), (legs[1], "arrived")):
        caseworker.submit(f"form[action$='/{leg.key}/{action}/']")
    caseworker.submit("form[action$='/complete/']")
    caseworker.shot("evacuation-completed")
    caseworker.close()
    plan.refresh_from_db()
    case.refresh_from_db()
    assert (plan.status, case.status) == ("completed", "relocated")

    partner = person(Role.PARTNER)
    partner.sign_in()
    partner.page.goto(f"/partner/{referral.reference}/")
    content = partner.page.content()
    assert SHARED in content and INTERNAL not in content and "Tbilisi" not in content
    partner.shot("evacuation-partner-leg")
    partner.close()

    coordinator = person(Role.COORDINATOR)
    coordinator.sign_in()
    page = coordinator.page
    page.goto(f"/evacuations/{plan.reference}/route/")
    page.fill("#id_name", "North Caucasus – Tbilisi")
    coordinator.shot("evacuation-save-route")
    coordinator.submit("form.case-form")
    assert "North Caucasus – Tbilisi" in page.content()
    coordinator.shot("evacuation-routes")
    coordinator.close()
    assert RouteTemplate.objects.get().legs.count() == 2
