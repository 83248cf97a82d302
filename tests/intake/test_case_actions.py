"""Working a case from its page: notes, follow-up, verification, device, assignment, edits."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.choices import Verification
from intake.models import Case, FlaggedHandle, Note
from tests.factories import CaseFactory


def url(name, case):
    return reverse(f"intake:{name}", args=[case.reference])


@pytest.fixture
def worker(client, caseworker):
    client.force_login(caseworker)
    return client


def test_a_note_appears_on_the_timeline(worker, caseworker, case):
    response = worker.post(url("note_add", case), {"body": "Called at noon, safe."})
    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.case, note.author, note.body) == (case, caseworker, "Called at noon, safe.")
    page = worker.get(url("case_detail", case))
    assert b"Called at noon, safe." in page.content


def test_an_empty_note_is_refused_with_the_form_kept(worker, case):
    response = worker.post(url("note_add", case), {"body": "   "})
    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert not Note.objects.exists()


def test_a_too_long_note_is_refused_and_the_text_kept(worker, case):
    body = "x" * 10001
    response = worker.post(url("note_add", case), {"body": body})
    assert response.status_code == 400
    assert body.encode() in response.content  # nothing the caseworker typed is lost
    assert not Note.objects.exists()


def test_it_sets_and_clears_the_follow_up(worker, case):
    day = timezone.localdate() + timedelta(days=3)
    worker.post(url("follow_up_set", case), {"follow_up_on": day.isoformat()})
    assert Case.objects.get(pk=case.pk).follow_up_on == day
    worker.post(url("follow_up_set", case), {"follow_up_on": ""})
    assert Case.objects.get(pk=case.pk).follow_up_on is None


@pytest.mark.parametrize("value", ["2000-01-01", "9999-12-31", "tomorrow", "2026-02-30"])
def test_it_refuses_a_follow_up_in_the_past_or_far_future_or_malformed(worker, case, value):
    response = worker.post(url("follow_up_set", case), {"follow_up_on": value})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).follow_up_on is None


def test_marking_the_device_compromised_warns_that_channels_are_burned(worker, case):
    response = worker.post(reverse("network:compromised_mark", args=[case.reference]))
    assert response.status_code == 302
    first = Case.objects.get(pk=case.pk).device_compromised_at
    assert first is not None
    page = worker.get(url("case_detail", case))
    assert b"every known channel is burned" in page.content
    worker.post(reverse("network:compromised_mark", args=[case.reference]))
    assert Case.objects.get(pk=case.pk).device_compromised_at == first


def test_a_new_safe_channel_clears_the_warning_and_both_stay_on_the_timeline(worker, case):
    worker.post(reverse("network:compromised_mark", args=[case.reference]))
    worker.post(url("channel_restore", case))
    assert Case.objects.get(pk=case.pk).device_compromised_at is None
    page = worker.get(url("case_detail", case)).content.decode()
    assert "every known channel is burned" not in page
    assert "Device marked as compromised" in page
    assert "A new safe channel was confirmed" in page


def test_a_compromised_device_shows_in_the_list(worker, case):
    worker.post(reverse("network:compromised_mark", args=[case.reference]))
    assert b"device compromised" in worker.get(reverse("intake:case_list")).content


def test_verification_can_be_set_and_suspicion_flags_the_handle(worker, case):
    worker.post(url("verification_set", case), {"verification": "verified"})
    assert Case.objects.get(pk=case.pk).verification == Verification.VERIFIED
    worker.post(url("verification_set", case), {"verification": "suspected"})
    assert Case.objects.get(pk=case.pk).verification == Verification.SUSPECTED
    assert FlaggedHandle.objects.filter(handle_index=case.handle_index).exists()


def test_only_a_coordinator_lifts_a_suspicion(client, caseworker, coordinator, case):
    client.force_login(caseworker)
    client.post(url("verification_set", case), {"verification": "suspected"})
    assert FlaggedHandle.objects.get().flagged_by == caseworker
    response = client.post(url("verification_set", case), {"verification": "verified"})
    assert response.status_code == 403
    assert b"Only a coordinator can lift a suspicion" in response.content
    assert Case.objects.get(pk=case.pk).verification == Verification.SUSPECTED
    client.force_login(coordinator)
    client.post(url("verification_set", case), {"verification": "verified"})
    assert Case.objects.get(pk=case.pk).verification == Verification.VERIFIED
    assert not FlaggedHandle.objects.exists()
    page = client.get(url("case_detail", case)).content.decode()
    assert "Suspicion of provocation lifted" in page


def test_a_coordinator_assigns_within_the_team(client, coordinator, caseworker, case):
    client.force_login(coordinator)
    client.post(url("case_assign", case), {"assignee": caseworker.pk})
    assert Case.objects.get(pk=case.pk).assignee == caseworker
    assert "Assigned: caseworker" in client.get(url("case_detail", case)).content.decode()
    client.post(url("case_assign", case), {"assignee": ""})
    assert Case.objects.get(pk=case.pk).assignee is None


def test_a_coordinator_cannot_assign_to_another_team_or_an_operator(
    client, coordinator, outsider, operator, case
):
    client.force_login(coordinator)
    for user in (outsider, operator):
        response = client.post(url("case_assign", case), {"assignee": user.pk})
        assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).assignee is None


def test_editing_details_updates_the_blind_index(worker, case):
    data = {
        "alias": "New alias",
        "contact_channel": "signal",
        "contact_handle": "+7 900 000 00 01",
        "safe_contact": "",
        "region": "dagestan",
        "location": "moved",
        "threats": ["outing"],
        "needs": ["legal"],
        "languages": ["ru"],
        "risk": "2",
        "narrative": "",
    }
    response = worker.post(url("case_edit", case), data)
    assert response.status_code == 302
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.alias, fresh.location, fresh.needs) == ("New alias", "moved", ["legal"])
    other = CaseFactory(contact_handle="89000000001")
    assert fresh.handle_index == other.handle_index


def test_editing_to_a_known_handle_warns(worker, team_a, case):
    CaseFactory(team=team_a, contact_handle="@already_known")
    data = {
        "alias": case.alias,
        "contact_channel": "telegram",
        "contact_handle": "@Already_Known",
        "region": "chechnya",
        "risk": "2",
    }
    response = worker.post(url("case_edit", case), data, follow=True)
    assert b"The new contact handle is already known" in response.content


def test_the_detail_page_shows_the_case(worker, team_a):
    case = CaseFactory(
        team=team_a,
        alias="Birch",
        safe_contact="Never call.",
        needs=["shelter", "legal"],
        threats=["outing"],
    )
    content = worker.get(url("case_detail", case)).content.decode()
    for text in ("Birch", "Never call.", "A place to hide", "Legal aid", "Outing"):
        assert text in content
