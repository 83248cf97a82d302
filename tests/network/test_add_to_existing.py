"""The intake form's known-handle warning: "add this to the existing case" instead of
recording a duplicate."""

from django.urls import reverse

from intake.models import Case, Note, StatusChange
from intake.status import Status


def request_data(case, **extra):
    data = {
        "team": case.team_id, "alias": "Marker-Again", "contact_channel": "signal",
        "contact_handle": case.contact_handle, "risk": "3", "region": "chechnya",
        "narrative": "Writes again.",
    }  # fmt: skip
    return {**data, **extra}


def test_a_repeat_is_added_as_a_note_with_its_channel(worker, case):
    response = worker.post(reverse("intake:case_create"), request_data(case, add_to=case.reference))
    assert response.status_code == 302
    assert Case.objects.count() == 1
    body = Note.objects.get(case=case).body
    assert "Contact channel: Signal" in body and "Marker-Again" in body


def test_a_repeat_added_to_a_closed_case_reopens_it_for_verification(worker, caseworker, case):
    case.move_to(Status.CLOSED, by=caseworker, closure_reason="lost_contact")
    response = worker.post(
        reverse("intake:case_create"), request_data(case, add_to=case.reference), follow=True
    )
    fresh = Case.objects.get(pk=case.pk)
    # Left closed it would sit where nobody works, and go with the old case's purge.
    assert (fresh.status, fresh.closure_reason, fresh.closed_at) == (Status.VERIFYING, "", None)
    change = StatusChange.objects.filter(case=case).latest("at")
    assert (change.from_status, change.to_status, change.by) == (
        Status.CLOSED,
        Status.VERIFYING,
        caseworker,
    )
    told = [str(m) for m in response.context["messages"]]
    assert "The case was closed: it is open again, to be verified." in told
    assert Note.objects.get(case=case)


def test_a_long_repeat_is_kept_whole(worker, case):
    narrative = "Marker-Long " + "x" * 12_000  # longer than the note form takes
    data = request_data(case, add_to=case.reference, narrative=narrative)
    assert worker.post(reverse("intake:case_create"), data).status_code == 302
    assert narrative in Note.objects.get(case=case).body


def test_a_repeat_added_to_a_case_closed_as_provocation_keeps_it_closed(worker, caseworker, case):
    from intake import services

    services.case_move(case=case, to=Status.CLOSED, closure_reason="provocation", by=caseworker)
    response = worker.post(
        reverse("intake:case_create"), request_data(case, add_to=case.reference), follow=True
    )
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.closure_reason) == (Status.CLOSED, "provocation")
    assert Note.objects.get(case=case)
    told = [str(m) for m in response.context["messages"]]
    assert "The case was closed as a suspected provocation: it stays closed." in told
    assert "The case was closed: it is open again, to be verified." not in told


def test_a_repeat_added_to_a_merged_duplicate_keeps_it_closed_and_names_the_case_kept(
    client, coordinator, case, team_a, monkeypatch
):
    from intake import services as intake_services
    from network import services
    from tests.factories import CaseFactory

    kept = CaseFactory(team=team_a)
    services.case_merge(duplicate=case, survivor=kept, by=coordinator)
    # The known-handle warning offers the case kept; were it to offer the
    # duplicate itself (the case kept out of sight, say), the duplicate stays closed.
    real = intake_services.handle_matches

    def offering_the_duplicate(**kwargs):
        found = real(**kwargs)
        found.cases = [Case.objects.get(pk=case.pk)]
        return found

    monkeypatch.setattr(intake_services, "handle_matches", offering_the_duplicate)
    client.force_login(coordinator)
    response = client.post(
        reverse("intake:case_create"), request_data(case, add_to=case.reference), follow=True
    )
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.closure_reason) == (Status.CLOSED, "duplicate")
    assert Note.objects.filter(case=case).exists()
    told = [str(m) for m in response.context["messages"]]
    assert f"The case was merged into {kept.reference}: it stays closed." in told
