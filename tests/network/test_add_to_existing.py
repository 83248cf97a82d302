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
