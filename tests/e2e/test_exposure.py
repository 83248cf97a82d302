"""A seized phone warns the network, in a real browser, in Russian on a 360 px phone.

A caseworker links two cases, marks the first one's device compromised, finds the
warning at the top of the second case's page, records what was done, and the
warning is gone. Elements are found by id, name and data attributes, so the test
holds before and after the Russian catalogue is filled.
"""

import pytest

from accounts.models import Role
from network.models import CaseLink, Exposure
from tests.e2e.conftest import shot
from tests.e2e.test_nothing_typed_is_lost import accessible, no_sideways_scroll, sign_in
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = "exposure-ru-phone"  # under test-artifacts/e2e/


@pytest.fixture
def scene():
    team = TeamFactory(name="Hotline")
    user = UserFactory(username="worker-net", role=Role.CASEWORKER, teams=[team], language="ru")
    seized = CaseFactory(team=team, alias="Marker-Seized")
    friend = CaseFactory(team=team, alias="Marker-Friend")
    return user, seized, friend


def test_a_seized_phone_warns_the_linked_case_until_someone_records_what_was_done(
    browser, live_server, scene
):
    user, seized, friend = scene
    page = sign_in(browser, live_server, user, viewport="phone", language="ru")
    assert page.locator("html").get_attribute("lang") == "ru"

    # Link the two, typing the other reference without its dashes.
    page.goto(f"/cases/{seized.reference}/")
    page.locator("#linked-cases summary").first.click()
    page.fill("#id_link_reference", friend.reference.replace("-", "").lower())
    page.select_option("#id_link_kind", "friends")
    with page.expect_navigation():
        page.locator("form[data-link-form] button[type=submit]").click()
    assert page.locator("#linked-cases li[data-link]").count() == 1
    assert friend.reference in page.locator("#linked-cases").inner_text()
    accessible(page)
    assert CaseLink.objects.count() == 1
    shot(page, SHOTS, "1-linked")

    # Mark the device compromised: the page asks first.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("button[data-mark-compromised]").click()
    assert page.locator("form[data-contacts-form]").count() == 1
    accessible(page)
    shot(page, SHOTS, "2-marked")

    # The linked case: the warning at the top, above the case's facts.
    page.goto(f"/cases/{friend.reference}/")
    warning = page.locator("[data-exposure]")
    assert warning.count() == 1
    assert warning.get_attribute("data-cause") == "linked"
    assert seized.reference in warning.inner_text()
    assert warning.bounding_box()["y"] < page.locator("#facts").bounding_box()["y"]
    accessible(page)
    shot(page, SHOTS, "3-warned")

    # Record what was done: the warning is gone.
    warning.locator("select[name=how]").select_option("checked_in")
    with page.expect_navigation():
        warning.locator("button[data-handle-exposure]").click()
    assert page.locator("[data-exposure]").count() == 0
    no_sideways_scroll(page)
    accessible(page)
    shot(page, SHOTS, "4-handled")
    exposure = Exposure.objects.get()
    assert exposure.handled_by == user and exposure.handled_how == "checked_in"
    page.context.close()


def test_a_coordinator_merges_a_duplicate_after_seeing_both(browser, live_server, scene):
    _, duplicate, survivor = scene
    coordinator = UserFactory(
        username="coord-net", role=Role.COORDINATOR, teams=[duplicate.team], language="ru"
    )
    page = sign_in(browser, live_server, coordinator, viewport="phone", language="ru")
    page.goto(f"/cases/{duplicate.reference}/")
    page.locator("#linked-cases summary").last.click()
    page.fill("#id_merge_into", survivor.reference)
    # The confirmation is the answer to the form: the page is replaced, not left.
    page.locator("#id_merge_into").press("Enter")
    confirm = page.locator("[data-merge-confirm]")
    confirm.wait_for()
    assert (
        duplicate.reference in confirm.inner_text() and survivor.reference in confirm.inner_text()
    )
    assert "Marker-Seized" in confirm.inner_text() and "Marker-Friend" in confirm.inner_text()
    accessible(page)
    shot(page, SHOTS, "5-merge-confirm")
    with page.expect_navigation():
        page.locator("button[data-merge]").click()
    assert f"/cases/{survivor.reference}/" in page.url
    accessible(page)
    page.goto(f"/cases/{duplicate.reference}/")  # the old reference still leads there
    assert f"/cases/{survivor.reference}/" in page.url
    page.context.close()
