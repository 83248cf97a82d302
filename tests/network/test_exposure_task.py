"""Other teams' warnings are written by a task, handed case ids only, on every path: a
request that matched another team's case does the same work as one that did not; and
a linked case of a team the actor is not in gets "check this case", never the source."""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from intake.models import CaseEvent
from network import services, tasks
from network.models import Cause, Exposure
from tests.factories import CaseFactory, UserFactory
from tests.network.conftest import make_link


@pytest.fixture
def handed(monkeypatch):
    """What the requests hand the task: the lists of ids, in order; nothing runs."""
    calls = []
    monkeypatch.setattr(tasks.warn_elsewhere, "delay", lambda ids: calls.append(ids))
    return calls


def mark(client, case, contacts):
    url = reverse("network:compromised_mark", args=[case.reference])
    return client.post(url, {"contacts": contacts})


@pytest.mark.parametrize("cross_team", [True, False])
def test_the_contacts_hand_the_task_ids_whether_another_team_matched_or_not(
    worker, case, foreign, team_a, settings, handed, django_capture_on_commit_callbacks, cross_team
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = cross_team
    second = CaseFactory(team=team_a)
    with django_capture_on_commit_callbacks(execute=True) as matched:
        assert mark(worker, case, foreign.contact_handle).status_code == 302
    with django_capture_on_commit_callbacks(execute=True) as unmatched:
        assert mark(worker, second, "@nobody_anywhere").status_code == 302
    assert len(matched) == len(unmatched) == 1
    assert handed == [[foreign.pk] if cross_team else [], []]
    # The request itself wrote nothing for the other team: the task does.
    assert not Exposure.objects.exists()
    assert not CaseEvent.objects.filter(case=foreign).exists()


@pytest.mark.parametrize("cross_team", [True, False])
def test_the_task_writes_another_teams_warning_naming_nothing(foreign, settings, cross_team):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = cross_team
    assert tasks.warn_elsewhere.run([foreign.pk]) == int(cross_team)
    if not cross_team:
        assert not Exposure.objects.exists() and not CaseEvent.objects.exists()
        return
    exposure = Exposure.objects.get()
    assert (exposure.case, exposure.cause) == (foreign, Cause.ELSEWHERE)
    assert exposure.source is None and exposure.created_by is None
    event = CaseEvent.objects.get(case=foreign, kind=CaseEvent.Kind.EXPOSED)
    assert event.by is None and event.detail == "elsewhere"
    trail = AuditEvent.objects.get(object_ref=foreign.reference)
    assert trail.actor is None and trail.detail == {"exposure": "elsewhere"}
    # Run twice (a redelivered job): one warning.
    assert tasks.warn_elsewhere.run([foreign.pk]) == 0
    assert Exposure.objects.count() == 1


@pytest.fixture
def b_only(team_b):
    return UserFactory(username="b-only", role=Role.COORDINATOR, teams=[team_b])


def only_check_this_case(case):
    exposure = Exposure.objects.get(case=case)
    assert (exposure.cause, exposure.source, exposure.created_by) == (Cause.ELSEWHERE, None, None)
    assert CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.EXPOSED).by is None


@pytest.mark.parametrize("cross_team", [True, False])
def test_a_linked_case_of_a_team_the_marker_is_not_in_gets_only_check_this_case(
    case, foreign, b_only, settings, handed, django_capture_on_commit_callbacks, cross_team
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = cross_team
    make_link(foreign, case)
    with django_capture_on_commit_callbacks(execute=True):
        warned = services.device_mark_compromised(case=foreign, by=b_only)
    assert warned.linked == 0
    assert not Exposure.objects.exists()
    assert handed == [[case.pk] if cross_team else []]
    for ids in handed:
        tasks.warn_elsewhere.run(ids)
    if cross_team:
        only_check_this_case(case)
    else:
        assert not Exposure.objects.exists()


def test_a_link_to_a_seized_phone_warns_another_team_only_as_check_this_case(
    case, foreign, b_only, settings, handed, django_capture_on_commit_callbacks
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = True
    services.device_mark_compromised(case=foreign, by=b_only)
    with django_capture_on_commit_callbacks(execute=True):
        services.link_add(case=foreign, other=case, kind="friends", by=b_only)
    assert handed[-1] == [case.pk]
    tasks.warn_elsewhere.run(handed[-1])
    only_check_this_case(case)


def test_a_merge_carrying_a_seizure_warns_another_team_only_as_check_this_case(
    coordinator, team_a, foreign, settings, handed, django_capture_on_commit_callbacks
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = True
    duplicate, survivor = CaseFactory.create_batch(2, team=team_a)
    make_link(survivor, foreign)
    services.device_mark_compromised(case=duplicate, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    assert handed[-1] == [foreign.pk]
    tasks.warn_elsewhere.run(handed[-1])
    only_check_this_case(foreign)


def test_with_the_broker_down_the_marking_still_stands_and_the_failure_is_logged(
    worker, case, foreign, settings, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = True

    def broker_down(ids):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.warn_elsewhere, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert mark(worker, case, foreign.contact_handle).status_code == 302
    case.refresh_from_db()
    assert case.device_compromised_at is not None
    assert "broker down" in caplog.text
    assert foreign.contact_handle not in caplog.text
