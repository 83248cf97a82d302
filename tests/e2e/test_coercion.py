"""The duress password and travel mode in a real browser, in Russian on a 360 px phone.

A caseworker sets a duress password (a refused one first), is later forced to sign
in with it and sees an ordinary, empty workload; their coordinator is alerted and
restores the account, which ends the session the coercer holds. A caseworker puts
the account to sleep before a border, sees no case while asleep, and wakes it early
once a coordinator approves. Elements are found by id, name, action and role, never
by their wording, so the test holds however the Russian catalogue words them.
"""

import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.oath import TOTP

from accounts.models import Authenticator, Role, User
from accounts.reauth import SESSION_KEY
from reminders.models import Kind, Notification
from tests.e2e.conftest import ARTIFACTS, VIEWPORTS, shot
from tests.e2e.test_nothing_typed_is_lost import accessible, no_sideways_scroll
from tests.factories import PASSWORD, CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "coercion-ru-phone"  # under test-artifacts/e2e/
MARKER = "Marker-Coercion-Alias"
DURESS = "северный ветер над перевалом 1944"
MESSAGE = "main [role=status] .messages li"
FIELD_ERROR = ".field.invalid p.error[role=alert]"


@pytest.fixture
def desk():
    """Team A: a caseworker with a case whose alias is the marker, and its coordinator."""
    team = TeamFactory(name="Горячая линия")
    worker = UserFactory(
        username="worker-coercion", role=Role.CASEWORKER, teams=[team], language="ru"
    )
    boss = UserFactory(
        username="coord-coercion", role=Role.COORDINATOR, teams=[team], language="ru"
    )
    return worker, boss, CaseFactory(team=team, assignee=worker, alias=MARKER)


def browser_page(browser, live_server, viewport="phone", language="ru"):
    context = browser.new_context(base_url=live_server.url, locale=language, **VIEWPORTS[viewport])
    return context.new_page()


def sign_in(page, user, password=PASSWORD):
    """Sign in on this page: the password, then a code from an authenticator made for it
    (a code once used is refused, and this test signs the same account in more than once)."""
    device = Authenticator.objects.create(user=user, name="phone", confirmed=True)
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.fill("input[name=token]", f"{token:06d}")
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    assert "/dashboard/" in page.url, page.url
    assert page.locator("html").get_attribute("lang") == user.language


def sign_out(page):
    with page.expect_navigation():
        page.click("header.bar form.signout button[type=submit]")
    assert "/login/" in page.url


def password_checked_long_ago(page):
    """As if the sign-in was more than REAUTH_WINDOW ago: the next guarded action asks."""
    key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    store[SESSION_KEY] = 0
    store.save()


def confirm_password(page):
    assert "/confirm/" in page.url, page.url
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit].primary")


