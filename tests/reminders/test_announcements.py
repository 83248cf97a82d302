"""Work handed on is announced: each new source writes once, to the right people,
never to another team (issue 19, "Work handed on is announced")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from intake import transfers
from intake.models import Transfer
from network.models import Cause
from referrals.models import ReferralChange
from referrals.services import referral_move, referral_update_draft
from reminders import services
from reminders.models import Kind, Notification
from tests.factories import CaseFactory, ReferralFactory, UserFactory
from tests.reminders.conftest import active_case, draft_sharing_handle, exposure, told

DAY = timedelta(days=1)


class TestApprovals:
    def test_a_draft_sharing_the_handle_tells_the_teams_active_coordinators_once(
        self, team_a, coordinator, second_coordinator, caseworker, outsider, partner_org
    ):
        UserFactory(username="gone", role=Role.COORDINATOR, teams=[team_a], is_active=False)
        draft = draft_sharing_handle(active_case(team_a), partner_org, caseworker)
        services.scan()
        services.scan()
        assert told() == [("coordinator", "approval"), ("second_coordinator", "approval")]
        assert set(Notification.objects.values_list("referral_id", flat=True)) == {draft.pk}

    @pytest.mark.parametrize(
        "shape",
        ["shares no handle", "already approved", "sent", "case closed"],
    )
    def test_nothing_waits_when(self, team_a, coordinator, caseworker, partner_org, shape):
        case = active_case(team_a)
        if shape == "shares no handle":
            ReferralFactory(case=case, partner=partner_org, shared_fields=["alias", "needs"])
        elif shape == "already approved":
            draft_sharing_handle(case, partner_org, caseworker, approved_at=timezone.now())
        elif shape == "sent":
            draft_sharing_handle(case, partner_org, caseworker, status="sent")
        else:
            draft_sharing_handle(case, partner_org, caseworker)
            type(case).objects.filter(pk=case.pk).update(status="closed", closure_reason="stable")
        services.scan()
        assert told() == []

    def test_a_changed_set_of_fields_waits_anew(self, team_a, coordinator, caseworker, partner_org):
        draft = draft_sharing_handle(active_case(team_a), partner_org, caseworker)
        services.scan()
        Notification.objects.update(done_at=timezone.now())  # the coordinator looked
        data = {name: getattr(draft, name) for name in ("summary", "consent_given", "consent_at")}
        data |= {"consent_channel": draft.consent_channel, "complete_by": None}
        data["shared_fields"] = ["alias", "contact_handle", "region"]
        referral_update_draft(referral=draft, data=data, by=caseworker)
        services.scan()
        assert Notification.objects.open().filter(kind=Kind.APPROVAL).count() == 1
        assert Notification.objects.filter(kind=Kind.APPROVAL).count() == 2


class TestPartnerAnswers:
    def sent(self, case, partner_org, by):
        referral = ReferralFactory(case=case, partner=partner_org, created_by=by)
        referral_move(referral=referral, to="sent", by=by)
        return referral

    def test_each_partner_move_tells_the_drafter_once(
        self, team_a, caseworker, coordinator, partner, partner_org
    ):
        case = active_case(team_a, assignee=coordinator)
        referral = self.sent(case, partner_org, caseworker)
        for step in ("acknowledged", "accepted", "completed"):
            referral_move(referral=referral, to=step, by=partner)
            services.scan()
        services.scan()
        assert told() == [("caseworker", "referral_answered")] * 3
        keys = Notification.objects.values_list("key", flat=True)
        changes = ReferralChange.objects.filter(by=partner).values_list("pk", flat=True)
        assert set(keys) == {f"answered:{pk}" for pk in changes}

    def test_a_decline_is_announced_too(self, team_a, caseworker, partner, partner_org):
        referral = self.sent(active_case(team_a), partner_org, caseworker)
        referral_move(referral=referral, to="declined", by=partner, note="No place.")
        services.scan()
        assert told() == [("caseworker", "referral_answered")]

    def test_the_reminder_says_where_the_referral_stands_now(
        self, client, team_a, caseworker, partner, partner_org
    ):
        referral = self.sent(active_case(team_a), partner_org, caseworker)
        referral_move(referral=referral, to="declined", by=partner, note="No place.")
        services.scan()
        client.force_login(caseworker)
        for name in ("reminders:dashboard", "reminders:notification_list"):
            page = client.get(reverse(name)).content.decode()
            assert "(now: Declined)" in page, name

    def test_staff_moves_and_the_expiry_job_are_not_answers(
        self, team_a, caseworker, coordinator, partner_org
    ):
        case = active_case(team_a)
        self.sent(case, partner_org, caseworker)
        withdrawn = self.sent(case, partner_org, caseworker)
        referral_move(referral=withdrawn, to="withdrawn", by=caseworker)
        expired = self.sent(case, partner_org, caseworker)
        referral_move(referral=expired, to="expired", by=None)
        services.scan()
        assert told() == []

    @pytest.mark.parametrize("drafter_is", ["deactivated", "out of the team", "now a partner"])
    def test_a_drafter_who_can_no_longer_see_the_case_is_replaced_by_the_assignee(
        self, team_a, team_b, caseworker, coordinator, partner, partner_org, drafter_is
    ):
        assignee = UserFactory(username="assignee", role=Role.CASEWORKER, teams=[team_a])
        referral = self.sent(active_case(team_a, assignee=assignee), partner_org, caseworker)
        if drafter_is == "deactivated":
            caseworker.is_active = False
            caseworker.save()
        elif drafter_is == "out of the team":
            caseworker.teams.set([team_b])
        else:
            type(caseworker).objects.filter(pk=caseworker.pk).update(role=Role.PARTNER)
        referral_move(referral=referral, to="acknowledged", by=partner)
        services.scan()
        assert told() == [("assignee", "referral_answered")]

    def test_with_nobody_left_the_coordinators_are_told(
        self, team_a, caseworker, coordinator, outsider, partner, partner_org
    ):
        referral = self.sent(active_case(team_a), partner_org, caseworker)
        caseworker.is_active = False
        caseworker.save()
        referral_move(referral=referral, to="acknowledged", by=partner)
        services.scan()
        assert told() == [("coordinator", "referral_answered")]

    def test_an_old_answer_is_not_read_again(self, team_a, caseworker, partner, partner_org):
        referral = self.sent(active_case(team_a), partner_org, caseworker)
        referral_move(referral=referral, to="acknowledged", by=partner)
        services.scan(now=timezone.now() + services.ANNOUNCE_WITHIN + DAY)
        assert told() == []

    def test_the_scan_reads_only_the_newest_changes(
        self, team_a, caseworker, partner, partner_org, monkeypatch
    ):
        # The bound is by id: one change back is as far as it reads here.
        monkeypatch.setattr(services, "RECENT_CHANGES", 1)
        first = self.sent(active_case(team_a), partner_org, caseworker)
        second = self.sent(active_case(team_a), partner_org, caseworker)
        referral_move(referral=first, to="acknowledged", by=partner)
        referral_move(referral=second, to="acknowledged", by=partner)
        services.scan()
        assert list(Notification.objects.values_list("referral_id", flat=True)) == [second.pk]


class TestExposures:
    def test_a_linked_or_contacts_warning_goes_to_the_assignee(
        self, team_a, caseworker, coordinator, outsider
    ):
        exposure(active_case(team_a, assignee=caseworker), Cause.LINKED)
        exposure(active_case(team_a, assignee=caseworker), Cause.CONTACTS)
        services.scan()
        services.scan()
        assert told() == [("caseworker", "exposure"), ("caseworker", "exposure")]

    def test_with_nobody_assigned_the_coordinators_are_warned(
        self, team_a, caseworker, coordinator, outsider
    ):
        exposure(active_case(team_a), Cause.CONTACTS)
        services.scan()
        assert told() == [("coordinator", "exposure")]

    def test_another_teams_phone_warns_the_coordinators_only(
        self, team_a, team_b, caseworker, coordinator, outsider
    ):
        source = active_case(team_a, alias="Seized-Phone-Owner")
        theirs = active_case(team_b, assignee=UserFactory(role=Role.CASEWORKER, teams=[team_b]))
        # As the network app records it: no source, for a case of another team.
        raised = exposure(theirs, Cause.ELSEWHERE, source=None, by=caseworker)
        services.scan()
        assert told() == [("outsider", "exposure_elsewhere")]
        (warning,) = Notification.objects.all()
        assert (warning.case_id, warning.referral_id) == (theirs.pk, None)
        assert warning.key == f"exposure:{raised.pk}"
        assert source.pk != theirs.pk

    def test_cross_team_warnings_can_be_switched_off(self, team_b, outsider, settings):
        settings.CROSS_TEAM_EXPOSURE_WARNINGS = False
        exposure(active_case(team_b), Cause.ELSEWHERE)
        services.scan()
        assert told() == []

    def test_the_elsewhere_reminder_says_check_your_cases_and_nothing_of_the_source(
        self, client, team_a, team_b, caseworker, outsider
    ):
        source = active_case(team_a, alias="Source-Alias-Marker")
        exposure(active_case(team_b, alias="Their-Own-Case"), Cause.ELSEWHERE)
        services.scan()
        client.force_login(outsider)
        for url in (reverse("reminders:notification_list"), reverse("reminders:dashboard")):
            page = client.get(url).content.decode()
            assert "Check your cases" in page and "Their-Own-Case" in page
            for marker in ("Source-Alias-Marker", source.reference, team_a.name):
                assert marker not in page


class TestTransfers:
    def test_a_request_tells_the_other_teams_coordinators_and_names_no_case(
        self, team_a, team_b, coordinator, caseworker, outsider
    ):
        case = active_case(team_a, assignee=caseworker)
        transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
        services.scan()
        services.scan()
        assert told() == [("outsider", "transfer_requested")]
        assert Notification.objects.get().case_id is None

    def test_a_case_moved_in_tells_the_new_teams_other_coordinators(
        self, team_a, team_b, coordinator, caseworker, outsider
    ):
        UserFactory(username="also_b", role=Role.COORDINATOR, teams=[team_b])
        case = active_case(team_a, assignee=caseworker)
        request = transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
        services.scan()
        transfers.transfer_accept(transfer=request, by=outsider)
        services.scan()
        services.scan()
        # The one who accepted knows already; team A's people are not told; the
        # request, answered, is no longer a reminder.
        assert told() == [("also_b", "transferred_in")]
        assert Notification.objects.get(kind=Kind.TRANSFERRED_IN).case_id == case.pk

    def test_a_refused_request_tells_the_coordinator_who_asked(
        self, team_a, team_b, coordinator, outsider
    ):
        case = active_case(team_a)
        request = transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
        transfers.transfer_refuse(transfer=request, by=outsider)
        services.scan()
        services.scan()
        assert told() == [("coordinator", "transfer_refused")]
        assert Notification.objects.get().case_id == case.pk

    def test_a_request_withdrawn_by_its_own_asker_tells_nobody(
        self, team_a, team_b, coordinator, second_coordinator, outsider
    ):
        request = transfers.case_transfer(case=active_case(team_a), to_team=team_b, by=coordinator)
        transfers.transfer_withdraw(transfer=request, by=coordinator)
        services.scan()
        assert told() == []

    def test_a_request_withdrawn_by_another_coordinator_tells_the_asker(
        self, team_a, team_b, coordinator, second_coordinator, outsider
    ):
        request = transfers.case_transfer(case=active_case(team_a), to_team=team_b, by=coordinator)
        transfers.transfer_withdraw(transfer=request, by=second_coordinator)
        services.scan()
        assert told() == [("coordinator", "transfer_refused")]

    def test_an_old_refusal_is_not_announced(self, team_a, team_b, coordinator, outsider):
        request = transfers.case_transfer(case=active_case(team_a), to_team=team_b, by=coordinator)
        transfers.transfer_refuse(transfer=request, by=outsider)
        Transfer.objects.update(decided_at=timezone.now() - services.ANNOUNCE_WITHIN - DAY)
        services.scan()
        assert told() == []

    def test_an_old_move_is_not_announced(self, team_a, team_b, coordinator, outsider):
        request = transfers.case_transfer(case=active_case(team_a), to_team=team_b, by=coordinator)
        transfers.transfer_accept(transfer=request, by=outsider)
        Transfer.objects.update(decided_at=timezone.now() - services.ANNOUNCE_WITHIN - DAY)
        UserFactory(username="also_b", role=Role.COORDINATOR, teams=[team_b])
        services.scan()
        assert Notification.objects.filter(kind=Kind.TRANSFERRED_IN).count() == 0


def test_no_source_tells_another_team(
    team_a, team_b, caseworker, coordinator, outsider, partner, partner_org
):
    """Everything of team A due at once: team B's coordinator hears of none of it."""
    case = active_case(team_a, assignee=caseworker)
    draft_sharing_handle(case, partner_org, caseworker)
    referral = ReferralFactory(case=case, partner=partner_org, created_by=caseworker)
    referral_move(referral=referral, to="sent", by=caseworker)
    referral_move(referral=referral, to="acknowledged", by=partner)
    exposure(case, Cause.LINKED)
    exposure(CaseFactory(team=team_a), Cause.ELSEWHERE)
    services.scan()
    assert Notification.objects.exists()
    assert not Notification.objects.filter(user=outsider).exists()
