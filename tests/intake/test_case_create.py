"""Recording a help request, and the warning for a known or flagged handle."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint
from django.urls import reverse

from accounts.models import Role
from crypto.blind_index import blind_index
from intake.models import Case, FlaggedHandle
from intake.status import Status
from tests.factories import CaseFactory, UserFactory

URL = reverse("intake:case_create")


def data(team, **overrides):
    values = {
        "team": team.pk,
        "alias": "Heron",
        "contact_channel": "telegram",
        "contact_handle": "@heron_demo",
        "safe_contact": "Never call; relatives listen.",
        "region": "chechnya",
        "location": "a friend's flat",
        "threats": ["police_detention", "outing"],
        "needs": ["evacuation", "shelter"],
        "languages": ["ru", "ce"],
        "risk": "4",
        "narrative": "Released yesterday; phone kept by police.",
    }
    values.update(overrides)
    return values


@pytest.fixture
def desk(client, operator):
    client.force_login(operator)
    return client


def test_an_operator_records_a_request(desk, operator, team_a):
    response = desk.post(URL, data(team_a))
    case = Case.objects.get()
    assert response["Location"] == reverse("intake:case_detail", args=[case.reference])
    assert (case.team, case.created_by, case.status, case.risk) == (team_a, operator, "new", 4)
    assert case.needs == ["evacuation", "shelter"]
    assert case.threats == ["outing", "police_detention"]
    assert case.handle_index == blind_index("@heron_demo")
    assert case.safe_contact == "Never call; relatives listen."


@pytest.mark.parametrize("team", ["other", "", "0", "1 OR 1=1", "<b>", "\u0663", "9" * 400])
def test_it_records_only_into_the_users_own_team(desk, team_b, team):
    value = team_b.pk if team == "other" else team
    response = desk.post(URL, {**data(team_b), "team": value})
    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_member_of_two_teams_chooses_one(client, team_a, team_b):
    both = UserFactory(role=Role.OPERATOR, teams=[team_a, team_b])
    client.force_login(both)
    page = client.get(URL).content.decode()
    assert page.count(f'<option value="{team_a.pk}">{team_a.name}</option>') == 1
    assert page.count(f'<option value="{team_b.pk}">{team_b.name}</option>') == 1
    assert client.post(URL, data(team_b)).status_code == 302
    assert Case.objects.get().team == team_b


def test_the_reference_is_random_and_opaque(desk, team_a):
    desk.post(URL, data(team_a, contact_handle="@one"))
    desk.post(URL, data(team_a, contact_handle="@two"))
    first, second = Case.objects.order_by("pk")
    shape = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
    assert shape.fullmatch(first.reference) and shape.fullmatch(second.reference)
    assert first.reference != second.reference


def test_only_the_required_fields_are_required(desk, team_a):
    response = desk.post(URL, {"team": team_a.pk})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"alias", "contact_channel", "region", "risk"}
    assert not Case.objects.exists()


@pytest.mark.parametrize("risk", ["0", "5", "9", "-1"])
def test_a_risk_off_the_scale_is_a_form_error(desk, team_a, risk):
    # Case leaves its check constraints to the database: the field's own
    # choices must catch this first, or the database would answer with a 500.
    response = desk.post(URL, data(team_a, risk=risk))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"risk"}
    assert not Case.objects.exists()


def test_the_database_still_refuses_a_risk_off_the_scale(db, team_a):
    case = CaseFactory(team=team_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(risk=9)
    case.refresh_from_db()
    assert case.risk in (1, 2, 3, 4)


def test_case_has_only_check_constraints_which_its_forms_need_not_repeat():
    # Case.validate_constraints skips them all; a unique constraint added
    # later would need it, or a duplicate would reach the database as a 500.
    assert all(isinstance(c, CheckConstraint) for c in Case._meta.constraints)


def test_it_warns_about_a_known_handle_before_saving(desk, team_a):
    existing = CaseFactory(team=team_a, contact_handle="@heron_demo")
    response = desk.post(URL, data(team_a, contact_handle="  @HERON_demo "))
    assert response.status_code == 400
    assert existing.reference.encode() in response.content
    assert Case.objects.count() == 1
    response = desk.post(URL, data(team_a, record_anyway="on"))
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_it_warns_about_a_flagged_provocation_handle(desk, team_a):
    FlaggedHandle.objects.create(handle_index=blind_index("+7 900 000-12-34"))
    response = desk.post(URL, data(team_a, contact_channel="phone", contact_handle="79000001234"))
    assert response.status_code == 400
    assert b"flagged as a suspected provocation" in response.content
    assert not Case.objects.exists()


def test_it_does_not_reveal_other_teams_cases(desk, team_a, team_b):
    other = CaseFactory(team=team_b, contact_handle="@heron_demo")
    response = desk.post(URL, data(team_a))
    assert response.status_code == 302
    assert other.reference.encode() not in desk.get(response["Location"]).content


class TestHandleCheck:
    url = reverse("intake:handle_check")

    def test_it_answers_with_matches(self, desk, team_a):
        existing = CaseFactory(team=team_a, contact_handle="@sparrow", status=Status.ACTIVE)
        response = desk.post(self.url, {"contact_handle": "@Sparrow"})
        assert existing.reference.encode() in response.content
        assert "no-store" in response["Cache-Control"]

    def test_it_answers_nothing_for_an_unknown_handle(self, desk, team_a):
        CaseFactory(team=team_a, contact_handle="@sparrow")
        response = desk.post(self.url, {"contact_handle": "@finch"})
        assert response.status_code == 200
        assert b"warning" not in response.content

    def test_it_is_not_a_get(self, desk):
        assert desk.get(self.url, {"contact_handle": "@x"}).status_code == 405

    @pytest.mark.parametrize("handle", ["", "x" * 5000, "a\x00b", "<script>"])
    def test_it_survives_bad_input(self, desk, handle):
        response = desk.post(self.url, {"contact_handle": handle})
        assert response.status_code == (400 if "\x00" in handle else 200)
        assert b"<script>" not in response.content

    def test_the_form_wires_the_check_to_the_handle_field(self, desk):
        page = desk.get(URL).content.decode()
        assert f'data-handle-check="{self.url}"' in page
        assert 'id="handle-matches"' in page


def test_a_known_handle_can_be_added_to_the_existing_case_as_a_note(client, caseworker, case):
    from audit.models import AuditEvent
    from intake.models import Note

    client.force_login(caseworker)
    data = {
        "team": case.team_id, "alias": "Marker-Returning", "contact_channel": "telegram",
        "contact_handle": case.contact_handle, "risk": "3", "region": "chechnya",
        "narrative": "Wrote again from the same account.",
    }  # fmt: skip
    page = client.post(reverse("intake:case_create"), data).content.decode()
    assert f'name="add_to" value="{case.reference}"' in page
    events = AuditEvent.objects.count()
    response = client.post(reverse("intake:case_create"), {**data, "add_to": case.reference})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:case_detail", args=[case.reference])
    assert Case.objects.count() == 1
    note = Note.objects.get()
    assert note.case == case and note.author == caseworker
    assert "Marker-Returning" in note.body and "Wrote again from the same account." in note.body
    assert AuditEvent.objects.count() == events + 1


def test_adding_to_a_case_the_handle_does_not_match_is_refused(client, caseworker, case, team_a):
    from intake.models import Note

    other = CaseFactory(team=team_a)
    client.force_login(caseworker)
    data = {
        "team": case.team_id, "alias": "A", "contact_channel": "telegram",
        "contact_handle": case.contact_handle, "risk": "3", "region": "chechnya",
    }  # fmt: skip
    response = client.post(reverse("intake:case_create"), {**data, "add_to": other.reference})
    assert response.status_code == 404
    assert not Note.objects.exists() and Case.objects.count() == 2


def test_an_operator_is_not_offered_adding_to_a_case(client, operator, case):
    client.force_login(operator)
    data = {
        "team": case.team_id, "alias": "A", "contact_channel": "telegram",
        "contact_handle": case.contact_handle, "risk": "3", "region": "chechnya",
    }  # fmt: skip
    page = client.post(reverse("intake:case_create"), data).content.decode()
    assert 'name="add_to"' not in page


def test_a_repeat_added_to_a_case_keeps_its_risk_and_needs(client, caseworker, case):
    from intake.models import Note

    client.force_login(caseworker)
    data = {
        "team": case.team_id, "alias": "Again", "contact_channel": "telegram",
        "contact_handle": case.contact_handle, "risk": "4", "region": "chechnya",
        "needs": ["legal"], "add_to": case.reference,
    }  # fmt: skip
    assert client.post(reverse("intake:case_create"), data).status_code == 302
    body = Note.objects.get().body
    assert "Critical" in body and "Legal aid" in body
