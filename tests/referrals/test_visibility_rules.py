"""Which partner a user speaks for, and what the referral helpers read in one go."""

from datetime import timedelta

from django.utils import timezone

from referrals.models import Referral
from referrals.selectors import (
    get_partner_referral,
    get_referral_for,
    open_referrals_for,
    partner_of,
)
from referrals.services import referral_move
from tests.factories import CaseFactory, ReferralFactory


def test_a_deactivated_partner_account_speaks_for_no_partner(partner, partner_org):
    assert partner_of(partner) == partner_org
    partner.is_active = False
    assert partner_of(partner) is None


def test_a_staff_referral_comes_with_its_case_partner_and_approver_in_one_read(
    caseworker, coordinator, team_a, partner_org, django_assert_num_queries
):
    referral = ReferralFactory(case=CaseFactory(team=team_a), partner=partner_org)
    referral.approved_by = coordinator
    referral.save()
    with django_assert_num_queries(2):  # the user's teams, then the referral with its joins
        found = get_referral_for(caseworker, referral.reference)
        assert (found.case.team_id, found.partner.name, found.approved_by.username) == (
            team_a.pk,
            "Safe House A",
            "coordinator",
        )


def test_a_partner_referral_comes_with_its_case_and_partner_in_one_read(
    partner, caseworker, team_a, partner_org, django_assert_num_queries
):
    case = CaseFactory(team=team_a)
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=caseworker)
    with django_assert_num_queries(2):  # the partner staff row with its partner, the referral
        found = get_partner_referral(partner, referral.reference)
        assert (found.case.reference, found.partner.name) == (case.reference, "Safe House A")


def test_the_open_referrals_list_leaves_their_encrypted_texts_unread(
    coordinator, caseworker, team_a, partner_org
):
    referral = ReferralFactory(case=CaseFactory(team=team_a), partner=partner_org)
    referral_move(referral=referral, to="sent", by=caseworker)
    (listed,) = open_referrals_for(coordinator)
    assert {"summary", "decline_reason", "outcome_note"} <= listed.get_deferred_fields()
    assert "contact_details" in listed.partner.get_deferred_fields()


def test_the_open_referrals_list_reads_case_and_partner_with_the_referrals(
    coordinator, caseworker, team_a, partner_org, django_assert_num_queries
):
    for _ in range(3):
        referral = ReferralFactory(case=CaseFactory(team=team_a), partner=partner_org)
        referral_move(referral=referral, to="sent", by=caseworker)
    with django_assert_num_queries(2):  # the user's teams, then the list with its joins
        rows = [(r.case.reference, r.partner.name) for r in open_referrals_for(coordinator)]
    assert len(rows) == 3


def test_open_referrals_not_yet_late_come_by_their_deadline_then_by_when_they_were_sent(
    coordinator, caseworker, team_a, partner_org
):
    now = timezone.now()
    hour = timedelta(hours=1)
    # (acknowledge by, sent at): pk order, deadline order and sending order all differ.
    times = {"first": (now + 2 * hour, now - hour), "second": (now + hour, now - hour / 2)}
    times["third"] = (now + 2 * hour, now - 2 * hour)
    made = {}
    for name, (ack_due_at, sent_at) in times.items():
        referral = ReferralFactory(case=CaseFactory(team=team_a), partner=partner_org)
        referral_move(referral=referral, to="sent", by=caseworker)
        Referral.objects.filter(pk=referral.pk).update(ack_due_at=ack_due_at, sent_at=sent_at)
        made[referral.pk] = name
    listed = [made[r.pk] for r in open_referrals_for(coordinator)]
    assert listed == ["second", "third", "first"]
