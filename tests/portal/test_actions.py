"""What the signed-in person can do: answer a check-in, forget the request; and what a
request from the portal sets in motion: provocation flags, reminders, the stale purge."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conversations.models import Message
from crypto.blind_index import blind_index
from intake.choices import Verification
from intake.models import Case, CaseEvent, CheckIn, FlaggedHandle, Note
from portal.models import Codename, PortalSession
from reminders.services import scan
from retention.models import RetiredCaseCount
from retention.services import purge_expired
from tests.portal.conftest import REQUEST, ask, sign_in

pytestmark = pytest.mark.django_db


def test_i_am_safe_is_heard_from_as_a_caseworker_records_it(client, portal_open):
    ask(client)
    case = Case.objects.get()
    checkin = CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(hours=3))
    page = client.get(reverse("portal:inbox")).content.decode()
    assert reverse("portal:checkin", args=[checkin.pk]) in page
    response = client.post(reverse("portal:checkin", args=[checkin.pk]))
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.heard_at is not None and checkin.heard_by is None
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.PORTAL_CHECKIN).exists()
    assert reverse("portal:checkin", args=[checkin.pk]) not in (
        client.get(reverse("portal:inbox")).content.decode()
    )


def test_another_cases_check_in_cannot_be_answered(client, portal_open, case):
    ask(client)
    theirs = CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(hours=3))
    assert client.post(reverse("portal:checkin", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.heard_at is None


def test_forget_me_runs_the_forget_path_and_leaves_only_counts(client, portal_open):
    codename = ask(client)
    client.post(reverse("portal:write"), {"body": "Please delete me later."})
    case = Case.objects.get()
    refused = client.post(reverse("portal:forget"), {})
    assert refused.status_code == 400 and Case.objects.exists()
    response = client.post(reverse("portal:forget"), {"sure": "on"})
    assert response["Location"].startswith(reverse("portal:forgotten"))
    assert not Case.objects.exists()
    assert not Message.objects.exists() and not Codename.objects.exists()
    assert not PortalSession.objects.filter(case__isnull=False).exists()
    assert RetiredCaseCount.objects.filter(dimension="outcome", value="forgotten").exists()
    assert AuditEvent.objects.filter(action="purge", object_ref=case.reference).exists()
    other = client.__class__()
    assert sign_in(other, codename)["Location"].startswith(reverse("portal:sign_in"))


def test_a_case_on_legal_hold_is_not_forgotten_and_the_person_is_told(client, portal_open):
    ask(client)
    Case.objects.update(legal_hold=True)
    response = client.post(reverse("portal:forget"), {"sure": "on"})
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    assert Case.objects.exists()


def test_a_flagged_handle_makes_the_request_suspected_and_tells_the_person_nothing(
    client, portal_open, coordinator
):
    FlaggedHandle.objects.create(handle_index=blind_index("@provocateur"), flagged_by=coordinator)
    ask(client, reach="telegram", handle="@Provocateur")
    case = Case.objects.get()
    assert case.verification == Verification.SUSPECTED
    page = client.get(reverse("portal:inbox")).content.decode()
    assert "provoc" not in page.lower() and "провокац" not in page.lower()


def test_a_handle_is_needed_unless_only_here(client, portal_open):
    response = client.post(
        reverse("portal:ask"),
        {"alias": "A", "narrative": "B", "danger": "2", "region": "other", "reach": "signal"},
    )
    assert response.status_code == 302 and not Case.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert 'class="error-summary"' in page
    assert 'value="A"' in page  # what was typed is back in the form


def test_a_refused_request_comes_back_with_every_ticked_need(client, portal_open):
    data = {**REQUEST, "needs": ["shelter", "legal", "money"], "region": ""}
    response = client.post(reverse("portal:ask"), data)
    page = client.get(response["Location"]).content.decode()
    ticked = re.findall(r'name="needs" value="(\w+)" id="id_needs_\d+" checked', page)
    assert ticked == ["shelter", "legal", "money"]


def test_the_team_is_reminded_of_the_new_request_by_risk(client, portal_open, coordinator):
    ask(client, danger="4")
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(hours=2))
    scan()
    assert coordinator.notifications.filter(case=case, kind="first_response").exists()


def test_a_reply_on_the_portal_is_a_first_response(client, portal_open, coordinator):
    ask(client, danger="4")
    case = Case.objects.get()
    assert Case.objects.awaiting_first_response().filter(pk=case.pk).exists()
    Message.objects.create(case=case, direction="person", body="Hello?")
    assert Case.objects.awaiting_first_response().filter(pk=case.pk).exists()
    Message.objects.create(case=case, direction="team", body="We are here.", by=coordinator)
    assert not Case.objects.awaiting_first_response().filter(pk=case.pk).exists()


def test_a_request_that_never_becomes_active_is_purged_as_stale(client, portal_open):
    ask(client)
    client.post(reverse("portal:write"), {"body": "Hello?"})
    old = timezone.now() - timedelta(days=400)
    Case.objects.update(created_at=old, updated_at=old)
    purged = purge_expired()
    assert purged["stale_unverified"] == 1
    assert not Case.objects.exists() and not Message.objects.exists()


def test_a_request_merged_into_another_case_lives_on_there(client, portal_open, coordinator):
    """The portal follows a merge: the codename opens the case kept, with the messages
    and check-ins moved there, and "forget me" deletes that case (a review found the
    story left behind in the merge's note)."""
    from network.services import case_merge
    from tests.factories import CaseFactory

    codename = ask(client, narrative="PortalMergeStory")
    client.post(reverse("portal:write"), {"body": "Before the merge"})
    duplicate = Case.objects.get()
    survivor = CaseFactory(team=portal_open, alias="Kept")
    case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    checkin = CheckIn.objects.create(case=survivor, due_at=timezone.now() + timedelta(hours=2))
    assert Message.objects.get().case == survivor
    other = client.__class__()
    sign_in(other, codename)
    page = other.get(reverse("portal:inbox")).content.decode()
    assert "Before the merge" in page
    assert reverse("portal:checkin", args=[checkin.pk]) in page
    response = other.post(reverse("portal:forget"), {"sure": "on"})
    assert response["Location"].startswith(reverse("portal:forgotten"))
    assert not Case.objects.exists()
    assert not Note.objects.filter(body__isnull=False).exists()
