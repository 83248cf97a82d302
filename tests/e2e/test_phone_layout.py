"""Every main page on a 360 px phone in Russian and on a desktop in English.

On each: nothing scrolls sideways, WCAG 2.1 AA holds with 24 px tap targets
(axe's target-size), and "lock now" is still in view and clickable after
scrolling to the bottom. The data is the worst a caseworker sees: long
Russian values in every field, an unbroken handle, legs with long details.
Each language then visits every page once more at the other width, for
sideways scrolling alone. Screenshots land in
test-artifacts/e2e/layout-<language>-<viewport>/.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from accounts.models import Authenticator, Role
from evacuations import services as evacuations
from intake.choices import Language, Need, Threat
from intake.models import CheckIn
from intake.status import Status
from referrals.models import PartnerStaff
from referrals.services import referral_move
from reminders.models import Kind, Notification
from tests.e2e.conftest import ARTIFACTS, VIEWPORTS, WCAG_AA, full_page_screenshot
from tests.e2e.test_journey import Shots
from tests.factories import (
    PASSWORD,
    CaseFactory,
    PartnerFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LOCK = "header.bar form[action$='/logout/'] button[type=submit]"
# On a 740 px phone the header leaves the page most of the screen.
HEADER_MOST = 72
# No spaces: only an overflow-wrap rule can fit it on a phone.
HANDLE = "@очень_длинный_никнейм_без_единого_пробела_и_переноса_2026"
LONG = {
    "alias": "Александра-Константиновна Длинноимённая",
    "contact_handle": HANDLE,
    "safe_contact": (
        "Писать только после 22:00 через двоюродную сестру; ни в коем случае не звонить "
        "на домашний номер — его прослушивают родственники мужа."
    ),
    "location": "Республика Северная Осетия — Алания, Владикавказ, у родственников подруги",
    "narrative": (
        "Задержана дважды сотрудниками полиции в Грозном, телефон изъяли и просмотрели "
        "переписку; семья знает и угрожает. Нуждается в срочной эвакуации за пределы "
        "региона. Контакты в телефоне: " + HANDLE
    ),
}
DETAILS = (
    "Встреча у автовокзала в 06:40, водитель — двоюродный брат, синяя машина; "
    "пароль для водителя: ПерепроверьтеДокументыПередВыездомИзРеспублики2026."
)


@pytest.fixture
def scene():
    """A caseworker's and a coordinator's day: every dashboard section has something."""
    team = TeamFactory(name="Горячая линия Северного Кавказа")
    caseworker = UserFactory(username="caseworker-layout", role=Role.CASEWORKER, teams=[team])
    coordinator = UserFactory(username="coordinator-layout", role=Role.COORDINATOR, teams=[team])
    UserFactory(username="operator-layout", role=Role.OPERATOR, teams=[team])
    shelter = PartnerFactory(
        name="Правозащитный центр «Убежище на Кавказе» для пострадавших от преследований",
        team=team,
        services=["shelter"],
        capacity=3,
    )
    PartnerStaff.objects.create(
        user=UserFactory(username="partner-layout", role=Role.PARTNER), partner=shelter
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    case = CaseFactory(
        team=team,
        assignee=caseworker,
        risk=4,
        follow_up_on=yesterday,
        threats=list(Threat.values),
        needs=list(Need.values),
        languages=list(Language.values),
        **LONG,
    )
    for status in (Status.VERIFYING, Status.ACTIVE):
        case.move_to(status, by=caseworker)
    CheckIn.objects.create(case=case, due_at=timezone.now() - timedelta(hours=3))
    referral = ReferralFactory(case=case, partner=shelter)
    referral_move(referral=referral, to="sent", by=caseworker)
    type(referral).objects.filter(pk=referral.pk).update(
        ack_due_at=timezone.now() - timedelta(hours=1)
    )
    Notification.objects.create(
        user=caseworker, kind=Kind.FOLLOW_UP, key=f"follow_up:{case.pk}", case=case
    )
    # A critical request nobody has answered yet, and requests of a completed quarter
    # for the statistics.
    CaseFactory(team=team, risk=4, alias="Безымянный-Ночной-Звонок-С-Заправки")
    for n in range(6):
        CaseFactory(team=team, created_at=timezone.now() - timedelta(days=200 + n))
    plan = evacuations.plan_open(
        case=case,
        data={"destination_country": "GE", "destination_city": "Тбилиси, район Сабуртало"},
        by=caseworker,
    )
    today = timezone.localdate()
    legs = [
        evacuations.leg_add(
            plan=plan,
            data={
                "kind": kind,
                "partner_kind": "",
                "referral": referral if kind == "shelter" else None,
                "planned_start": today,
                "planned_end": today + timedelta(days=3),
                "details": DETAILS,
                "partner_details": DETAILS if kind == "shelter" else "",
            },
            by=caseworker,
        )
        for kind in ("leave_region", "shelter", "arrival")
    ]
    evacuations.leg_start(leg=legs[0], by=caseworker)
    return caseworker, coordinator, case, plan


def press_access_key(page, digit: str):
    """Alt and a digit, as a keyboard sends them.

    Chromium finds an access key in the character event, by its unmodified
    text; Playwright's own press sends no character event while Alt is held.
    """
    cdp = page.context.new_cdp_session(page)
    alt = 1
    key = {"modifiers": alt, "key": digit, "code": f"Digit{digit}"}
    for event in ({"type": "rawKeyDown"}, {"type": "char", "text": digit, "unmodifiedText": digit}):
        cdp.send("Input.dispatchKeyEvent", {**event, **key})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})
    cdp.detach()


class Visitor:
    """One browser context for a language and width; people sign in and lock out in turn."""

    def __init__(self, browser, live_server, *, language, viewport):
        self.context = browser.new_context(
            base_url=live_server.url, locale=language, **VIEWPORTS[viewport]
        )
        self.page = self.context.new_page()
        self.viewport = viewport
        self.shots = Shots(f"layout-{language}-{viewport}")
        self.problems: list[str] = []

    def sign_in(self, user):
        device = Authenticator.objects.create(user=user, name="phone", confirmed=True)
        page = self.page
        page.goto("/login/")
        self.check("sign-in", lock=False)
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit].primary")
        page.wait_for_url("**/2fa/verify/")
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.fill("input[name=token]", f"{token:06d}")
        with page.expect_navigation():
            page.click("form button[type=submit].primary")
        assert "/2fa/" not in page.url and "/login/" not in page.url

    def visit(self, name: str, url: str):
        self.page.goto(url)
        assert self.page.url.endswith(url), f"{name}: ended up at {self.page.url}"
        self.check(name)

    def check(self, name: str, *, lock: bool = True):
        """Screenshot the page and note each way it fails on this screen."""
        page = self.page
        self.shots.append(name)
        folder = ARTIFACTS / self.shots.folder
        folder.mkdir(parents=True, exist_ok=True)
        full_page_screenshot(page, folder / f"{len(self.shots):02d}-{name}.png")
        self.fits(name)
        # axe lets a small target pass when nothing else is near it; a thumb needs 24 px anyway.
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                "input[type=checkbox], input[type=radio], button, summary, select")]
              .map((e) => [e, e.getBoundingClientRect()])
              .filter(([e, r]) => r.width && (r.width < 24 || r.height < 24))
              .map(([e, r]) => `${e.outerHTML.slice(0, 60)} ${r.width}x${r.height}`)"""
        )
        if small:
            self.problems.append(f"{name}: targets under 24 px: {small[:3]}")
        found = Axe().run(page, options=WCAG_AA)
        for violation in found.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:5]
            self.problems.append(f"{name}: axe {violation['id']} {targets}")
        if self.viewport == "phone":
            height = page.locator("header.bar").bounding_box()["height"]
            if height > HEADER_MOST:
                self.problems.append(f"{name}: the header is {height:.0f} px high")
        if lock:
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            box = page.locator(LOCK).bounding_box()  # relative to the viewport
            size = page.viewport_size
            if not (box["y"] >= 0 and box["y"] + box["height"] <= size["height"]):
                self.problems.append(f"{name}: lock now is out of view at the bottom: {box}")
            else:
                # Clickable where it is: visible, enabled, not covered by anything.
                page.locator(LOCK).click(trial=True, timeout=1000)
            page.evaluate("window.scrollTo(0, 0)")

    def fits(self, name: str):
        """Note it if the page is wider than the screen, and what sticks out."""
        width = self.page.viewport_size["width"]
        wide = self.page.evaluate(
            """(width) => ({
              page: document.documentElement.scrollWidth,
              window: window.innerWidth,
              past: [...document.querySelectorAll("body *")]
                .filter((e) => e.getBoundingClientRect().right > width + 0.5)
                .slice(0, 3)
                .map((e) => `${e.tagName} ${e.className} ${e.getBoundingClientRect().right}`),
            })""",
            width,
        )
        # A phone zooms out to show a page too wide, so innerWidth alone would grow with it.
        if wide["page"] > min(width, wide["window"]):
            self.problems.append(f"{name}: {wide['page']} px wide on a {width} px screen: {wide}")

    def tables_fit(self, name: str):
        """Note a table that scrolls sideways inside its box: its last columns are out of sight."""
        hidden = self.page.evaluate(
            """() => [...document.querySelectorAll(".table-wrap")]
              .filter((wrap) => wrap.scrollWidth > wrap.clientWidth).length"""
        )
        if hidden:
            self.problems.append(f"{name}: {hidden} table(s) scroll sideways inside the page")

    def close(self):
        self.context.close()
        assert not self.problems, "\n".join(self.problems)


