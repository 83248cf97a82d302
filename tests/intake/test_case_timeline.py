"""The case page's timeline: every kind of entry, who made it, oldest first."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import CaseEvent, CheckIn, Note, StatusChange
from intake.selectors import case_timeline, referrals_with_history
from intake.status import Status
from referrals.models import ReferralChange
from referrals.services import referral_move
from tests.factories import CaseFactory, ReferralFactory

START = timezone.now() - timedelta(days=10)


def at(days):
    return START + timedelta(days=days)


def test_the_timeline_holds_every_kind_of_entry_with_who_made_it_oldest_first(
    caseworker, coordinator, operator, team_a, partner_org
):
    case = CaseFactory(team=team_a, created_by=operator)
    type(case).objects.filter(pk=case.pk).update(created_at=at(0))
    case.refresh_from_db()
    # Written out of order on purpose: the timeline sorts them.
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=coordinator)
    ReferralChange.objects.filter(referral=referral).update(at=at(4))
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ASSIGNED, by=coordinator, at=at(3))
    case.move_to(Status.VERIFYING, by=caseworker)
    StatusChange.objects.filter(case=case).update(at=at(2))
    Note.objects.create(case=case, author=caseworker, body="first call", created_at=at(1))

    for referrals in (None, referrals_with_history(case)):
        entries = case_timeline(case, referrals)
        assert [(e.kind, e.by.username) for e in entries] == [
            ("created", "operator"),
            ("note", "caseworker"),
            ("status", "caseworker"),
            ("event", "coordinator"),
            ("referral", "coordinator"),
        ]
        assert [e.at for e in entries] == [at(0), at(1), at(2), at(3), at(4)]


def timeline_queries(case):
    with CaptureQueriesContext(connection) as queries:
        [(e.kind, e.by and e.by.username) for e in case_timeline(case)]
    return len(queries.captured_queries)


def busy_case(team, people, partner, times):
    case = CaseFactory(team=team, created_by=people[0])
    for n in range(times):
        CheckIn.objects.create(
            case=case,
            due_at=at(n),
            set_by=people[n % 3],
            heard_at=at(n + 1),
            heard_by=people[(n + 1) % 3],
            escalated_at=at(n),
        )
        Note.objects.create(case=case, author=people[n % 3], body=f"note {n}")
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ASSIGNED, by=people[n % 3])
        StatusChange.objects.create(case=case, from_status="new", to_status="new", by=people[n % 3])
        referral = ReferralFactory(case=case, partner=partner)
        referral_move(referral=referral, to="sent", by=people[n % 3])
        referral_move(referral=referral, to="withdrawn", by=people[(n + 1) % 3])
    return case


def test_the_timeline_costs_the_same_queries_however_long_it_is(
    caseworker, coordinator, operator, team_a, partner_org
):
    people = [caseworker, coordinator, operator]
    short = busy_case(team_a, people, partner_org, 1)
    long = busy_case(team_a, people, partner_org, 4)
    assert timeline_queries(short) == timeline_queries(long)


def test_the_case_page_leaves_the_referrals_encrypted_texts_unread(caseworker, team_a, partner_org):
    # Not shown on the case page: neither decrypted for nothing nor held in the clear.
    case = CaseFactory(team=team_a)
    ReferralFactory(case=case, partner=partner_org)
    (referral,) = referrals_with_history(case)
    assert {"summary", "decline_reason", "outcome_note"} <= referral.get_deferred_fields()
    assert "contact_details" in referral.partner.get_deferred_fields()


def test_setting_a_check_in_and_hearing_from_them_are_on_the_timeline(
    caseworker, coordinator, operator, team_a
):
    case = CaseFactory(team=team_a, created_by=operator)
    type(case).objects.filter(pk=case.pk).update(created_at=at(0))
    case.refresh_from_db()
    heard = CheckIn.objects.create(
        case=case, due_at=at(3), set_by=caseworker, created_at=at(1), heard_at=at(2),
        heard_by=coordinator,
    )  # fmt: skip
    missed = CheckIn.objects.create(
        case=case, due_at=at(4), set_by=coordinator, created_at=at(3.5), escalated_at=at(5)
    )
    entries = case_timeline(case)
    assert [(e.kind, e.at, e.by and e.by.username, e.item) for e in entries] == [
        ("created", at(0), "operator", None),
        ("checkin_set", at(1), "caseworker", heard),
        ("checkin_heard", at(2), "coordinator", heard),
        ("checkin_set", at(3.5), "coordinator", missed),
        # The scan told the coordinators: nobody did it.
        ("checkin_missed", at(5), None, missed),
    ]


def test_the_case_page_shows_who_set_a_check_in_when_and_for_when(client, caseworker, team_a):
    case = CaseFactory(team=team_a)
    client.force_login(caseworker)
    url = reverse("intake:checkin_set", args=[case.reference])
    due = timezone.localtime() + timedelta(hours=3)
    assert client.post(url, {"due_at": due.strftime("%Y-%m-%dT%H:%M")}).status_code == 302
    checkin = CheckIn.objects.get()
    heard = reverse("intake:checkin_heard", args=[case.reference])
    assert client.post(heard, {"checkin": checkin.pk}).status_code == 302
    html = client.get(case.page_url).content.decode()
    timeline = html[html.index('class="timeline"') :]
    shown_due = timezone.localtime(checkin.due_at).strftime("%Y-%m-%d %H:%M")
    assert f"Check-in set: must have heard from them by {shown_due}" in timeline
    assert f"Heard from them (check-in due {shown_due}" in timeline
    assert timeline.count('<span class="by">caseworker</span>') == 2