def submit_refused(page, action):
    """A scripted submit the server refuses: its answer replaces the page, no navigation."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(action)):
        page.click(f"main form[action$='{action}'] button[type=submit]")
    page.locator(f"main form[action$='{action}'] {FIELD_ERROR}").first.wait_for()


def submit_accepted(page, action):
    with page.expect_navigation():
        page.click(f"main form[action$='{action}'] button[type=submit]")


def shows_nothing_of_the_team(page, case):
    """The dashboard, the case list, a search and the case itself: no case, no marker."""
    for path in ("/dashboard/", "/cases/", "/reminders/"):
        page.goto(path)
        assert page.locator("main table.cases tbody a[href*='/cases/']").count() == 0, path
        assert MARKER not in page.content(), path
    page.goto(f"/cases/?q={MARKER}")  # the query is echoed in the box; no row answers it
    assert page.locator("main table.cases tbody a[href*='/cases/']").count() == 0
    assert MARKER not in page.locator("main table.cases").inner_text()
    assert page.goto(f"/cases/{case.reference}/").status == 404


def test_a_duress_sign_in_shows_nothing_alerts_the_coordinator_and_is_restored(
    browser, live_server, desk
):
    worker, boss, case = desk
    page = browser_page(browser, live_server)
    sign_in(page, worker)
    page.goto("/account/")
    duress = "main form[action$='/account/duress/']"
    assert page.locator(f"{duress} input[type=password]").count() == 2

    # A while after signing in: setting it asks for the password again first.
    password_checked_long_ago(page)
    page.fill(f"{duress} [name=password1]", DURESS)
    page.fill(f"{duress} [name=password2]", DURESS)
    with page.expect_navigation(url=re.compile(r"/confirm/")):
        page.click(f"{duress} button[type=submit]")
    shot(page, SHOTS, "1-confirm")
    confirm_password(page)
    assert page.url.endswith("/account/")

    # The real password as the duress one: refused beside the field, the box still ticked.
    page.fill(f"{duress} [name=password1]", PASSWORD)
    page.fill(f"{duress} [name=password2]", PASSWORD)
    page.check(f"{duress} [name=without_code]")
    submit_refused(page, "/account/duress/")
    refusal = page.locator(f"{duress} .field.invalid:has([name=password1]) p.error[role=alert]")
    assert refusal.count() == 1 and refusal.inner_text().strip()
    assert refusal.is_visible()
    assert page.is_checked(f"{duress} [name=without_code]")
    assert not User.objects.get(pk=worker.pk).duress_password
    accessible(page)
    refusal.scroll_into_view_if_needed()
    shot(page, SHOTS, "2-duress-refused")

    page.fill(f"{duress} [name=password1]", DURESS)
    page.fill(f"{duress} [name=password2]", DURESS)
    submit_accepted(page, "/account/duress/")
    assert page.locator(MESSAGE).count() == 1
    saved = User.objects.get(pk=worker.pk)
    assert saved.duress_password and saved.duress_without_code
    shot(page, SHOTS, "3-duress-set")
    sign_out(page)

    # Forced to sign in: the duress password and a valid code. An ordinary dashboard.
    sign_in(page, worker, password=DURESS)
    assert User.objects.get(pk=worker.pk).duress_at is not None
    assert page.locator("header.bar a.who").text_content().startswith(worker.username)
    assert page.locator("main h1").count() == 1
    assert page.locator("main .danger-box").count() == 0
    no_sideways_scroll(page)
    shot(page, SHOTS, "4-duress-dashboard")
    shows_nothing_of_the_team(page, case)
    page.goto("/cases/")
    shot(page, SHOTS, "5-duress-cases")
    page.goto("/account/")
    assert MARKER not in page.content()

    # The coordinator, on another phone: the alert names the caseworker.
    assert Notification.objects.filter(kind=Kind.STAFF_DURESS, user=boss, staff=worker).exists()
    other = browser_page(browser, live_server)
    sign_in(other, boss)
    # First on the dashboard, in red, with the way to the team page.
    assert other.locator("main section.card").first.get_attribute("data-dash-duress") == ""
    alert = other.locator("main section[data-dash-duress].danger-box li")
    assert alert.count() == 1 and worker.username in alert.inner_text()
    accessible(other)
    shot(other, SHOTS, "6-coordinator-alert")
    with other.expect_navigation():
        alert.locator("a[href$='/team/']").click()
    member = other.locator("main li.card", has_text=worker.username)
    assert "danger-box" in member.get_attribute("class")
    restore = member.locator("form[action$='/team/restore/'] button[type=submit]")
    assert restore.is_visible()
    accessible(other)  # the danger box's contrast too
    shot(other, SHOTS, "7-team-restore")
    other.once("dialog", lambda dialog: dialog.accept())
    with other.expect_navigation():
        restore.click()
    assert other.locator(MESSAGE).count() == 1
    assert other.locator("main form[action$='/team/restore/']").count() == 0
    assert User.objects.get(pk=worker.pk).duress_at is None
    other.context.close()

    # The session the coercer holds is over: its next page is the sign-in page.
    page.goto("/cases/")
    assert "/login/" in page.url, page.url
    page.context.close()


def test_travel_mode_sleeps_the_account_and_a_coordinator_approves_waking_it(
    browser, live_server, desk
):
    worker, boss, case = desk
    today = timezone.localdate()
    page = browser_page(browser, live_server)
    sign_in(page, worker)
    page.goto("/account/")
    travel = "main form[action$='/account/travel/']"
    assert page.get_attribute(f"{travel} [name=until]", "type") == "date"

    # A while after signing in: the password is asked for beside the day, which stays.
    password_checked_long_ago(page)
    week = (today + timedelta(days=7)).isoformat()
    page.fill(f"{travel} [name=until]", week)
    submit_refused(page, "/account/travel/")
    asked = page.locator(f"{travel} .field.invalid:has([name=password]) p.error[role=alert]")
    assert asked.count() == 1 and asked.is_visible()
    assert page.input_value(f"{travel} [name=until]") == week
    assert not User.objects.get(pk=worker.pk).asleep_until
    asked.scroll_into_view_if_needed()
    shot(page, SHOTS, "8-travel-password")

    # A day already past, with the password: refused beside the day alone, kept as typed,
    # in ISO; the password confirmed, so no longer asked for.
    past = (today - timedelta(days=3)).isoformat()
    page.fill(f"{travel} [name=until]", past)
    page.fill(f"{travel} [name=password]", PASSWORD)
    submit_refused(page, "/account/travel/")
    assert page.locator(f"{travel} [name=password]").count() == 0
    refusal = page.locator(f"{travel} {FIELD_ERROR}")
    assert refusal.count() == 1 and refusal.inner_text().strip() and refusal.is_visible()
    assert page.get_attribute(f"{travel} [name=until]", "value") == past
    assert page.input_value(f"{travel} [name=until]") == past
    assert not User.objects.get(pk=worker.pk).asleep_until
    no_sideways_scroll(page)  # axe checked this page, refused, in the duress test
    refusal.scroll_into_view_if_needed()
    shot(page, SHOTS, "9-travel-refused")

    until = today + timedelta(days=7)
    page.fill(f"{travel} [name=until]", until.isoformat())
    submit_accepted(page, "/account/travel/")
    told = page.locator(MESSAGE)
    assert told.count() == 1 and until.isoformat() in told.inner_text()
    assert User.objects.get(pk=worker.pk).asleep
    shot(page, SHOTS, "10-travel-set")
    sign_out(page)

    sign_in(page, worker)
    assert page.locator("header.bar a.who").text_content().startswith(worker.username)
    shows_nothing_of_the_team(page, case)
    assert Notification.objects.filter(kind=Kind.STAFF_DURESS).count() == 0  # nobody alerted

    # The coordinator sees who travels until when, and approves waking early.
    other = browser_page(browser, live_server)
    sign_in(other, boss)
    other.goto("/team/")
    member = other.locator("main li.card", has_text=worker.username)
    # The last day, as the caseworker chose it.
    assert User.objects.get(pk=worker.pk).asleep_through.isoformat() in member.inner_text()
    approve = member.locator("form[action$='/team/wake/'] button[type=submit]")
    no_sideways_scroll(other)
    shot(other, SHOTS, "11-team-travelling")
    with other.expect_navigation():
        approve.click()
    assert other.locator(MESSAGE).count() == 1
    assert member.locator("form[action$='/team/wake/']").count() == 0
    assert User.objects.get(pk=worker.pk).wake_approved_by == boss
    other.context.close()

    # The caseworker wakes it with the password typed in the wake card itself (a fresh
    # sign-in is not enough: whoever signed in on the phone has that). A wrong one first.
    page.goto("/account/")
    wake = "main section[aria-labelledby=wake-h] form[action$='/account/wake/']"
    assert page.locator(wake).is_visible()
    no_sideways_scroll(page)
    shot(page, SHOTS, "12-wake-card")
    page.fill(f"{wake} [name=password]", "not my password at all")
    submit_refused(page, "/account/wake/")
    refusal = page.locator(f"{wake} {FIELD_ERROR}")
    assert refusal.count() == 1 and refusal.is_visible()
    assert User.objects.get(pk=worker.pk).asleep
    refusal.scroll_into_view_if_needed()
    shot(page, SHOTS, "13-wake-refused")
    page.fill(f"{wake} [name=password]", PASSWORD)
    submit_accepted(page, "/account/wake/")
    assert "/dashboard/" in page.url and page.locator(MESSAGE).count() == 1
    assert not User.objects.get(pk=worker.pk).shielded
    page.goto("/cases/")
    assert page.locator(f"main table.cases a[href*='{case.reference}']").count() == 1
    assert MARKER in page.content()
    page.context.close()


def test_the_duress_card_on_a_desktop_in_english(browser, live_server, desk):
    worker, _, _ = desk
    worker.language = "en"
    worker.save(update_fields=["language"])
    page = browser_page(browser, live_server, viewport="desktop", language="en")
    sign_in(page, worker)
    page.goto("/account/")
    assert page.locator("html").get_attribute("lang") == "en"
    card = page.locator("main section[aria-labelledby=duress-h]")
    assert card.locator("h2#duress-h").inner_text() == "Duress password"
    for name in ("password1", "password2", "without_code"):
        field = card.locator(f"[name={name}]")
        assert field.is_visible()
        assert card.locator(f"label[for={field.get_attribute('id')}]").inner_text().strip()
    box = card.bounding_box()
    assert box["width"] <= 1280 and box["height"] > 100
    accessible(page)
    shot(page, "coercion-en-desktop", "account")
    card.screenshot(path=ARTIFACTS / "coercion-en-desktop" / "duress-card.png")
    page.context.close()
