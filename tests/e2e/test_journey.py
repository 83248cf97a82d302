"""One request from the hotline to a closed case, in a real browser.

An operator records it, a caseworker works it and refers it, the partner
accepts, a coordinator closes it: each signs in with password and a real
TOTP code, in English and in Russian, on a phone and on a desktop.
Screenshots of every step land in test-artifacts/e2e/.
"""

import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP

from accounts.models import Authenticator, Role
from intake.models import Case
from referrals.models import PartnerStaff, Referral
from tests.e2e.conftest import ARTIFACTS, VIEWPORTS, WCAG_AA, full_page_screenshot, to_top
from tests.factories import PASSWORD, PartnerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ALIAS = "Marker-Swallow"
NOTE = "Called back on the safe channel; she is hiding at a friend's."
# What each language must show, and what it must not: proof the page is translated.
SIGNS = {"en": ("Cases", "Дела"), "ru": ("Дела", "Record a new help request")}


class Person:
    """Someone signing in through the real pages, in their own browser context."""

    def __init__(self, browser, live_server, user, *, viewport, language, shots):
        self.user = user
        self.device = Authenticator.objects.create(user=user, name="phone", confirmed=True)
        self.context = browser.new_context(
            base_url=live_server.url, locale=language, **VIEWPORTS[viewport]
        )
        self.page = self.context.new_page()
        self.language = language
        self.shots = shots

    def sign_in(self):
        page = self.page
        page.goto("/login/")
        if not self.shots:
            self.shot("sign-in-page")
        page.fill("input[name=username]", self.user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit].primary")
        page.wait_for_url("**/2fa/verify/")
        if len(self.shots) == 1:
            self.shot("second-factor-page")
        device = self.device
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.fill("input[name=token]", f"{token:06d}")
        # The page it leads to, not the one already loaded: a load state already reached
        # returns at once, before the answer (failed a run with four workers).
        with page.expect_navigation():
            page.click("form button[type=submit].primary")
        assert "/2fa/" not in page.url and "/login/" not in page.url
        assert page.locator("html").get_attribute("lang") == self.language
        self.shot("signed-in")

    def shot(self, name: str):
        """Save a screenshot of this step, and check the page against WCAG 2.1 AA."""
        self.shots.append(name)
        folder = ARTIFACTS / self.shots.folder
        folder.mkdir(parents=True, exist_ok=True)
        # From the top: scrolled, the sticky header lies over what is under it,
        # in the picture and for axe's target-size (a person scrolls it free).
        to_top(self.page)
        full_page_screenshot(self.page, folder / f"{len(self.shots):02d}-{name}.png")
        found = Axe().run(self.page, options=WCAG_AA)
        problems = [
            (v["id"], [n["target"] for n in v["nodes"]]) for v in found.response["violations"]
        ]
        assert not problems, f"{name}: {problems}"

    def submit(self, form: str):
        """Press the submit button of the form matched by this CSS selector."""
        with self.page.expect_navigation():
            self.page.locator(form).locator("button[type=submit]").first.click()

    def close(self):
        self.context.close()


class Shots(list):
    """The screenshots of one run, in a folder of their own, emptied first."""

    def __init__(self, folder: str):
        super().__init__()
        self.folder = folder
        shutil.rmtree(ARTIFACTS / folder, ignore_errors=True)


@pytest.fixture
def cast():
    team = TeamFactory(name="Hotline")
    partner_org = PartnerFactory(name="Safe House", team=team, services=["shelter"])
    people = {
        role: UserFactory(username=f"{role}-e2e", role=role, teams=[team])
        for role in (Role.OPERATOR, Role.CASEWORKER, Role.COORDINATOR)
    }
    people[Role.PARTNER] = UserFactory(username="partner-e2e", role=Role.PARTNER)
    PartnerStaff.objects.create(user=people[Role.PARTNER], partner=partner_org)
    return people


