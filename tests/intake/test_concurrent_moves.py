"""Two caseworkers moving the same case at once: one wins, the other is refused."""

import threading

import pytest
from django.db import connection

from intake import services
from intake.models import Case, StatusChange
from intake.status import TransitionError
from tests.factories import CaseFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_concurrent_moves_is_recorded(caseworker):
    case = CaseFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def move():
        try:
            stale = Case.objects.get(pk=case.pk)  # both read "new"
            barrier.wait()
            services.case_move(case=stale, to="verifying", by=caseworker)
            outcomes.append("moved")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=move) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["moved", "refused"]
    assert StatusChange.objects.filter(case=case).count() == 1
