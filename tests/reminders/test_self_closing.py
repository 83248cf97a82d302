"""A reminder whose cause has ended closes itself on the next scan (it is removed, so
the same event, due again, is told again); an announcement stays until its user marks
it done; a reminder another scan just wrote is never closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake import services as intake_services
from intake import transfers
from intake.models import Case, CheckIn
from network.models import Cause
from referrals.models import Referral
from referrals.services import referral_approve, referral_move
from reminders import services
from reminders.models import ANNOUNCEMENTS, CLOSE_WHEN_ENDED, Kind, Notification
from tests.factories import CaseFactory, ReferralFactory, UserFactory
from tests.reminders.conftest import active_case, draft_sharing_handle, exposure, handled

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def reminders_of(kind) -> list[tuple[str, bool]]:
    """(key, still open) of every reminder of this kind, oldest first."""
    rows = Notification.objects.filter(kind=kind).order_by("pk")
    return [(key, done is None) for key, done in rows.values_list("key", "done_at")]


def open_keys_of(kind) -> list[str]:
    return list(Notification.objects.open().filter(kind=kind).values_list("key", flat=True))


def open_count(kind) -> int:
    return Notification.objects.open().filter(kind=kind).count()


def test_every_kind_is_either_closed_by_its_cause_or_an_announcement():
    assert CLOSE_WHEN_ENDED | ANNOUNCEMENTS == set(Kind)
    # A duress alert stays until a coordinator marks it done: nothing the scan finds ends it.
    assert ANNOUNCEMENTS == {
        Kind.REFERRAL_ANSWERED,
        Kind.TRANSFERRED_IN,
        Kind.TRANSFER_REFUSED,
        Kind.DURESS,
        Kind.STAFF_DURESS,
    }


class TestWhenTheCauseEnds:
    def test_a_first_response_given(self, team_a, coordinator, caseworker):
        case = CaseFactory(team=team_a, risk=4)
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - 2 * HOUR)
        services.scan()
        assert open_count(Kind.FIRST_RESPONSE) == 1
        intake_services.note_add(case=case, body="Called back.", by=caseworker)
        services.scan()
        assert reminders_of(Kind.FIRST_RESPONSE) == []

    @pytest.mark.parametrize("change", ["moved", "cleared", "case closed"])
    def test_a_follow_up_moved_cleared_or_closed(self, team_a, coordinator, caseworker, change):
        today = timezone.localdate()
        case = active_case(team_a, follow_up_on=today - DAY)
        services.scan()
        if change == "moved":
            intake_services.case_set_follow_up(case=case, on=today + DAY, by=caseworker)
        elif change == "cleared":
            intake_services.case_set_follow_up(case=case, on=None, by=caseworker)
        else:
            intake_services.case_move(
                case=case, to="closed", closure_reason="stable", by=caseworker
            )
        services.scan()
        assert reminders_of(Kind.FOLLOW_UP) == []

    def test_a_follow_up_moved_to_another_past_day_is_a_new_reminder(self, team_a, coordinator):
        today = timezone.localdate()
        case = active_case(team_a, follow_up_on=today - 2 * DAY)
        services.scan()
        Case.objects.filter(pk=case.pk).update(follow_up_on=today - DAY)
        services.scan()
        assert reminders_of(Kind.FOLLOW_UP) == [(f"follow_up:{case.pk}:{today - DAY}", True)]

    @pytest.mark.parametrize("answer", ["acknowledged", "declined", "withdrawn"])
    def test_a_late_referral_answered_or_withdrawn(
        self, team_a, coordinator, caseworker, partner, partner_org, answer
    ):
        referral = ReferralFactory(case=active_case(team_a), partner=partner_org)
        referral_move(referral=referral, to="sent", by=caseworker)
        Referral.objects.filter(pk=referral.pk).update(ack_due_at=timezone.now() - HOUR)
        services.scan()
        assert open_count(Kind.REFERRAL_UNACKNOWLEDGED) == 1
        by = caseworker if answer == "withdrawn" else partner
        referral_move(referral=referral, to=answer, by=by, note="No place left.")
        services.scan()
        assert reminders_of(Kind.REFERRAL_UNACKNOWLEDGED) == []

    def test_a_late_referral_completed(self, team_a, coordinator, caseworker, partner, partner_org):
        referral = ReferralFactory(
            case=active_case(team_a),
            partner=partner_org,
            complete_by=timezone.localdate() - DAY,
        )
        referral_move(referral=referral, to="sent", by=caseworker)
        for step in ("acknowledged", "accepted"):
            referral_move(referral=referral, to=step, by=partner)
        services.scan()
        assert open_count(Kind.REFERRAL_UNCOMPLETED) == 1
        referral_move(referral=referral, to="completed", by=partner)
        services.scan()
        assert reminders_of(Kind.REFERRAL_UNCOMPLETED) == []

    def test_a_missed_check_in_heard_from(self, team_a, coordinator, caseworker):
        case = active_case(team_a, assignee=caseworker)
        checkin = intake_services.checkin_set(
            case=case, due_at=timezone.now() + HOUR, by=caseworker
        )
        CheckIn.objects.filter(pk=checkin.pk).update(due_at=timezone.now() - HOUR)
        services.scan()
        services.scan()
        assert open_count(Kind.CHECKIN_MISSED) == 2  # the assignee and the coordinator
        intake_services.checkin_heard(checkin=checkin, by=caseworker)
        services.scan()
        assert reminders_of(Kind.CHECKIN_MISSED) == []

    @pytest.mark.parametrize("end", ["approved", "withdrawn"])
    def test_an_approval_given_or_the_draft_withdrawn(
        self, team_a, coordinator, caseworker, partner_org, end
    ):
        draft = draft_sharing_handle(active_case(team_a), partner_org, caseworker)
        services.scan()
        assert open_count(Kind.APPROVAL) == 1
        if end == "approved":
            referral_approve(referral=draft, by=coordinator, seen_shared=draft.shared_fields)
        else:
            referral_move(referral=draft, to="withdrawn", by=caseworker)
        services.scan()
        assert reminders_of(Kind.APPROVAL) == []

    @pytest.mark.parametrize("cause", [Cause.LINKED, Cause.ELSEWHERE])
    def test_an_exposure_handled(self, team_a, coordinator, caseworker, cause):
        warning = exposure(active_case(team_a, assignee=caseworker), cause)
        services.scan()
        assert Notification.objects.open().count() == 1
        handled(warning, caseworker)
        services.scan()
        assert not Notification.objects.exists()

    @pytest.mark.parametrize("decision", ["accepted", "refused", "withdrawn"])
    def test_a_transfer_request_decided(
        self, team_a, team_b, coordinator, outsider, caseworker, decision
    ):
        case = active_case(team_a, assignee=caseworker)
        request = transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
        services.scan()
        assert open_count(Kind.TRANSFER_REQUESTED) == 1
        if decision == "accepted":
            transfers.transfer_accept(transfer=request, by=outsider)
        elif decision == "refused":
            transfers.transfer_refuse(transfer=request, by=outsider)
        else:
            transfers.transfer_withdraw(transfer=request, by=coordinator)
        services.scan()
        assert reminders_of(Kind.TRANSFER_REQUESTED) == []

    def test_one_marked_done_by_its_user_keeps_the_time_they_did(
        self, team_a, coordinator, caseworker
    ):
        today = timezone.localdate()
        case = active_case(team_a, follow_up_on=today - DAY)
        services.scan()
        then = timezone.now() - HOUR
        Notification.objects.update(done_at=then)
        intake_services.case_set_follow_up(case=case, on=None, by=caseworker)
        services.scan()
        assert Notification.objects.get().done_at == then


class TestWhenTheCauseReturns:
    """A reminder the scan closed is gone: its event, due again, is told again."""

    def test_a_first_response_whose_risk_was_lowered_is_due_at_the_lower_deadline(
        self, team_a, coordinator
    ):
        case = CaseFactory(team=team_a, risk=4)
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - 2 * HOUR)
        services.scan()
        assert open_count(Kind.FIRST_RESPONSE) == 1
        Case.objects.filter(pk=case.pk).update(risk=3)  # lowered before anyone answered
        services.scan()
        assert open_count(Kind.FIRST_RESPONSE) == 0
        # The high-risk deadline passes and the person still waits.
        services.scan(now=timezone.now() + 24 * HOUR)
        assert open_keys_of(Kind.FIRST_RESPONSE) == [f"first_response:{case.pk}"]

    def test_an_approval_whose_shared_fields_go_back(
        self, team_a, coordinator, caseworker, partner_org
    ):
        draft = draft_sharing_handle(active_case(team_a), partner_org, caseworker)
        first = list(draft.shared_fields)
        services.scan()
        for shared in (first + ["region"], first):
            Referral.objects.filter(pk=draft.pk).update(shared_fields=shared)
            services.scan()
        assert open_keys_of(Kind.APPROVAL) == [f"approval:{draft.pk}:alias.contact_handle"]

    def test_a_follow_up_moved_away_and_back(self, team_a, coordinator, caseworker):
        today = timezone.localdate()
        case = active_case(team_a, follow_up_on=today - DAY)
        services.scan()
        for on in (today + DAY, today - DAY):
            intake_services.case_set_follow_up(case=case, on=on, by=caseworker)
            services.scan()
        assert open_keys_of(Kind.FOLLOW_UP) == [f"follow_up:{case.pk}:{today - DAY}"]

    def test_cross_team_warnings_switched_off_and_on(self, team_b, outsider, settings):
        warning = exposure(active_case(team_b), Cause.ELSEWHERE)
        services.scan()
        settings.CROSS_TEAM_EXPOSURE_WARNINGS = False
        services.scan()
        assert open_count(Kind.EXPOSURE_ELSEWHERE) == 0
        settings.CROSS_TEAM_EXPOSURE_WARNINGS = True
        services.scan()
        assert open_keys_of(Kind.EXPOSURE_ELSEWHERE) == [f"exposure:{warning.pk}"]

    def test_one_its_user_marked_done_is_not_told_again(self, team_a, coordinator, caseworker):
        today = timezone.localdate()
        case = active_case(team_a, follow_up_on=today - DAY)
        services.scan()
        (reminder,) = Notification.objects.all()
        assert services.mark_done(user=coordinator, notification_id=reminder.pk)
        for on in (today + DAY, today - DAY):
            intake_services.case_set_follow_up(case=case, on=on, by=caseworker)
            services.scan()
        assert reminders_of(Kind.FOLLOW_UP) == [(reminder.key, False)]

    def test_told_again_is_e_mailed_again(self, team_a, coordinator, caseworker, settings):
        coordinator.email = "coordinator@example.org"
        coordinator.save()
        today = timezone.localdate()
        case = active_case(team_a, follow_up_on=today - DAY)
        services.scan()
        assert services.send_digests() == 1
        intake_services.case_set_follow_up(case=case, on=today + DAY, by=caseworker)
        services.scan()
        assert services.send_digests() == 0
        intake_services.case_set_follow_up(case=case, on=today - DAY, by=caseworker)
        services.scan()
        assert services.send_digests() == 1
        assert services.send_digests() == 0


class TestWhatStays:
    def test_a_reminder_still_due_stays_open(self, team_a, coordinator):
        active_case(team_a, follow_up_on=timezone.localdate() - DAY)
        services.scan()
        services.scan()
        assert open_count(Kind.FOLLOW_UP) == 1

    def test_announcements_stay_until_done(
        self, team_a, team_b, coordinator, caseworker, outsider, partner, partner_org
    ):
        referral = ReferralFactory(
            case=active_case(team_a), partner=partner_org, created_by=caseworker
        )
        referral_move(referral=referral, to="sent", by=caseworker)
        referral_move(referral=referral, to="declined", by=partner, note="Full.")
        moved = active_case(team_a)
        UserFactory(username="also_b", role="coordinator", teams=[team_b])
        request = transfers.case_transfer(case=moved, to_team=team_b, by=coordinator)
        transfers.transfer_accept(transfer=request, by=outsider)
        services.scan()
        assert open_count(Kind.REFERRAL_ANSWERED) == 1 and open_count(Kind.TRANSFERRED_IN) == 1
        # Long after: neither is due any more, and neither closes.
        services.scan(now=timezone.now() + services.ANNOUNCE_WITHIN + DAY)
        assert open_count(Kind.REFERRAL_ANSWERED) == 1 and open_count(Kind.TRANSFERRED_IN) == 1


class TestTheRace:
    def test_a_reminder_written_while_the_scan_runs_is_never_closed(
        self, team_a, coordinator, monkeypatch
    ):
        """Another worker's scan writes a reminder this scan read too early to see."""
        late = active_case(team_a, follow_up_on=timezone.localdate() - DAY)
        key = f"follow_up:{late.pk}:{late.follow_up_on}"
        follow_ups_due = services.follow_ups_due

        def the_event_comes_due_after_this_scan_read_it(now):
            # This scan reads no follow-up as due; meanwhile another scan writes one.
            yield from ()
            services.notify(services.Due(Kind.FOLLOW_UP, key, late.pk, team_a.pk, None))

        monkeypatch.setattr(services, "follow_ups_due", the_event_comes_due_after_this_scan_read_it)
        services.scan()
        assert reminders_of(Kind.FOLLOW_UP) == [(key, True)]
        monkeypatch.setattr(services, "follow_ups_due", follow_ups_due)

    def test_without_the_guard_the_same_reminder_would_be_closed(self, team_a, coordinator):
        """The guard's power: closing by key alone closes what another scan just wrote."""
        late = active_case(team_a, follow_up_on=timezone.localdate() - DAY)
        key = f"follow_up:{late.pk}:{late.follow_up_on}"
        services.notify(services.Due(Kind.FOLLOW_UP, key, late.pk, team_a.pk, None))
        assert services.close_ended(set(), before=timezone.now()) == 1
        assert reminders_of(Kind.FOLLOW_UP) == []

    def test_one_its_user_marks_done_while_the_scan_closes_it_stays_done(self, team_a, coordinator):
        """The removal is conditional: "Done" between choosing a row and removing it wins."""
        active_case(team_a, follow_up_on=timezone.localdate() - DAY)
        services.scan()
        (reminder,) = Notification.objects.all()

        class NothingDueAndMarkedDoneMeanwhile(set):
            def __contains__(self, key):
                services.mark_done(user=coordinator, notification_id=reminder.pk)
                return False

        due_keys = NothingDueAndMarkedDoneMeanwhile()
        assert services.close_ended(due_keys, before=timezone.now()) == 0
        assert reminders_of(Kind.FOLLOW_UP) == [(reminder.key, False)]

    def test_a_reminder_about_a_case_its_user_no_longer_sees_is_closed(
        self, team_a, team_b, coordinator, caseworker
    ):
        today = timezone.localdate()
        active_case(team_a, follow_up_on=today - DAY, assignee=caseworker)
        Notification.objects.create(user=caseworker, kind=Kind.TRANSFERRED_IN, key="about:none")
        services.scan()
        caseworker.teams.set([team_b])  # moved to another team
        services.scan()
        assert list(caseworker.notifications.values_list("key", flat=True)) == ["about:none"]

    def test_an_assignee_who_left_the_team_is_not_told_again_and_again(
        self, team_a, team_b, coordinator, caseworker
    ):
        """Else each scan would remove what the one before wrote, and each new row be e-mailed."""
        today = timezone.localdate()
        case = active_case(team_a, follow_up_on=today - DAY, assignee=caseworker)
        services.scan()
        caseworker.teams.set([team_b])
        for _ in range(3):
            services.scan()
        assert not caseworker.notifications.exists()
        # Nobody who may see the case is assigned: its coordinators are told instead.
        key = f"follow_up:{case.pk}:{today - DAY}"
        assert list(coordinator.notifications.open().values_list("key", flat=True)) == [key]