# The narrowest screen with the longer words, and the desktop in English.
@pytest.mark.parametrize(("language", "viewport"), [("ru", "phone"), ("en", "desktop")])
def test_every_page_fits_the_screen_and_keeps_lock_now_in_reach(
    browser, live_server, scene, language, viewport
):
    caseworker, coordinator, case, plan = scene
    for user in (caseworker, coordinator):
        user.language = language
        user.save(update_fields=["language"])
    visitor = Visitor(browser, live_server, language=language, viewport=viewport)
    page = visitor.page

    caseworkers = {
        "dashboard": reverse("reminders:dashboard"),
        "case-list": reverse("intake:case_list"),
        "case": case.page_url,
        "plan": reverse("evacuations:plan_detail", args=[plan.reference]),
        "new-request": reverse("intake:case_create"),
        "reminders": reverse("reminders:notification_list"),
        "account": reverse("account"),
    }
    visitor.sign_in(caseworker)
    visitor.visit("dashboard", caseworkers["dashboard"])
    visitor.tables_fit("dashboard")
    cases_link = page.locator("header.bar nav a[href$='/cases/']")
    if viewport == "phone":
        # Folded away, and a tap on the menu opens it (no script needed).
        assert not cases_link.is_visible()
        page.click("header.bar .menu > summary")
        assert cases_link.is_visible()
        visitor.check("menu-open", lock=False)
        page.click("header.bar .menu > summary")
    assert cases_link.is_visible() == (viewport == "desktop")
    for name, url in list(caseworkers.items())[1:]:
        visitor.visit(name, url)
        if name in ("case-list", "case"):
            # Reference, alias, risk and status of every case in sight at once;
            # every referral of the case likewise.
            visitor.tables_fit(name)
    # Lock now from the bottom of a long page: by its shortcut on the desktop,
    # by touch on the phone. It signs out: the next page asks to sign in.
    lock = page.locator(LOCK)
    key = lock.get_attribute("accesskey")
    if not (key and key in (lock.get_attribute("aria-keyshortcuts") or "")):
        visitor.problems.append("lock now has no keyboard shortcut")
    page.goto(case.page_url)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    with page.expect_navigation():
        if viewport == "phone":
            lock.tap()
        elif key:
            press_access_key(page, key)
        else:
            lock.click()
    page.goto(case.page_url)
    assert "/login/" in page.url

    visitor.sign_in(coordinator)
    # The coordinator has no reminders of their own: that section shrinks to a
    # line after the four that need action.
    assert page.url.endswith(caseworkers["dashboard"])
    visitor.check("dashboard-coordinator")
    sections = page.locator("main section").evaluate_all(
        "(all) => all.map((s) => [s.getAttribute('aria-labelledby'), s.offsetHeight])"
    )
    assert [name for name, _ in sections][-1] == "dash-reminders"
    assert sections[-1][1] < 60, sections
    coordinators = {
        "partners": reverse("referrals:partner_list"),
        "open-referrals": reverse("referrals:open_referrals"),
        "statistics": reverse("stats:overview"),
        "team": reverse("team"),
        "routes": reverse("evacuations:route_list"),
    }
    for name, url in coordinators.items():
        visitor.visit(name, url)
        if name in ("partners", "open-referrals"):
            visitor.tables_fit(name)

    # And every page in this language at the other width, for width alone: the
    # coordinator sees all of them.
    other = VIEWPORTS["desktop" if viewport == "phone" else "phone"]["viewport"]
    page.set_viewport_size(other)
    for name, url in {**caseworkers, **coordinators}.items():
        page.goto(url)
        visitor.fits(f"{name} at {other['width']} px")
    visitor.close()
