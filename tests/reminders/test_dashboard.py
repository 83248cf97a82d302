"""The dashboard case staff land on: what needs action now, and only for their teams."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake import services as intake_services
from intake.models import CheckIn, Transfer
from referrals.models import Referral
from reminders.dashboard import SHOWN
from reminders.models import Kind, Notification
from reminders.services import staff_duress
from tests.conftest import ROLES
from tests.factories import (
    CaseFactory,
    NoteFactory,
    PartnerFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
)
from tests.reminders.conftest import draft_sharing_handle, exposure, handled

URL = reverse("reminders:dashboard")
HOUR = timedelta(hours=1)
# Session, user, second factor, teams; two per section (rows, count); the bell.
# Every user has seven sections; a coordinator two more (what waits for them).
MAX_QUERIES = 4 + 2 * (7 + 2) + 1
DAY = timedelta(days=1)
EMPTY = {
    "missed": "No missed check-ins",
    "exposures": "No exposure warning is open",
    "critical": "No critical case is waiting",
    "follow-ups": "No follow-up is overdue",
    "referrals": "No referral is overdue",
    "reminders": "No open reminders",
}


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, name: str) -> str:
    """The HTML of one section, so that a marker is found where it belongs."""
    start = html.index(f'aria-labelledby="dash-{name}"')
    end = html.find("</section>", start)
    return html[start:end]


def missed_checkin(case, *, heard=False):
    now = timezone.now()
    return CheckIn.objects.create(case=case, due_at=now - HOUR, heard_at=now if heard else None)


def referral(case, partner, status, **fields):
    """A referral in a given state, its deadlines set directly."""
    sent_at = None if status == "draft" else timezone.now()
    return ReferralFactory(case=case, partner=partner, status=status, sent_at=sent_at, **fields)


def notify(user, case, *, done=False, key=None, referral=None):
    return Notification.objects.create(
        user=user,
        kind=Kind.REFERRAL_UNACKNOWLEDGED if referral else Kind.FOLLOW_UP,
        key=key or f"follow_up:{case.pk}",
        case=case,
        referral=referral,
        done_at=timezone.now() if done else None,
    )


# Access


@pytest.mark.parametrize("role", ROLES)
def test_only_case_staff_have_a_dashboard(client, personas, role):
    if role != "anonymous":
        client.force_login(personas[role])
    response = client.get(URL)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in ("partner", "auditor", "admin"):
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["operator", "caseworker", "coordinator"])
def test_home_sends_case_staff_to_the_dashboard(client, personas, role):
    client.force_login(personas[role])
    assert client.get("/")["Location"] == URL


def test_a_new_user_is_told_plainly_that_nothing_is_waiting(client, caseworker):
    html = page(client, caseworker)
    for name, message in EMPTY.items():
        assert message in section(html, name)
    assert "<table" not in html


# Sections


def test_missed_check_ins_until_someone_is_heard_from(client, caseworker, team_a):
    missed_checkin(CaseFactory(team=team_a, alias="Missed-Heron"))
    missed_checkin(CaseFactory(team=team_a, alias="Heard-Crane"), heard=True)
    CheckIn.objects.create(
        case=CaseFactory(team=team_a, alias="Later-Swift"), due_at=timezone.now() + HOUR
    )
    html = section(page(client, caseworker), "missed")
    assert "Missed-Heron" in html
    assert "Heard-Crane" not in html and "Later-Swift" not in html


def test_critical_requests_wait_for_a_first_response_from_the_moment_they_arrive(
    client, caseworker, team_a
):
    waiting = CaseFactory(team=team_a, risk=4, alias="Waiting-Owl")
    NoteFactory(case=CaseFactory(team=team_a, risk=4, alias="Noted-Wren"), author=caseworker)
    moved = CaseFactory(team=team_a, risk=4, alias="Moved-Lark")
    intake_services.case_move(case=moved, to="verifying", by=caseworker)
    CaseFactory(team=team_a, risk=3, alias="High-Finch")
    html = section(page(client, caseworker), "critical")
    assert "Waiting-Owl" in html and waiting.reference in html
    for absent in ("Noted-Wren", "Moved-Lark", "High-Finch"):
        assert absent not in html


def test_overdue_follow_ups_start_with_ones_own(client, caseworker, coordinator, team_a):
    past = timezone.localdate() - DAY
    CaseFactory(team=team_a, follow_up_on=past, alias="Nobodys-Jay", risk=4)
    CaseFactory(team=team_a, follow_up_on=past - DAY, alias="Own-Robin", assignee=caseworker)
    CaseFactory(team=team_a, follow_up_on=past, alias="Coords-Kite", assignee=coordinator)
    CaseFactory(team=team_a, follow_up_on=timezone.localdate() + DAY, alias="Future-Tern")
    CaseFactory(
        team=team_a,
        follow_up_on=past,
        alias="Closed-Gull",
        status="closed",
        closure_reason="stable",
    )
    html = section(page(client, caseworker), "follow-ups")
    assert html.index("Own-Robin") < html.index("Nobodys-Jay")
    for absent in ("Coords-Kite", "Future-Tern", "Closed-Gull"):
        assert absent not in html
    # A coordinator answers for the whole team: their own, the unassigned, then the rest.
    html = section(page(client, coordinator), "follow-ups")
    assert html.index("Coords-Kite") < html.index("Nobodys-Jay") < html.index("Own-Robin")


def test_overdue_referrals_not_acknowledged_or_not_completed(
    client, caseworker, team_a, partner_org
):
    case = CaseFactory(team=team_a, status="active", alias="Referred-Dove")
    now, yesterday = timezone.now(), timezone.localdate() - DAY
    unacknowledged = referral(case, partner_org, "sent", ack_due_at=now - HOUR)
    uncompleted = referral(
        case, partner_org, "accepted", ack_due_at=now - DAY, complete_by=yesterday
    )
    in_time = referral(case, partner_org, "sent", ack_due_at=now + HOUR)
    acknowledged = referral(case, partner_org, "acknowledged", ack_due_at=now - HOUR)
    completed = referral(case, partner_org, "completed", complete_by=yesterday)
    html = section(page(client, caseworker), "referrals")
    assert unacknowledged.reference in html and uncompleted.reference in html
    assert "Referred-Dove" in html and partner_org.name in html
    for absent in (in_time, acknowledged, completed):
        assert absent.reference not in html


def test_open_reminders_newest_first_and_done_from_here(client, caseworker, coordinator, team_a):
    older = notify(caseworker, CaseFactory(team=team_a, alias="Older-Stork"))
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - DAY)
    notify(caseworker, CaseFactory(team=team_a, alias="Newer-Egret"))
    notify(caseworker, CaseFactory(team=team_a, alias="Done-Ibis"), done=True)
    notify(coordinator, CaseFactory(team=team_a, alias="Theirs-Rook"))
    html = section(page(client, caseworker), "reminders")
    assert html.index("Newer-Egret") < html.index("Older-Stork")
    assert "Done-Ibis" not in html and "Theirs-Rook" not in html
    response = client.post(
        reverse("reminders:notification_done"), {"notification": older.pk, "back": "dashboard"}
    )
    assert response["Location"] == URL
    assert "Older-Stork" not in section(page(client, caseworker), "reminders")


def test_a_colleague_s_duress_sign_in_comes_first_until_marked_done(client, coordinator, team_a):
    """Above missed check-ins, and apart from the other reminders: someone of the team
    may be held right now. Its own section only while one is open."""
    assert "dash-duress" not in page(client, coordinator)
    colleague = UserFactory(username="zqx-held", teams=[team_a])
    missed_checkin(CaseFactory(team=team_a, alias="Missed-Crane"))
    notify(coordinator, CaseFactory(team=team_a, alias="Follow-Heron"))
    assert staff_duress(colleague) == 1
    html = page(client, coordinator)
    assert html.index('id="dash-duress"') < html.index('id="dash-missed"')
    alerts = section(html, "duress")
    assert "zqx-held" in alerts and reverse("team") in alerts
    assert "zqx-held" not in section(html, "reminders")
    assert "Follow-Heron" in section(html, "reminders")
    alert = Notification.objects.get(kind=Kind.STAFF_DURESS)
    done = client.post(
        reverse("reminders:notification_done"), {"notification": alert.pk, "back": "dashboard"}
    )
    assert done["Location"] == URL
    assert "dash-duress" not in page(client, coordinator)


def test_marking_done_never_redirects_off_the_site(client, caseworker, case):
    note = notify(caseworker, case)
    client.force_login(caseworker)
    response = client.post(
        reverse("reminders:notification_done"),
        {"notification": note.pk, "back": "https://evil.example/"},
    )
    assert response["Location"] == reverse("reminders:notification_list")


def test_a_long_section_shows_the_first_few_and_links_to_all(client, caseworker, team_a):
    past = timezone.localdate() - DAY
    CaseFactory.create_batch(SHOWN + 2, team=team_a, follow_up_on=past)
    html = section(page(client, caseworker), "follow-ups")
    assert html.count("<tr>") == SHOWN + 1  # the header row and the shown rows
    assert f'<span class="total due">{SHOWN + 2}</span>' in html
    assert "2 more are not shown here." in html
    assert f"{reverse('intake:case_list')}?overdue=yes" in html


# Isolation and what is never shown


def every_kind_of_item(team, user, alias, partner, assignee=None):
    """One case in every section: missed, critical and unanswered, overdue, referred late."""
    case = CaseFactory(
        team=team,
        assignee=assignee,
        risk=4,
        alias=alias,
        follow_up_on=timezone.localdate() - DAY,
        narrative=f"{alias}-narrative",
        contact_handle=f"@{alias}-handle",
        safe_contact=f"{alias}-safe",
        location=f"{alias}-location",
    )
    missed_checkin(case)
    late = referral(case, partner, "sent", ack_due_at=timezone.now() - HOUR)
    notify(user, case, key=f"referral_ack:{late.pk}", referral=late)
    exposure(case)
    draft_sharing_handle(case, partner, user)
    # And a case of another team that asks this one to take it.
    elsewhere = CaseFactory(team=TeamFactory(), alias=f"{alias}-asked")
    Transfer.objects.create(case=elsewhere, from_team=elsewhere.team, to_team=team)
    return case, late


def test_the_outsider_never_sees_team_a(client, coordinator, outsider, team_a, team_b):
    theirs, their_referral = every_kind_of_item(
        team_a, coordinator, "TeamA-Marker", PartnerFactory(team=team_a)
    )
    # A reminder addressed to the outsider about a case they may not (or no longer) see.
    notify(outsider, theirs, key="stale")
    own, _ = every_kind_of_item(team_b, outsider, "TeamB-Marker", PartnerFactory(team=team_b))
    html = page(client, outsider)
    for marker in ("TeamA-Marker", theirs.reference, their_referral.reference):
        assert marker not in html
    for name in ("missed", "exposures", "critical", "follow-ups", "referrals", "reminders"):
        assert own.reference in section(html, name)
    assert "TeamB-Marker-asked" not in html and "TeamA-Marker-asked" not in html


def test_it_shows_the_alias_and_nothing_else_of_a_case(client, coordinator, team_a, partner_org):
    every_kind_of_item(team_a, coordinator, "Shown-Alias", partner_org)
    client.force_login(coordinator)
    client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(URL).content.decode()
    assert "Shown-Alias" in html
    for secret in ("narrative", "handle", "safe", "location"):
        assert f"Shown-Alias-{secret}" not in html
    # Not even loaded (and so never decrypted): the columns are not in any query.
    sql = "\n".join(q["sql"] for q in captured.captured_queries)
    for column in ("narrative", "contact_handle", "safe_contact", "location", "summary"):
        assert f'."{column}"' not in sql


def queries(client) -> int:
    client.get(URL)  # the first page of a session writes it once; count a later one
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured.captured_queries)


def test_it_costs_the_same_for_one_item_per_section_as_for_thirty(
    client, coordinator, caseworker, team_a, partner_org
):
    client.force_login(coordinator)
    # Assigned to someone else, so that the coordinator's rows name the assignee.
    every_kind_of_item(team_a, coordinator, "first", partner_org, assignee=caseworker)
    one = queries(client)
    for n in range(29):
        every_kind_of_item(team_a, coordinator, f"more-{n}", partner_org, assignee=caseworker)
    html = client.get(URL).content.decode()
    for name in ("missed", "exposures", "critical", "follow-ups", "referrals", "reminders"):
        assert '<span class="total due">30</span>' in section(html, name)
    assert '<span class="total due">60</span>' in section(html, "waiting")  # 30 and 30
    assert queries(client) == one <= MAX_QUERIES
    assert Referral.objects.count() == 60  # a late one and a draft for each


# What waits for a coordinator, and the exposure warnings


def test_a_coordinator_sees_what_waits_for_them_and_a_caseworker_does_not(
    client, caseworker, coordinator, team_a, team_b, outsider, partner_org
):
    case = CaseFactory(team=team_a, status="active", alias="Waiting-Alias")
    draft = draft_sharing_handle(case, partner_org, caseworker)
    asked = CaseFactory(team=team_b, alias="Asked-Alias", narrative="Asked-Narrative")
    Transfer.objects.create(case=asked, from_team=team_b, to_team=team_a, requested_by=outsider)
    html = section(page(client, coordinator), "waiting")
    assert draft.reference in html and "Waiting-Alias" in html
    assert reverse("referrals:referral_detail", args=[draft.reference]) in html
    # The other team's case: its reference, who asks, where to answer; nothing of it else.
    assert asked.reference in html and "outsider, Team B" in html
    assert reverse("intake:transfer_requests") in html
    assert "Asked-Alias" not in html and "Asked-Narrative" not in html
    full = page(client, caseworker)
    assert 'id="dash-waiting"' not in full and draft.reference not in full


def test_nothing_waiting_is_said_plainly_to_a_coordinator(client, coordinator):
    assert "No referral waits for your approval" in section(page(client, coordinator), "waiting")


def test_an_approved_draft_and_an_answered_request_no_longer_wait(
    client, caseworker, coordinator, team_a, team_b, outsider, partner_org
):
    draft = draft_sharing_handle(CaseFactory(team=team_a), partner_org, caseworker)
    Referral.objects.filter(pk=draft.pk).update(approved_at=timezone.now())
    asked = CaseFactory(team=team_b)
    Transfer.objects.create(case=asked, from_team=team_b, to_team=team_a, accepted=False)
    html = section(page(client, coordinator), "waiting")
    assert draft.reference not in html and asked.reference not in html


def test_exposure_warnings_come_right_after_missed_check_ins_until_handled(
    client, caseworker, team_a, team_b
):
    warned = CaseFactory(team=team_a, alias="Warned-Heron", risk=4)
    missed_checkin(CaseFactory(team=team_a, alias="Missed-Crane"))
    warning = exposure(warned)
    exposure(CaseFactory(team=team_b, alias="Other-Teams-Warned"))
    html = page(client, caseworker)
    order = [html.index(f'aria-labelledby="dash-{name}"') for name in ("missed", "exposures")]
    assert order == sorted(order) and order[1] < html.index('aria-labelledby="dash-critical"')
    assert "Warned-Heron" in section(html, "exposures")
    assert "Other-Teams-Warned" not in html
    handled(warning, caseworker)
    assert "No exposure warning is open" in section(page(client, caseworker), "exposures")
