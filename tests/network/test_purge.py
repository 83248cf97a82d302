"""A purge takes the case's links and warnings with it; a warning its phone raised on
another case stays, with nothing left of where it came from."""

from network.models import CaseLink, Cause, Exposure
from retention.services import FORGOTTEN, case_purge
from tests.factories import CaseFactory
from tests.network.conftest import make_link


def test_a_purge_takes_the_cases_links_and_warnings(case, other, team_a):
    third = CaseFactory(team=team_a)
    make_link(case, other)
    make_link(third, case)
    make_link(other, third)
    Exposure.objects.create(case=case, source=other, cause=Cause.LINKED)
    Exposure.objects.create(case=case, cause=Cause.ELSEWHERE)
    raised = Exposure.objects.create(case=other, source=case, cause=Cause.CONTACTS)
    assert case_purge(case_id=case.pk, reason=FORGOTTEN)
    assert list(CaseLink.objects.values_list("first_id", "second_id")) == [
        tuple(sorted((other.pk, third.pk)))
    ]
    assert not Exposure.objects.filter(case_id=case.pk).exists()
    # The person it warned is still in danger: the warning stays, anonymous now.
    raised.refresh_from_db()
    assert raised.source is None and raised.handled_at is None


def test_two_warnings_left_without_their_sources_do_not_collide(case, other, team_a):
    third = CaseFactory(team=team_a)
    Exposure.objects.create(case=third, source=case, cause=Cause.LINKED)
    Exposure.objects.create(case=third, source=other, cause=Cause.LINKED)
    assert case_purge(case_id=case.pk, reason=FORGOTTEN)
    assert case_purge(case_id=other.pk, reason=FORGOTTEN)
    assert Exposure.objects.open().filter(case=third, source=None).count() == 2
