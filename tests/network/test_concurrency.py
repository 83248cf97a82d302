"""Two people at once: a seized phone warns each linked case once, a pair is merged
one way, a warning is answered once."""

import pytest

from intake.models import Case, CaseEvent
from network import services
from network.models import Cause, Exposure, Handled
from tests.concurrency import run_at_once
from tests.factories import CaseFactory
from tests.network.conftest import make_link

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_markings_at_once_warn_each_linked_case_once(caseworker, team_a):
    seized = CaseFactory(team=team_a)
    linked = CaseFactory.create_batch(3, team=team_a)
    for case in linked:
        make_link(seized, case)

    def mark():
        return services.device_mark_compromised(
            case=Case.objects.get(pk=seized.pk), by=caseworker, contacts=linked[0].contact_handle
        )

    outcomes = run_at_once(mark)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Exposure.objects.filter(cause=Cause.LINKED).count() == 3
    assert Exposure.objects.filter(cause=Cause.CONTACTS).count() == 1
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.DEVICE_COMPROMISED).count() == 1
    assert sorted(o.linked for o in outcomes) == [0, 3]  # the second found it marked


def test_a_pair_merged_both_ways_at_once_is_merged_one_way(coordinator, team_a):
    a, b = CaseFactory.create_batch(2, team=team_a)

    def merge(duplicate, survivor):
        return lambda: services.case_merge(
            duplicate=Case.objects.get(pk=duplicate.pk),
            survivor=Case.objects.get(pk=survivor.pk),
            by=coordinator,
        )

    ways = iter([merge(a, b), merge(b, a)])
    outcomes = run_at_once(lambda: next(ways)())
    kinds = sorted(type(o).__name__ for o in outcomes)
    assert kinds == ["Merged", "NetworkError"], outcomes
    assert Case.objects.filter(status="closed", closure_reason="duplicate").count() == 1


def test_a_warning_answered_twice_at_once_is_answered_once(caseworker, coordinator, case, other):
    exposure = Exposure.objects.create(case=other, source=case, cause=Cause.LINKED)
    people = iter([caseworker, coordinator])

    def answer():
        return services.exposure_handle(
            exposure=Exposure.objects.get(pk=exposure.pk), how=Handled.CHECKED_IN, by=next(people)
        )

    assert sorted(run_at_once(answer)) == [False, True]
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.EXPOSURE_HANDLED).count() == 1
