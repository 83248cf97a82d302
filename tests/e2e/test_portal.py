"""The person's way through the portal in a real browser with JavaScript off (Tor
Browser's "Safest"), in Russian on a 360 px phone: ask for help, keep the codename,
read a caseworker's reply, answer a check-in, get a duress codename, sign in with it
(the coordinators are alerted, the page is the same), and forget the request.

Elements are found by id, name and class, so the test holds before and after the
Russian catalogue is filled.
"""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from accounts.models import Role
from intake.models import Case, CheckIn
from reminders.models import Kind, Notification
from tests.e2e.conftest import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORTS,
    WCAG_AA,
    full_page_screenshot,
)
from tests.e2e.test_nothing_typed_is_lost import sign_in as staff_sign_in
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = ARTIFACTS / "portal-ru-phone-no-script"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
STORY = "Marker-Portal-Story: за мной следят у дома"
REPLY = "Marker-Portal-Reply: мы с вами, напишите, где вы"


@pytest.fixture
def team(settings):
    team = TeamFactory(name="Горячая линия")
    settings.PORTAL_TEAM = team.name
    settings.PORTAL_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
    caseworker = UserFactory(
        username="worker-portal", role=Role.CASEWORKER, teams=[team], language="ru"
    )
    coordinator = UserFactory(username="coord-portal", role=Role.COORDINATOR, teams=[team])
    return team, caseworker, coordinator


def person(browser, live_server):
    """A phone browser with no script at all, as Tor Browser at its safest level."""
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, **VIEWPORTS["phone"]
    )
    return context, context.new_page()


def snap(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    full_page_screenshot(page, SHOTS / f"{name}.png")


def accessible_without_script(browser, live_server, html: str) -> None:
    """axe needs a script: the same page, as served, checked in a context that runs one."""
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS["phone"])
    page = context.new_page()
    page.route("**/check.html", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto("/check.html")
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    context.close()
    assert not [(v["id"], [n["target"] for n in v["nodes"]]) for v in found]


def sign_in_with(page, codename: str) -> None:
    page.goto("/write/sign-in/")
    page.fill("#id_codename", codename)
    with page.expect_navigation():
        page.click("main form button.primary")


def test_the_whole_way_without_script(browser, live_server, team):
    _team, caseworker, coordinator = team
    context, page = person(browser, live_server)
    page.goto("/write/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert context.cookies() == []  # nothing set before they ask
    snap(page, "1-start")
    accessible_without_script(browser, live_server, page.content())

    # Ask, first forgetting where they are: refused, and nothing typed is lost.
    with page.expect_navigation():
        page.click("a.button.primary")
    page.fill("#id_alias", "Марат")
    page.fill("#id_narrative", STORY)
    page.check("input[name=danger][value='4']")
    page.check("input[name=needs][value='shelter']")
    with page.expect_navigation():
        page.click("main form button.primary")
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#id_narrative") == STORY
    assert page.is_checked("input[name=needs][value='shelter']")
    snap(page, "2-refused")
    accessible_without_script(browser, live_server, page.content())
    page.select_option("#id_region", "chechnya")
    with page.expect_navigation():
        page.click("main form button.primary")
    codename = page.inner_text(".codename strong")
    assert len(codename.split()) == 8  # Russian words
    snap(page, "3-codename")
    case = Case.objects.get()
    assert case.contact_channel == "portal" and case.risk == 4

    # A caseworker replies from the case page.
    staff = staff_sign_in(browser, live_server, caseworker, viewport="phone", language="ru")
    staff.goto(f"/cases/{case.reference}/")
    assert STORY in staff.content()
    staff.fill("[data-reply-form] textarea", REPLY)
    staff.click("[data-reply-form] button.primary")
    staff.locator(".timeline").get_by_text("Marker-Portal-Reply").wait_for()
    staff.context.close()

    # The person reads it; a check-in is set; they answer it.
    CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(hours=6))
    page.goto("/write/messages/")
    assert REPLY in page.content()
    snap(page, "4-reply")
    accessible_without_script(browser, live_server, page.content())
    with page.expect_navigation():
        page.click(".danger-box form button.primary")
    assert CheckIn.objects.get().heard_at is not None
    assert page.locator("[role=status]").count() == 1

    # A second codename, for danger.
    CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(hours=6))
    page.goto("/write/safety/")
    with page.expect_navigation():
        page.click("main form button.primary")
    duress = page.inner_text(".codename strong")
    assert duress != codename
    snap(page, "5-second-codename")
    page.goto("/write/messages/")
    with page.expect_navigation():
        page.click("form[action*='sign-out'] button")
    context.close()

    # The same page, signed in each way.
    pages = {}
    for name, words in (("real", codename), ("duress", duress)):
        context, page = person(browser, live_server)
        sign_in_with(page, words)
        page.goto("/write/messages/")
        pages[name] = CSRF.sub("", page.content())
        snap(page, f"6-inbox-{name}")
        if name == "real":
            with page.expect_navigation():
                page.click("form[action*='sign-out'] button")
            context.close()
    assert pages["real"] == pages["duress"]
    assert Notification.objects.filter(user=coordinator, kind=Kind.DURESS).exists()
    assert CheckIn.objects.filter(heard_at__isnull=True).get().is_missed

    # "Forget me" under duress keeps the request; with the real codename it goes.
    page.goto("/write/delete/")
    page.check("#id_sure")
    with page.expect_navigation():
        page.click("main form button.danger")
    assert Case.objects.exists()
    context.close()
    context, page = person(browser, live_server)
    sign_in_with(page, codename)
    page.goto("/write/delete/")
    snap(page, "7-forget")
    page.check("#id_sure")
    with page.expect_navigation():
        page.click("main form button.danger")
    assert "/write/deleted/" in page.url
    snap(page, "8-forgotten")
    assert not Case.objects.exists()
    assert [c for c in context.cookies() if c["name"] == "portal"] == []
    context.close()


