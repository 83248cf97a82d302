"""What the announcement tests share: a second coordinator, a third team, and the rows
each reminder source reads, made as the apps make them."""

import pytest
from django.utils import timezone

from accounts.models import Role
from network.models import Cause, Exposure
from reminders.models import Notification
from tests.factories import CaseFactory, ReferralFactory, TeamFactory, UserFactory


@pytest.fixture
def team_c(db):
    return TeamFactory(name="Team C")


@pytest.fixture
def coordinator_c(team_c):
    return UserFactory(username="coordinator_c", role=Role.COORDINATOR, teams=[team_c])


@pytest.fixture
def second_coordinator(team_a):
    return UserFactory(username="second_coordinator", role=Role.COORDINATOR, teams=[team_a])


def told() -> list[tuple[str, str]]:
    """Every reminder as (who, kind), sorted: what a source wrote and to whom."""
    return sorted(Notification.objects.values_list("user__username", "kind"))


def open_keys() -> set[str]:
    return set(Notification.objects.open().values_list("key", flat=True))


def draft_sharing_handle(case, partner, by, **fields):
    """A draft that shares the contact handle: it waits for a coordinator's approval."""
    shared = ["alias", "contact_handle"]
    return ReferralFactory(
        case=case, partner=partner, created_by=by, shared_fields=shared, **fields
    )


def exposure(case, cause=Cause.LINKED, source=None, by=None):
    return Exposure.objects.create(case=case, source=source, cause=cause, created_by=by)


def handled(warning, by) -> None:
    Exposure.objects.filter(pk=warning.pk).update(
        handled_at=timezone.now(), handled_by=by, handled_how="checked_in"
    )


def active_case(team, **fields):
    return CaseFactory(team=team, status="active", **fields)
