import itertools

import pytest
from django.urls import reverse

from intake import services
from intake.choices import Verification
from intake.models import Case, FlaggedHandle, StatusChange
from intake.status import TRANSITIONS, ClosureReason, Status, TransitionError
from tests.factories import CaseFactory

# The machine of README.md "What a case holds", written out edge by edge: new →
# verifying → active → sheltered ⇄ in transit → relocated → closed; sheltered
# may go back to active; any open state may close; closed reopens only to verifying.
DESIGN = {
    ("new", "verifying"),
    ("verifying", "active"),
    ("active", "sheltered"),
    ("sheltered", "in_transit"),
    ("in_transit", "sheltered"),
    ("in_transit", "relocated"),
    ("relocated", "closed"),
    ("sheltered", "active"),
    ("new", "closed"),
    ("verifying", "closed"),
    ("active", "closed"),
    ("sheltered", "closed"),
    ("in_transit", "closed"),
    ("closed", "verifying"),
    ("active", "in_transit"),
    ("sheltered", "relocated"),
}
ALLOWED = sorted(DESIGN)
ALL_PAIRS = list(itertools.product(Status.values, Status.values))
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in DESIGN]


def case_in(status, **kwargs):
    reason = ClosureReason.NOT_NEEDED if status == Status.CLOSED else ""
    return CaseFactory(status=status, closure_reason=reason, **kwargs)


def test_the_machine_is_the_one_in_the_design():
    edges = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert edges == DESIGN
    assert set(TRANSITIONS) == set(Status.values)


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_every_allowed_move_is_made_and_recorded(db, caseworker, current, target):
    case = case_in(current)
    reason = ClosureReason.LOST_CONTACT if target == Status.CLOSED else ""
    services.case_move(case=case, to=target, closure_reason=reason, by=caseworker)
    case.refresh_from_db()
    assert case.status == target
    assert (case.closed_at is not None) == (target == Status.CLOSED)
    change = StatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status, change.by) == (current, target, caseworker)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_every_forbidden_move_is_refused_and_changes_nothing(db, caseworker, current, target):
    case = case_in(current)
    reason = ClosureReason.LOST_CONTACT if target == Status.CLOSED else ""
    with pytest.raises(TransitionError, match="cannot move"):
        services.case_move(case=case, to=target, closure_reason=reason, by=caseworker)
    assert Case.objects.get(pk=case.pk).status == current
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("current", sorted(a for a, b in DESIGN if b == Status.CLOSED))
def test_it_refuses_closing_without_reason(db, caseworker, current):
    case = case_in(current)
    with pytest.raises(TransitionError, match="closure reason"):
        services.case_move(case=case, to=Status.CLOSED, by=caseworker)
    assert Case.objects.get(pk=case.pk).status == current


def test_it_refuses_a_closure_reason_when_not_closing(db, caseworker):
    case = case_in(Status.NEW)
    with pytest.raises(TransitionError):
        services.case_move(
            case=case, to=Status.VERIFYING, closure_reason=ClosureReason.STABLE, by=caseworker
        )


def test_the_database_refuses_a_closed_case_without_reason(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Case.objects.filter(pk=case_in(Status.NEW).pk).update(status=Status.CLOSED)


def test_closing_as_provocation_flags_the_handle_by_blind_index_only(db, caseworker):
    case = case_in(Status.VERIFYING, contact_handle="@honeytrap")
    services.case_move(
        case=case, to=Status.CLOSED, closure_reason=ClosureReason.PROVOCATION, by=caseworker
    )
    flag = FlaggedHandle.objects.get()
    assert flag.handle_index == case.handle_index
    assert "honeytrap" not in flag.handle_index
    assert Case.objects.get(pk=case.pk).verification == Verification.SUSPECTED


def test_a_reopened_case_must_be_verified_again(db, caseworker):
    case = case_in(Status.CLOSED)
    assert case.allowed_statuses() == [Status.VERIFYING]
    services.case_move(case=case, to=Status.VERIFYING, by=caseworker)
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_at) == (Status.VERIFYING, "", None)


class TestThroughTheView:
    def test_an_invalid_move_gets_a_clear_message(self, client, caseworker, case):
        client.force_login(caseworker)
        url = reverse("intake:case_move", args=[case.reference])
        response = client.post(url, {"to": "relocated"})
        assert response.status_code == 400
        assert "A case cannot move from “New” to “Relocated”." in response.content.decode()
        assert Case.objects.get(pk=case.pk).status == Status.NEW

    def test_closing_without_reason_is_explained(self, client, caseworker, case):
        client.force_login(caseworker)
        response = client.post(reverse("intake:case_move", args=[case.reference]), {"to": "closed"})
        assert response.status_code == 400
        assert b"Closing a case needs a closure reason." in response.content
        assert Case.objects.get(pk=case.pk).status == Status.NEW

    def test_a_move_shows_on_the_timeline(self, client, caseworker, case):
        client.force_login(caseworker)
        client.post(reverse("intake:case_move", args=[case.reference]), {"to": "verifying"})
        page = client.get(reverse("intake:case_detail", args=[case.reference]))
        assert "Status: New → Verifying" in page.content.decode()