# Each language and each width once: English on a desktop, Russian on a
# phone (the longer words on the narrower page). All four pairings took a
# third of the suite's time.
@pytest.mark.parametrize(("language", "viewport"), [("en", "desktop"), ("ru", "phone")])
def test_a_request_goes_from_the_hotline_to_a_closed_case(
    browser, live_server, cast, viewport, language
):
    shots = Shots(f"{language}-{viewport}")
    for user in cast.values():
        user.language = language
        user.save(update_fields=["language"])

    def person(role):
        return Person(
            browser, live_server, cast[role], viewport=viewport, language=language, shots=shots
        )

    # The operator records the request.
    operator = person(Role.OPERATOR)
    operator.sign_in()
    page = operator.page
    page.goto("/cases/new/")
    page.fill("#id_alias", ALIAS)
    page.select_option("#id_contact_channel", "telegram")
    page.fill("#id_contact_handle", "@swallow_e2e")
    page.check('input[name=risk][value="4"]')
    page.select_option("#id_region", "chechnya")
    page.check("input[name=threats][value=police_detention]")
    page.check("input[name=needs][value=shelter]")
    page.check("input[name=languages][value=ru]")
    page.fill("#id_narrative", "Detained twice; the family knows.")
    operator.shot("intake")
    operator.submit("form.case-form")
    reference = re.search(r"/cases/([0-9A-Z-]+)/$", page.url).group(1)
    assert ALIAS in page.content()
    operator.shot("recorded")
    operator.close()

    # The caseworker works it: a note, verification, then a referral.
    caseworker = person(Role.CASEWORKER)
    caseworker.sign_in()
    page = caseworker.page
    page.goto("/cases/?sort=risk")
    assert ALIAS in page.content()
    caseworker.shot("case-list")
    with page.expect_navigation():
        page.locator(f"a[href$='/cases/{reference}/']").first.click()
    page.fill("form.note-form textarea[name=body]", NOTE)
    caseworker.submit("form.note-form")
    for status in ("verifying", "active"):
        page.select_option("form[action$='/status/'] select[name=to]", status)
        caseworker.submit("form[action$='/status/']")
    assert NOTE in page.content()
    caseworker.shot("worked")
    page.select_option("form[action$='/route/'] select[name=service]", "shelter")
    caseworker.submit("form[action$='/route/']")
    caseworker.shot("ranked")
    with page.expect_navigation():
        page.locator("ol.ranking a.button.primary").first.click()
    page.fill("textarea[name=summary]", "Needs a safe place tonight.")
    for shared in ("alias", "region", "needs"):
        page.check(f"input[name=shared_fields][value={shared}]")
    page.check("input[name=consent_given]")
    page.fill("input[name=consent_at]", "2026-01-05T10:00")
    page.select_option("select[name=consent_channel]", index=1)
    caseworker.shot("draft")
    caseworker.submit("form.case-form")
    caseworker.submit("form[action$='/send/']")
    caseworker.shot("sent")
    caseworker.close()
    referral = Referral.objects.get(case__reference=reference)
    assert referral.status == "sent"

    # The partner sees only what was shared, and accepts.
    partner = person(Role.PARTNER)
    partner.sign_in()
    page = partner.page
    page.goto("/partner/")
    with page.expect_navigation():
        page.locator(f"a[href$='/partner/{referral.reference}/']").click()
    assert ALIAS in page.content() and "@swallow_e2e" not in page.content()
    partner.submit("form[action$='/acknowledge/']")
    partner.submit("form[action$='/accept/']")
    partner.shot("accepted")
    partner.close()
    referral.refresh_from_db()
    assert referral.status == "accepted"

    # The coordinator closes the case.
    coordinator = person(Role.COORDINATOR)
    coordinator.sign_in()
    page = coordinator.page
    page.goto(f"/cases/{reference}/")
    page.select_option("form[action$='/status/'] select[name=to]", "closed")
    page.select_option("form[action$='/status/'] select[name=closure_reason]", "stable")
    coordinator.submit("form[action$='/status/']")
    shown, absent = SIGNS[language]
    assert shown in page.content() and absent not in page.content()
    coordinator.shot("closed")
    page.goto("/statistics/")
    assert ALIAS not in page.content() and reference not in page.content()
    coordinator.shot("statistics")
    coordinator.close()
    assert Case.objects.get(reference=reference).status == "closed"
