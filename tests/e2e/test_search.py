"""Search in a real browser, in Russian on a 360 px phone.

A caseworker presses "/", types a name in Cyrillic letters, and finds the
case recorded with its Latin spelling; the box still holds what was typed,
nothing scrolls sideways, the address holds no term, and the result opens.
It works with JavaScript off too, and a persistent profile keeps none of
what was typed: not in its history, its autofill, its session files.
"""

import shutil
from urllib.parse import unquote

import pytest

from accounts.models import Role
from audit.models import Action, AuditEvent
from intake.search import index_case
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, shot
from tests.e2e.test_nothing_kept_by_the_browser import Visitor, files_holding_markers
from tests.e2e.test_nothing_typed_is_lost import (
    accessible,
    no_sideways_scroll,
    sign_in,
    wait_for,
)
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "search-ru-phone"  # under test-artifacts/e2e/


@pytest.fixture
def desk():
    team = TeamFactory(name="Горячая линия")
    user = UserFactory(username="search-e2e", role=Role.CASEWORKER, teams=[team], language="ru")
    ruslan = CaseFactory(team=team, alias="Ruslan Magomedov", contact_handle="@rm_e2e")
    index_case(ruslan)
    for n in range(3):  # others on the list that the search must leave out
        index_case(CaseFactory(team=team, alias=f"Зарема {n}"))
    return user, ruslan


def test_a_cyrillic_name_finds_the_case_recorded_in_latin_letters(browser, live_server, desk):
    shutil.rmtree(SHOTS, ignore_errors=True)
    user, ruslan = desk
    page = sign_in(browser, live_server, user)
    assert page.locator("html").get_attribute("lang") == "ru"
    page.goto("/cases/")
    history = page.evaluate("history.length")
    # "/" from anywhere on the page puts the typing into the box.
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("Руслан")
    page.keyboard.press("Enter")
    page.locator("[data-search-count]").wait_for()
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 1
    assert ruslan.reference in rows.first.inner_text()
    assert page.locator("input[name=q]").input_value() == "Руслан"
    # The term is in no address, and the search added no entry to the history.
    assert "Руслан" not in unquote(page.url) and "q=" not in page.url
    assert page.evaluate("history.length") == history
    assert AuditEvent.objects.get(action=Action.SEARCH).detail == {"results": 1}
    no_sideways_scroll(page)
    accessible(page)
    shot(page, SHOTS, "01-found")
    with page.expect_navigation():
        page.locator(f"a[href$='/cases/{ruslan.reference}/']").click()
    assert page.url.endswith(f"/cases/{ruslan.reference}/")
    assert "Ruslan Magomedov" in page.content()
    page.context.close()


def test_a_refused_search_says_why_beside_the_box_and_keeps_it(browser, live_server, desk):
    user, _ = desk
    page = sign_in(browser, live_server, user)
    page.goto("/cases/")
    page.fill("input[name=q]", "🏳️‍🌈")
    page.locator("form#search button[data-search-submit]").click()
    page.locator(".error-summary").wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("form#search .error").count() == 1
    assert page.locator("input[name=q]").input_value() == "🏳️‍🌈"
    no_sideways_scroll(page)
    accessible(page)
    shot(page, SHOTS, "02-refused")
    page.context.close()


def test_the_search_works_with_javascript_off(browser, live_server, desk):
    user, ruslan = desk
    page = sign_in(browser, live_server, user, java_script_enabled=False)
    page.goto("/cases/")
    page.fill("input[name=q]", "Руслан Магомедов")
    with page.expect_navigation():
        page.locator("form#search button[data-search-submit]").click()
    assert page.url.endswith("/cases/search/")
    assert page.locator("table.cases tbody tr").count() == 1
    assert page.locator("input[name=q]").input_value() == "Руслан Магомедов"
    no_sideways_scroll(page)
    page.context.close()


def test_the_header_link_opens_the_list_at_the_box(browser, live_server, desk):
    user, _ = desk
    page = sign_in(browser, live_server, user)
    page.goto("/notifications/")
    page.locator("header details.menu > summary").click()  # the phone's folded menu
    with page.expect_navigation():
        page.locator("header a[data-search-link]").click()
    assert page.url.endswith("/cases/#search")
    assert wait_for(lambda: page.evaluate("document.activeElement.name") == "q", seconds=3)
    # On the list itself, the link puts the focus back in the box.
    page.locator("h1").click()
    page.locator("header details.menu > summary").click()
    page.locator("header a[data-search-link]").click()
    assert wait_for(lambda: page.evaluate("document.activeElement.name") == "q", seconds=3)
    page.context.close()


def test_a_browser_profile_keeps_nothing_of_a_search(browser, live_server, desk, tmp_path):
    user, ruslan = desk
    user.language = "en"  # the profile's visitor signs in in English
    user.save(update_fields=["language"])
    marker = "Qxsearchmarkerzq"
    profile = tmp_path / "profile"
    for javascript in (True, False):
        context = browser.browser_type.launch_persistent_context(
            user_data_dir=profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=live_server.url,
            locale="ru",
            java_script_enabled=javascript,
            **VIEWPORTS["phone"],
        )
        context.set_default_timeout(10_000)
        try:
            visitor = Visitor(context, live_server, user)
            visitor.sign_in()
            page = visitor.page
            page.goto("/cases/")
            page.fill("input[name=q]", marker)
            if javascript:
                page.locator("form#search button[data-search-submit]").click()
                page.locator("[data-search-count]").wait_for()
            else:
                with page.expect_navigation():
                    page.locator("form#search button[data-search-submit]").click()
            assert page.locator("input[name=q]").input_value() == marker
            # Then on to a case, as a caseworker would: the search page is left behind.
            page.goto(f"/cases/{ruslan.reference}/")
        finally:
            context.close()
    assert AuditEvent.objects.filter(action=Action.SEARCH).count() == 2
    # The profile did keep what Chromium keeps (the sign-in's username), so
    # finding no marker means it was not kept, not that nothing was saved.
    assert files_holding_markers(profile, {"username": user.username})
    assert files_holding_markers(profile, {"search": marker}) == {}
