"""What is typed into a case form stays out of the browser profile (issue 17).

Chromium keeps what is submitted through a text field in its autofill
database (`Web Data`, table `autofill`) unless the field or its form says
autocomplete="off"; a seized laptop then offers a partner's decline reason
to whoever opens the profile. Only a persistent profile saves anything (a
fresh Playwright context is off the record), so this test launches one,
types a marker into every kind of case field as the persona who writes it,
and reads the profile after Chromium has closed it.

Before the fix it found the decline reason, the outcome and the partner's
name in `autofill` (text inputs; Chromium 156 keeps no textarea or date),
with no flag or preference needed; the fetch-driven submits count as
submits. Removing the field's "off" alone still passes, since the form's
"off" covers it; removing both fails on that field.
"""

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role
from evacuations.models import Leg, Plan
from intake.models import Case, CheckIn, Note
from intake.status import Status
from referrals.models import Partner, PartnerStaff, Referral
from referrals.services import referral_move
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_journey import Person
from tests.factories import CaseFactory, PartnerFactory, ReferralFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# One marker per field; none of them appears in a page until it is typed.
MARKERS = {
    name: f"Qx{name.replace('_', '')}Zq7"
    for name in (
        "alias",
        "contact_handle",
        "safe_contact",
        "location",
        "narrative",
        "note",
        "summary",
        "partner_name",
        "partner_contact",
        "city",
        "leg_details",
        "leg_partner_details",
        "decline_reason",
        "outcome",
    )
}


