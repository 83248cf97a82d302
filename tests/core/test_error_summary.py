"""A refused form says why at the top of the page, linking to each field in error."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from intake.models import Case, Note

pytestmark = pytest.mark.django_db


def summary(response) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert found, "no error summary on the page"
    return found.group(0)


def test_a_refused_note_is_summarised_first_with_a_link_to_the_field(client, caseworker, case):
    client.force_login(caseworker)
    response = client.post(reverse("intake:note_add", args=[case.reference]), {"body": " "})
    assert response.status_code == 400
    box = summary(response)
    assert 'href="#id_body"' in box and "This field is required." in box
    assert "autofocus" in box and 'role="alert"' in box
    page = response.content.decode()
    # Before the page's own content, so a phone shows it without scrolling.
    assert page.index('class="error-summary"') < page.index("<h1>")
    assert 'id="id_body"' in page
    assert not Note.objects.exists()


def test_a_known_handle_is_summarised_in_russian(client, operator, case):
    client.force_login(operator)
    operator.language = "ru"
    operator.save()
    data = {
        "team": case.team_id, "alias": "Новый", "contact_channel": "telegram",
        "contact_handle": case.contact_handle, "risk": "2", "region": "chechnya",
    }  # fmt: skip
    response = client.post(reverse("intake:case_create"), data)
    assert response.status_code == 400
    with translation.override("ru"):
        box = summary(response)
    assert "Не сохранено" in box and 'href="#id_record_anyway"' in box
    assert Case.objects.count() == 1


def test_a_page_without_a_refused_form_has_no_summary(client, caseworker, case):
    client.force_login(caseworker)
    page = client.get(reverse("intake:case_detail", args=[case.reference])).content.decode()
    assert "error-summary" not in page


def test_the_status_select_starts_blank_and_a_blank_move_changes_nothing(client, caseworker, case):
    client.force_login(caseworker)
    page = client.get(reverse("intake:case_detail", args=[case.reference])).content.decode()
    select = re.search(r'<select name="to".*?</select>', page, re.S).group(0)
    selected = re.findall(r"<option[^>]*selected[^>]*>", select)
    assert selected == ['<option value="" selected>']
    response = client.post(reverse("intake:case_move", args=[case.reference]), {"to": ""})
    assert response.status_code == 400
    assert 'href="#id_to"' in summary(response)
    case.refresh_from_db()
    assert case.status == "new"