PROFILE_MARKERS = {
    "alias": "QxPortalAliasZq7",
    "narrative": "QxPortalStoryZq7",
    "handle": "@QxPortalHandleZq7",
    "safe_contact": "QxPortalSafeZq7",
    "message": "QxPortalMessageZq7",
}


def test_a_browser_profile_keeps_nothing_typed_nor_the_codename(
    browser, live_server, team, tmp_path
):
    """Chromium, script off, on a profile on disk: a refused request, a sent one, a
    message and a sign-in with the codename leave none of it in the profile."""
    from tests.e2e.test_nothing_kept_by_the_browser import files_holding_markers

    profile = tmp_path / "profile"
    context = browser.browser_type.launch_persistent_context(
        user_data_dir=profile,
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/write/ask/")
        page.fill("#id_alias", PROFILE_MARKERS["alias"])
        page.fill("#id_narrative", PROFILE_MARKERS["narrative"])
        page.check("input[name=danger][value='3']")
        page.check("input[name=reach][value='signal']")
        page.fill("#id_handle", PROFILE_MARKERS["handle"])
        page.fill("#id_safe_contact", PROFILE_MARKERS["safe_contact"])
        with page.expect_navigation():
            page.click("main form button.primary")  # refused: no region
        assert page.input_value("#id_alias") == PROFILE_MARKERS["alias"]
        page.select_option("#id_region", "dagestan")
        with page.expect_navigation():
            page.click("main form button.primary")
        codename = page.inner_text(".codename strong")
        page.goto("/write/messages/")
        page.fill("#id_body", PROFILE_MARKERS["message"])
        with page.expect_navigation():
            page.click("section form button.primary")
        with page.expect_navigation():
            page.click("form[action*='sign-out'] button")
        sign_in_with(page, codename)
        assert PROFILE_MARKERS["message"] in page.content()  # signed in, the message there
    finally:
        context.close()
    words = codename.split()
    markers = {**PROFILE_MARKERS, "codename": codename, "codename_words": " ".join(words[:3])}
    assert not files_holding_markers(profile, markers)