def checkin_at() -> str:
    """A check-in is a time, not text: it is searched for as typed, nine days ahead."""
    return (timezone.localtime() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def scene():
    team = TeamFactory(name="Hotline")
    people = {
        role: UserFactory(username=f"{role}-autofill", role=role, teams=[team])
        for role in (Role.CASEWORKER, Role.COORDINATOR)
    }
    people[Role.PARTNER] = UserFactory(username="partner-autofill", role=Role.PARTNER)
    shelter = PartnerFactory(name="Safe House", team=team, services=["shelter"])
    PartnerStaff.objects.create(user=people[Role.PARTNER], partner=shelter)
    case = CaseFactory(team=team, alias="Someone")
    for status in (Status.VERIFYING, Status.ACTIVE):
        case.move_to(status, by=people[Role.CASEWORKER])
    # One referral the partner accepts and completes, one it declines.
    referrals = []
    for _ in range(2):
        referral = ReferralFactory(case=case, partner=shelter)
        referral_move(referral=referral, to="sent", by=people[Role.CASEWORKER])
        referrals.append(referral)
    for user in people.values():
        user.language = "en"
        user.save(update_fields=["language"])
    return people, shelter, case, referrals


class Visitor(Person):
    """Person's real sign-in, in the one persistent profile, without screenshots."""

    class _Profile:
        def __init__(self, context):
            self.context = context

        def new_context(self, **options):
            return self.context

    def __init__(self, context, live_server, user):
        super().__init__(
            self._Profile(context), live_server, user, viewport="desktop", language="en", shots=[]
        )

    def shot(self, name: str):
        pass


def sign_in(context, live_server, user):
    """Sign in as this user alone, on a new page of the profile."""
    for page in context.pages:
        page.close()
    context.clear_cookies()
    visitor = Visitor(context, live_server, user)
    visitor.sign_in()
    return visitor.page


def submit(page, form: str):
    """Press the form's first submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").first.click()


def type_every_case_field(context, live_server, m, people, shelter, case, referrals):
    """Fill and submit every kind of case field, as the persona who writes it."""
    page = sign_in(context, live_server, people[Role.CASEWORKER])
    page.goto("/cases/new/")
    page.fill("#id_alias", m["alias"])
    page.select_option("#id_contact_channel", "telegram")
    page.fill("#id_contact_handle", m["contact_handle"])
    page.fill("#id_safe_contact", m["safe_contact"])
    page.check('input[name=risk][value="3"]')
    page.select_option("#id_region", "chechnya")
    page.fill("#id_location", m["location"])
    page.check("input[name=threats][value=police_detention]")
    page.check("input[name=needs][value=shelter]")
    page.check("input[name=languages][value=ru]")
    page.fill("#id_narrative", m["narrative"])
    submit(page, "form.case-form")
    assert Case.objects.count() == 2

    page.goto(case.page_url)
    page.fill("form.note-form textarea[name=body]", m["note"])
    submit(page, "form.note-form")
    page.fill("form[action$='/check-ins/'] input[name=due_at]", m["checkin"])
    submit(page, "form[action$='/check-ins/']")

    page.goto(f"/cases/{case.reference}/referrals/new/?partner={shelter.reference}&service=shelter")
    page.fill("#id_summary", m["summary"])
    page.check("#id_consent_given")
    page.fill("#id_consent_at", "2026-01-02T10:00")
    page.select_option("#id_consent_channel", index=1)
    submit(page, "form.case-form")

    page.goto(f"/cases/{case.reference}/evacuation/")
    page.select_option("#id_destination_country", "GE")
    page.fill("#id_destination_city", m["city"])
    submit(page, "form.case-form")
    legs = "form[action$='/legs/']"
    page.locator(f"{legs} >> xpath=..").locator("summary").click()
    page.select_option(f"{legs} select[name=kind]", "shelter")
    page.select_option(f"{legs} select[name=referral]", index=1)
    page.fill(f"{legs} textarea[name=details]", m["leg_details"])
    page.fill(f"{legs} textarea[name=partner_details]", m["leg_partner_details"])
    submit(page, legs)

    page = sign_in(context, live_server, people[Role.COORDINATOR])
    page.goto("/partners/new/")
    page.fill("#id_name", m["partner_name"])
    page.select_option("#id_kind", index=1)
    page.check("input[name=services][value=shelter]")
    page.fill("#id_ack_deadline_hours", "24")
    page.fill("#id_contact_details", m["partner_contact"])
    submit(page, "form.case-form")

    completed, declined = referrals
    page = sign_in(context, live_server, people[Role.PARTNER])
    page.goto(f"/partner/{completed.reference}/")
    submit(page, "form[action$='/acknowledge/']")
    submit(page, "form[action$='/accept/']")
    page.fill("form[action$='/complete/'] input[name=note]", m["outcome"])
    submit(page, "form[action$='/complete/']")
    page.goto(f"/partner/{declined.reference}/")
    page.locator("form[action$='/decline/'] >> xpath=..").locator("summary").click()
    page.fill("form[action$='/decline/'] input[name=note]", m["decline_reason"])
    submit(page, "form[action$='/decline/']")

    # Every submit reached the server: a marker that is missing below was sent.
    assert Note.objects.filter(case=case).count() == 1
    assert CheckIn.objects.filter(case=case).exists()
    assert Plan.objects.filter(case=case).exists() and Leg.objects.exists()
    assert Partner.objects.count() == 2
    statuses = dict(Referral.objects.values_list("pk", "status"))
    assert (statuses[completed.pk], statuses[declined.pk]) == ("completed", "declined")
    assert Referral.objects.filter(case=case, status="draft").exists()


def rows_holding_markers(web_data: Path, markers: dict[str, str]) -> dict[str, set[str]]:
    """Each table of Web Data with the markers found in it, by a text search of every row."""
    db = sqlite3.connect(f"file:{web_data}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found: dict[str, set[str]] = {}
        for table in tables:
            text = "\n".join(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
            hits = {name for name, v in markers.items() if v in text}
            if hits:
                found[table] = hits
        return found
    finally:
        db.close()


def usernames_kept(web_data: Path) -> set[str]:
    db = sqlite3.connect(f"file:{web_data}?mode=ro", uri=True)
    try:
        return {v for (v,) in db.execute("SELECT value FROM autofill WHERE name = 'username'")}
    finally:
        db.close()


def files_holding_markers(profile: Path, markers: dict[str, str]) -> dict[str, set[str]]:
    """Each file of the profile with the markers in it, as UTF-8 or as UTF-16 (Chromium's own)."""
    needles = {name: (v.encode(), v.encode("utf-16-le")) for name, v in markers.items()}
    found: dict[str, set[str]] = {}
    for path in profile.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        hits = {name for name, forms in needles.items() if any(f in data for f in forms)}
        if hits:
            found[str(path.relative_to(profile))] = hits
    return found


def test_nothing_typed_into_a_case_form_is_kept_in_the_browser_profile(
    browser, live_server, scene, tmp_path
):
    profile = tmp_path / "profile"
    markers = {**MARKERS, "checkin": checkin_at()}
    # The session's browser is a separate, off-the-record process; a profile
    # on disk needs a browser of its own, started by the same Playwright.
    context = browser.browser_type.launch_persistent_context(
        user_data_dir=profile,
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
        locale="en",
    )
    context.set_default_timeout(10_000)
    try:
        type_every_case_field(context, live_server, markers, *scene)
    finally:
        context.close()

    web_data = profile / "Default" / "Web Data"
    # The sign-in's username is the one field autofill may keep: finding it
    # proves this Chromium saved what was submitted, so an absence means something.
    people = scene[0]
    assert usernames_kept(web_data) == {u.username for u in people.values()}
    in_tables = rows_holding_markers(web_data, markers)
    in_files = files_holding_markers(profile, markers)
    assert "autofill" not in in_tables, f"kept for autofill: {in_tables['autofill']}"
    assert not in_tables, f"kept in Web Data: {in_tables}"
    assert not in_files, f"kept in the profile: {in_files}"
