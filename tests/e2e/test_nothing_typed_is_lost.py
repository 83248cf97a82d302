"""Nothing a caseworker types is lost, in a real browser: dates, drafts, failed submits.

Russian on a 360 px phone first (the user we build for), English on a
desktop where a second run adds something. Every page visited is checked
for sideways scrolling.
"""

import time
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import OperationalError, connection
from django.utils import timezone
from django_otp.oath import TOTP

from accounts.models import Authenticator, Role
from crypto import keycheck
from drafts.models import Draft
from evacuations import services as evacuation_services
from evacuations.models import LegKind
from intake import services as intake_services
from intake.models import Case, Note
from intake.status import Status
from tests.e2e.conftest import VIEWPORTS, WCAG_AA, to_top
from tests.factories import (
    PASSWORD,
    CaseFactory,
    PartnerFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Marker-Plover: called from a neighbour's phone, the brother is looking for her"
SAID = {
    "ru": {
        "offline": "Не сохранено: нет соединения",
        "server": "Не сохранено: сервер",
        "key": "Ключ шифрования неверен",
        "restored": "Черновик восстановлен",
        "summary": "Не сохранено",
    },
    "en": {
        "offline": "Not saved: no connection",
        "server": "Not saved: the server",
        "key": "The encryption key is wrong",
        "restored": "Draft restored",
        "summary": "Not saved",
    },
}


def sign_in(browser, live_server, user, *, viewport="phone", language="ru", **context):
    device = Authenticator.objects.create(user=user, name="phone", confirmed=True)
    page = password_step(browser, live_server, user, viewport, language, **context)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.fill("input[name=token]", f"{token:06d}")
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    assert "/2fa/" not in page.url
    return page


def password_step(browser, live_server, user, viewport, language, **context):
    """A new browser on the sign-in page, through the password: the second factor is next."""
    ctx = browser.new_context(
        base_url=live_server.url, locale=language, **VIEWPORTS[viewport], **context
    )
    page = ctx.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    return page


def no_sideways_scroll(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def accessible(page):
    """axe (WCAG 2.1 AA and 24 px targets) finds nothing, and nothing scrolls sideways."""
    # From the top: axe counts a target under the sticky header as too small.
    to_top(page)
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    assert not [(v["id"], [n["target"] for n in v["nodes"]]) for v in found], page.url
    no_sideways_scroll(page)


def wait_for(condition, seconds=8.0):
    """Ask until true. The live server writes meanwhile, and SQLite's in-memory test
    database, shared between threads, refuses a read of a table being written at once
    ("database table is locked") rather than waiting: that is asked again too."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        time.sleep(0.2)
    return False


@pytest.fixture
def worker():
    team = TeamFactory(name="Горячая линия")
    user = UserFactory(username="worker-e2e", role=Role.CASEWORKER, teams=[team], language="ru")
    case = CaseFactory(team=team, alias="Marker-Plover")
    for status in (Status.VERIFYING, Status.ACTIVE):
        case.move_to(status, by=user)
    return user, case


def test_dates_survive_saving_every_form_unchanged_in_russian(browser, live_server, worker):
    user, case = worker
    today = timezone.localdate()
    case.follow_up_on = today + timedelta(days=5)
    case.save()
    plan = evacuation_services.plan_open(
        case=case, data={"destination_country": "GE", "destination_city": "Tbilisi"}, by=user
    )
    leg = evacuation_services.leg_add(
        plan=plan,
        data={
            "kind": LegKind.TRAVEL, "partner_kind": "", "referral": None,
            "planned_start": today + timedelta(days=2), "planned_end": today + timedelta(days=4),
            "details": "", "partner_details": "",
        },
        by=user,
    )  # fmt: skip
    referral = ReferralFactory(
        case=case,
        partner=PartnerFactory(team=case.team),
        complete_by=today + timedelta(days=30),
        consent_given=True,
        consent_at=timezone.now().replace(second=0, microsecond=0) - timedelta(days=1),
        consent_channel="messenger",
    )
    before = (case.follow_up_on, leg.planned_start, leg.planned_end)
    consent = (referral.complete_by, referral.consent_at)

    page = sign_in(browser, live_server, user)
    page.goto(f"/cases/{case.reference}/")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("form[action$='/follow-up/'] button[type=submit]").click()
    page.goto(f"/evacuations/{plan.reference}/legs/{leg.key}/")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("form.case-form button[type=submit]").click()
    page.goto(f"/referrals/{referral.reference}/edit/")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("form.case-form button[type=submit]").click()

    case.refresh_from_db()
    leg.refresh_from_db()
    referral.refresh_from_db()
    assert (case.follow_up_on, leg.planned_start, leg.planned_end) == before
    assert (referral.complete_by, referral.consent_at) == consent


def test_a_note_is_kept_as_a_draft_and_survives_a_failed_submit(
    browser, live_server, worker, monkeypatch
):
    user, case = worker
    said = SAID["ru"]
    page = sign_in(browser, live_server, user)
    page.goto(f"/cases/{case.reference}/")
    note = page.locator("form.note-form textarea[name=body]")
    note.type(NOTE[:40])
    note.type(NOTE[40:])
    assert wait_for(lambda: Draft.objects.filter(author=user, form="note").exists())
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM drafts_draft")
        assert "Marker-Plover" not in repr(cursor.fetchall())
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.evaluate("indexedDB.databases().then(d => d.length)") == 0

    # No network: the page stays, as typed, and says so by the button.
    page.context.set_offline(True)
    page.locator("form.note-form button[type=submit]").click()
    failed = page.locator("form.note-form .submit-failed")
    failed.wait_for()
    assert said["offline"] in failed.inner_text()
    assert note.input_value() == NOTE
    accessible(page)
    page.context.set_offline(False)

    # The server fails: the same.
    def broken(**kwargs):
        raise RuntimeError("forced failure")

    monkeypatch.setattr(intake_services, "note_add", broken)
    page.locator("form.note-form button[type=submit]").click()
    page.wait_for_function(
        "t => document.querySelector('form.note-form .submit-failed').innerText.includes(t)",
        arg=said["server"],
    )
    assert note.input_value() == NOTE
    assert not Note.objects.exists()
    monkeypatch.undo()

    # The keys turn out wrong: the form says so, beside what was typed.
    monkeypatch.setattr(keycheck, "problem", lambda **kwargs: "keys wrong")
    page.locator("form.note-form button[type=submit]").click()
    page.wait_for_function(
        "t => document.querySelector('form.note-form .submit-failed').innerText.includes(t)",
        arg=said["key"],
    )
    assert note.input_value() == NOTE
    assert not Note.objects.exists()
    monkeypatch.undo()

    # Away and back: the draft is restored, and discarding it empties the form.
    page.goto("/cases/")
    page.goto(f"/cases/{case.reference}/")
    assert said["restored"] in page.content()
    assert page.locator("form.note-form textarea[name=body]").input_value() == NOTE
    accessible(page)

    # The next try goes through; the draft goes with it.
    with page.expect_navigation():
        page.locator("form.note-form button[type=submit]").click()
    assert Note.objects.get().body == NOTE
    assert not Draft.objects.exists()
    assert page.locator("form.note-form textarea[name=body]").input_value() == ""


def test_a_discarded_draft_is_gone(browser, live_server, worker):
    user, case = worker
    page = sign_in(browser, live_server, user, viewport="desktop", language="en")
    user.language = "en"
    user.save(update_fields=["language"])
    page.goto("/cases/new/")
    page.fill("#id_narrative", NOTE)
    page.locator("#id_narrative").type(".")
    assert wait_for(lambda: Draft.objects.filter(author=user, form="request").exists())
    page.goto("/cases/new/")
    assert SAID["en"]["restored"] in page.content()
    assert page.locator("#id_narrative").input_value() == NOTE + "."
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-draft-notice] button[type=submit]").click()
    assert not Draft.objects.exists()
    assert page.locator("#id_narrative").input_value() == ""


def test_typing_keeps_the_session_past_the_idle_limit(browser, live_server, worker, settings):
    """A device left alone still closes at the limit: test_nothing_left_readable.py."""
    user, case = worker
    page = sign_in(browser, live_server, user, viewport="desktop", language="en")
    settings.SESSION_IDLE_TIMEOUT = 4
    page.goto("/cases/new/")
    narrative = page.locator("#id_narrative")
    started = time.monotonic()
    while time.monotonic() - started < 8:  # twice the limit
        narrative.type("a")
        time.sleep(0.3)
    assert "/cases/new/" in page.url
    assert narrative.input_value().count("a") >= 10
    assert not page.locator(".idle-warning").is_visible()
    # The session is still alive on the server: the form can be sent.
    settings.SESSION_IDLE_TIMEOUT = 900
    page.goto("/dashboard/")
    assert "/login/" not in page.url


def test_a_refused_submit_is_summarised_where_the_person_looks(browser, live_server, worker):
    user, case = worker
    known = CaseFactory(team=case.team, contact_handle="@plover_known", alias="Marker-Known")
    page = sign_in(browser, live_server, user)

    # "Move to" starts blank; changing nothing is refused and said at the top.
    page.goto(f"/cases/{case.reference}/")
    status = page.locator("form[action$='/status/'] select[name=to]")
    assert status.input_value() == ""
    page.locator("form[action$='/status/'] button[type=submit]").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert SAID["ru"]["summary"] in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.bounding_box()["y"] < 740
    accessible(page)
    case.refresh_from_db()
    assert case.status == Status.ACTIVE

    # A known handle: the reason at the top, and the typed text added to that case.
    page.goto("/cases/new/")
    page.fill("#id_alias", "Marker-Again")
    page.select_option("#id_contact_channel", "telegram")
    page.fill("#id_contact_handle", "@plover_known")
    page.check('input[name=risk][value="3"]')
    page.select_option("#id_region", "chechnya")
    page.fill("#id_narrative", "Writes again, from the same account.")
    page.locator("form.case-form button.primary").click()
    page.locator(".error-summary").wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    accessible(page)
    with page.expect_navigation():
        page.locator(f"button[name=add_to][value='{known.reference}']").click()
    assert f"/cases/{known.reference}/" in page.url
    assert "Writes again, from the same account." in page.content()
    assert Case.objects.count() == 2
    assert Note.objects.get().case == known


def test_forms_work_without_javascript(browser, live_server, worker):
    user, case = worker
    page = sign_in(browser, live_server, user, java_script_enabled=False)
    page.goto(f"/cases/{case.reference}/")
    page.fill("form.note-form textarea[name=body]", NOTE)
    with page.expect_navigation():
        page.locator("form.note-form button[type=submit]").click()
    assert Note.objects.get().body == NOTE


@pytest.mark.parametrize(("language", "viewport"), [("ru", "phone"), ("en", "desktop")])
def test_two_factor_setup_works_on_the_phone_it_is_shown_on(
    browser, live_server, worker, language, viewport
):
    user, _ = worker
    user.language = language
    user.save(update_fields=["language"])
    page = password_step(browser, live_server, user, viewport, language)
    assert "/2fa/setup/" in page.url
    assert page.locator("a[href^='otpauth://totp/']").is_visible()
    assert page.locator("button[data-copy]").is_visible()
    assert not page.locator("header nav a[href$='/cases/']").count()  # nothing before set-up
    accessible(page)
    page.context.close()
