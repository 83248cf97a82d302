"""Two caseworkers moving the same case at once: one wins, the other is refused."""

import pytest

from intake import services
from intake.models import Case, StatusChange
from intake.status import TransitionError
from tests.concurrency import run_at_once
from tests.factories import CaseFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_concurrent_moves_is_recorded(caseworker):
    case = CaseFactory()

    def move():
        stale = Case.objects.get(pk=case.pk)  # both read "new"
        return services.case_move(case=stale, to="verifying", by=caseworker)

    outcomes = run_at_once(move)
    assert sorted(type(o).__name__ for o in outcomes) == ["StatusChange", "TransitionError"]
    assert isinstance(next(o for o in outcomes if isinstance(o, Exception)), TransitionError)
    assert StatusChange.objects.filter(case=case).count() == 1
