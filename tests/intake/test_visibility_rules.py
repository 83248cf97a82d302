"""The case visibility rule at its edges, what get_case_for reads in one go, and the
lists built on the rule: who a case may be assigned to, which check-ins were missed."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Role
from intake.models import CheckIn
from intake.selectors import (
    assignees_in,
    cases_visible_to,
    get_case_for,
    missed_checkins_visible_to,
    through_visible_case,
)
from referrals.models import Referral
from tests.factories import CaseFactory, ReferralFactory, UserFactory


@pytest.mark.parametrize("role", [Role.PARTNER, Role.AUDITOR, Role.ADMIN])
def test_a_role_without_case_pages_sees_no_case_even_as_a_team_member(team_a, role):
    # An administrator may put anyone in a team; membership alone shows nothing.
    ReferralFactory(case=CaseFactory(team=team_a))
    member = UserFactory(role=role, teams=[team_a])
    assert not cases_visible_to(member).exists()
    assert not Referral.objects.filter(through_visible_case(member)).exists()


def test_an_anonymous_user_sees_no_case(team_a):
    ReferralFactory(case=CaseFactory(team=team_a))
    assert not cases_visible_to(AnonymousUser()).exists()
    assert not Referral.objects.filter(through_visible_case(AnonymousUser())).exists()


def test_the_case_and_the_people_on_its_page_come_in_one_read(
    caseworker, team_a, django_assert_num_queries
):
    case = CaseFactory(team=team_a, assignee=caseworker, created_by=caseworker)
    with django_assert_num_queries(2):  # the user's teams, then the case with its joins
        found = get_case_for(caseworker, case.reference)
        assert (found.team.name, found.assignee.username, found.created_by.username) == (
            "Team A",
            "caseworker",
            "caseworker",
        )


def test_a_deactivated_caseworker_is_not_offered_as_an_assignee(team_a, caseworker):
    UserFactory(username="gone", role=Role.CASEWORKER, teams=[team_a], is_active=False)
    UserFactory(username="hotline", role=Role.OPERATOR, teams=[team_a])
    assert [u.username for u in assignees_in([team_a])] == ["caseworker"]


def test_missed_check_ins_come_longest_missed_first_as_of_the_time_asked(caseworker, team_a):
    now = timezone.now()
    case = CaseFactory(team=team_a)
    later = CheckIn.objects.create(case=case, due_at=now - timedelta(hours=1))
    longest = CheckIn.objects.create(case=case, due_at=now - timedelta(hours=5))
    same_time = CheckIn.objects.create(case=case, due_at=now - timedelta(hours=1))
    CheckIn.objects.create(case=case, due_at=now - timedelta(hours=1), heard_at=now)
    listed = missed_checkins_visible_to(caseworker, now)
    assert list(listed) == [longest, later, same_time]
    # Two hours ago, only the one due five hours ago had been missed.
    assert list(missed_checkins_visible_to(caseworker, now - timedelta(hours=2))) == [longest]
