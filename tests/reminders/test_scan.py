"""Reminders fire once per due event, to the right people."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from intake import services as intake_services
from intake.models import Case, CheckIn
from referrals.models import Referral
from referrals.services import referral_move
from reminders import services
from reminders.models import Kind, Notification
from reminders.tasks import scan_reminders, send_digests
from tests.concurrency import run_at_once
from tests.factories import CaseFactory, ReferralFactory

HOUR = timedelta(hours=1)


def aged(hours, **kwargs):
    case = CaseFactory(**kwargs)
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - hours * HOUR)
    return Case.objects.get(pk=case.pk)


def keys():
    return sorted(Notification.objects.values_list("user__username", "kind"))


@pytest.mark.parametrize(
    ("risk", "hours", "due"),
    [
        (4, 2, True),
        (4, 0.5, False),
        (3, 25, True),
        (3, 23, False),
        (2, 73, True),
        (1, 24 * 6, False),
    ],
)
def test_first_response_is_due_by_risk(db, team_a, coordinator, risk, hours, due):
    aged(hours, team=team_a, risk=risk)
    services.scan()
    assert keys() == ([("coordinator", "first_response")] if due else [])


def test_an_answered_request_needs_no_reminder(db, team_a, coordinator, caseworker):
    case = aged(5, team=team_a, risk=4)
    intake_services.note_add(case=case, body="Called back.", by=caseworker)
    services.scan()
    assert keys() == []


def test_the_assignee_is_told_instead_of_the_coordinators(db, team_a, coordinator, caseworker):
    aged(5, team=team_a, risk=4, assignee=caseworker)
    services.scan()
    assert keys() == [("caseworker", "first_response")]


def test_each_reminder_fires_once_however_often_the_scan_runs(db, team_a, coordinator):
    aged(5, team=team_a, risk=4)
    services.scan()
    services.scan()
    scan_reminders()
    assert Notification.objects.count() == 1


def test_a_moved_follow_up_is_a_new_event(db, team_a, coordinator):
    today = timezone.localdate()
    case = CaseFactory(team=team_a, follow_up_on=today - timedelta(days=1))
    services.scan()
    Case.objects.filter(pk=case.pk).update(follow_up_on=today)
    services.scan()
    services.scan()
    # The earlier date's reminder is gone with its cause (reminders.services.close_ended).
    standing = Notification.objects.values_list("key", flat=True)
    assert list(standing) == [f"follow_up:{case.pk}:{today}"]


def test_a_closed_case_has_no_follow_up_reminder(db, team_a, coordinator):
    CaseFactory(
        team=team_a,
        follow_up_on=timezone.localdate(),
        status="closed",
        closure_reason="stable",
    )
    services.scan()
    assert keys() == []


def test_referrals_not_acknowledged_or_not_completed_in_time(db, team_a, coordinator, partner):
    case = CaseFactory(team=team_a, status="active")
    late = ReferralFactory(case=case)
    referral_move(referral=late, to="sent", by=None)
    Referral.objects.filter(pk=late.pk).update(ack_due_at=timezone.now() - HOUR)
    slow = ReferralFactory(case=case, complete_by=timezone.localdate() - timedelta(days=1))
    for step in ("sent", "acknowledged", "accepted"):
        referral_move(referral=slow, to=step, by=None)
    in_time = ReferralFactory(case=case)
    referral_move(referral=in_time, to="sent", by=None)
    services.scan()
    by_referral = dict(Notification.objects.values_list("referral_id", "kind"))
    assert by_referral == {
        late.pk: "referral_unacknowledged",
        slow.pk: "referral_uncompleted",
    }


class TestCheckIns:
    def missed(self, case, by):
        checkin = intake_services.checkin_set(case=case, due_at=timezone.now() + HOUR, by=by)
        CheckIn.objects.filter(pk=checkin.pk).update(due_at=timezone.now() - timedelta(minutes=1))
        return checkin

    def test_a_missed_check_in_escalates_to_coordinators_and_assignee_once(
        self, db, team_a, coordinator, caseworker
    ):
        case = CaseFactory(team=team_a, status="active", assignee=caseworker)
        checkin = self.missed(case, caseworker)
        services.scan()
        services.scan()
        assert keys() == [("caseworker", "checkin_missed"), ("coordinator", "checkin_missed")]
        assert CheckIn.objects.get(pk=checkin.pk).escalated_at is not None

    def test_a_confirmed_check_in_never_escalates(self, db, team_a, coordinator, caseworker):
        case = CaseFactory(team=team_a, status="active")
        checkin = self.missed(case, caseworker)
        intake_services.checkin_heard(checkin=checkin, by=caseworker)
        services.scan()
        assert keys() == []

    def test_a_future_check_in_does_not_escalate(self, db, team_a, coordinator, caseworker):
        case = CaseFactory(team=team_a, status="active")
        intake_services.checkin_set(case=case, due_at=timezone.now() + HOUR, by=caseworker)
        services.scan()
        assert keys() == []

    def test_it_comes_first_among_reminders(self, client, team_a, coordinator, caseworker):
        aged(5, team=team_a, risk=4)
        self.missed(CaseFactory(team=team_a, status="active"), caseworker)
        services.scan()
        client.force_login(coordinator)
        page = client.get(reverse("reminders:notification_list")).content.decode()
        body = page[page.index('class="notifications"') :]
        assert body.index("Missed check-in") < body.index("First response due")

    def test_it_stays_on_top_of_the_dashboard_until_handled(
        self, client, team_a, coordinator, caseworker
    ):
        case = CaseFactory(team=team_a, status="active", alias="Heron")
        checkin = self.missed(case, caseworker)
        client.force_login(caseworker)
        page = client.get(reverse("intake:case_list")).content.decode()
        assert "Missed check-ins" in page
        assert page.index("Missed check-ins") < page.index("<table")
        url = reverse("intake:checkin_heard", args=[case.reference])
        assert client.post(url, {"checkin": checkin.pk}).status_code == 302
        assert "Missed check-ins" not in client.get(reverse("intake:case_list")).content.decode()

    def test_setting_a_check_in_through_the_page(self, client, caseworker, case):
        client.force_login(caseworker)
        url = reverse("intake:checkin_set", args=[case.reference])
        due = (timezone.localtime() + 3 * HOUR).strftime("%Y-%m-%dT%H:%M")
        assert client.post(url, {"due_at": due}).status_code == 302
        assert CheckIn.objects.get().case == case
        for bad in ("2000-01-01T00:00", "not a time", ""):
            assert client.post(url, {"due_at": bad}).status_code == 400
        assert CheckIn.objects.count() == 1


class TestTheBellAndList:
    def test_the_bell_counts_and_done_clears(self, client, team_a, coordinator):
        case = aged(5, team=team_a, risk=4, alias="Bell-alias")
        services.scan()
        client.force_login(coordinator)
        page = client.get(reverse("intake:case_list")).content.decode()
        assert '<span class="count due">1</span>' in page
        listing = client.get(reverse("reminders:notification_list")).content.decode()
        assert "First response due" in listing and case.reference in listing
        note = Notification.objects.get()
        client.post(reverse("reminders:notification_done"), {"notification": note.pk})
        assert Notification.objects.open().count() == 0

    @pytest.mark.parametrize(("open_count", "shown"), [(99, "99"), (100, "99+"), (130, "99+")])
    def test_the_bell_stops_counting_at_99(self, client, team_a, coordinator, open_count, shown):
        case = CaseFactory(team=team_a)
        Notification.objects.bulk_create(
            Notification(user=coordinator, kind=Kind.FIRST_RESPONSE, key=f"k{n}", case=case)
            for n in range(open_count)
        )
        client.force_login(coordinator)
        page = client.get(reverse("intake:case_list")).content.decode()
        assert f'<span class="count due">{shown}</span>' in page

    def test_a_case_moved_to_another_team_leaves_the_list_and_the_bell(
        self, client, team_a, team_b, coordinator
    ):
        case = aged(5, team=team_a, risk=4, alias="Moved-Away-Alias")
        services.scan()
        Case.objects.filter(pk=case.pk).update(team=team_b)
        client.force_login(coordinator)
        listing = client.get(reverse("reminders:notification_list")).content.decode()
        assert "Moved-Away-Alias" not in listing and case.reference not in listing
        assert '<span class="count">0</span>' in listing

    def test_nobody_marks_another_users_reminder(self, client, team_a, coordinator, caseworker):
        aged(5, team=team_a, risk=4)
        services.scan()
        note = Notification.objects.get()
        client.force_login(caseworker)
        for value in (note.pk, "x", ""):
            response = client.post(reverse("reminders:notification_done"), {"notification": value})
            assert response.status_code == 404
        assert Notification.objects.open().count() == 1

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("operator", 200),
            ("caseworker", 200),
            ("coordinator", 200),
            ("outsider", 200),
            ("partner", 404),
            ("auditor", 404),
            ("admin", 404),
        ],
    )
    def test_who_has_a_reminder_list(self, client, personas, role, status):
        client.force_login(personas[role])
        assert client.get(reverse("reminders:notification_list")).status_code == status

    def test_the_list_needs_sign_in(self, client, db):
        response = client.get(reverse("reminders:notification_list"))
        assert response["Location"].startswith(reverse("login"))


class TestDigest:
    def test_the_email_says_only_how_many(self, db, team_a, coordinator, settings):
        settings.CORRIDOR_REMINDER_EMAILS = True
        coordinator.email = "coordinator@example.org"
        coordinator.save()
        case = aged(5, team=team_a, risk=4, alias="MAIL-ALIAS", contact_handle="@mail_handle")
        services.scan()
        assert send_digests() == 1
        assert send_digests() == 0  # nothing new since
        (message,) = mail.outbox
        assert message.subject == "You have 1 item due in Corridor"
        assert "/notifications/" in message.body
        for secret in ("MAIL-ALIAS", "mail_handle", case.reference, "First response"):
            assert secret not in message.subject + message.body

    def test_no_email_unless_enabled(self, db, team_a, coordinator, settings):
        settings.CORRIDOR_REMINDER_EMAILS = False
        coordinator.email = "coordinator@example.org"
        coordinator.save()
        aged(5, team=team_a, risk=4)
        services.scan()
        assert send_digests() == 0
        assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_once_make_each_reminder_once(team_a, coordinator, caseworker):
    for _ in range(5):
        aged(5, team=team_a, risk=4)
    case = CaseFactory(team=team_a, status="active")
    checkin = intake_services.checkin_set(case=case, due_at=timezone.now() + HOUR, by=caseworker)
    CheckIn.objects.filter(pk=checkin.pk).update(due_at=timezone.now() - HOUR)
    outcomes = run_at_once(services.scan)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Notification.objects.filter(kind="first_response").count() == 5
    assert Notification.objects.filter(kind="checkin_missed").count() == 1
    # Each scan reports what it wrote itself: together, every reminder once.
    assert sum(outcomes) == Notification.objects.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_closing_and_telling_again_at_once(team_a, coordinator):
    """Both choose the same ended reminders: each goes once, and, due again, comes back once."""
    today = timezone.localdate()
    cases = [CaseFactory(team=team_a, status="active", follow_up_on=today) for _ in range(5)]
    services.scan()
    Case.objects.update(follow_up_on=today + timedelta(days=1))
    outcomes = run_at_once(services.scan)
    assert outcomes == [0, 0]
    assert not Notification.objects.exists()
    Case.objects.update(follow_up_on=today)
    outcomes = run_at_once(services.scan)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(outcomes) == Notification.objects.open().count() == len(cases)


def test_a_scan_counts_only_the_reminders_it_wrote(db, team_a, coordinator, monkeypatch):
    aged(5, team=team_a, risk=4)
    other = aged(5, team=team_a, risk=4)
    follow_ups_due = services.follow_ups_due

    def another_scan_writes_meanwhile(now):
        # This scan holds both first responses, not yet written, when a
        # second worker's scan writes one of them.
        key = f"first_response:{other.pk}"
        services.notify(services.Due(Kind.FIRST_RESPONSE, key, other.pk, team_a.pk, None))
        yield from follow_ups_due(now)

    monkeypatch.setattr(services, "follow_ups_due", another_scan_writes_meanwhile)
    assert services.scan() == 1
    assert Notification.objects.filter(kind="first_response").count() == 2
