"""A case handed to another team, in a real browser, in Russian on a 360 px phone.

Team A's coordinator asks team B to take a case; team B's coordinator finds the
request on the dashboard, sees only what it takes to decide, and accepts; the
case opens for them with nobody assigned. Elements are found by id, name and
data attributes, so the test holds before and after the Russian catalogue is filled.
"""

import pytest

from accounts.models import Role
from intake.models import Case, Transfer
from reminders import services as reminders
from tests.e2e.conftest import shot
from tests.e2e.test_nothing_typed_is_lost import accessible, sign_in
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = "transfer-ru-phone"  # under test-artifacts/e2e/


@pytest.fixture
def scene():
    north = TeamFactory(name="Горячая линия Северного Кавказа")
    south = TeamFactory(name="Убежища Закавказья")
    asking = UserFactory(
        username="coord-north", role=Role.COORDINATOR, teams=[north], language="ru"
    )
    taking = UserFactory(
        username="coord-south", role=Role.COORDINATOR, teams=[south], language="ru"
    )
    worker = UserFactory(username="worker-north", role=Role.CASEWORKER, teams=[north])
    case = CaseFactory(
        team=north,
        assignee=worker,
        risk=4,
        alias="Marker-Transfer-Alias",
        narrative="Marker-Transfer-Story",
    )
    return asking, taking, south, case


def test_a_case_is_asked_of_another_team_and_accepted(browser, live_server, scene):
    asking, taking, south, case = scene
    page = sign_in(browser, live_server, asking, viewport="phone", language="ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.goto(f"/cases/{case.reference}/")
    page.select_option("#id_to_team", str(south.pk))
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("[data-transfer] form button[type=submit]").click()
    assert page.locator("[data-transfer-waiting]").count() == 1
    accessible(page)
    shot(page, SHOTS, "1-asked")
    page.context.close()

    reminders.scan()
    page = sign_in(browser, live_server, taking, viewport="phone", language="ru")
    page.goto("/dashboard/")
    waiting = page.locator("[data-waiting-transfers]")
    assert case.reference in waiting.inner_text()
    accessible(page)
    shot(page, SHOTS, "2-dashboard")
    with page.expect_navigation():
        waiting.locator("a").first.click()
    row = page.locator(f"[data-transfer='{Transfer.objects.get().pk}']")
    assert case.reference in row.inner_text()
    for marker in ("Marker-Transfer-Alias", "Marker-Transfer-Story"):
        assert marker not in page.content()
    accessible(page)
    shot(page, SHOTS, "3-requests")
    with page.expect_navigation():
        row.locator("button[data-accept]").click()
    assert f"/cases/{case.reference}/" in page.url
    assert "Marker-Transfer-Alias" in page.content()
    accessible(page)
    shot(page, SHOTS, "4-accepted")
    moved = Case.objects.get(pk=case.pk)
    assert (moved.team, moved.assignee) == (south, None)
    page.context.close()
