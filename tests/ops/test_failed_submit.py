"""What a scripted submit is answered, and what a database outage is answered."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from intake import services
from intake.models import Note

pytestmark = pytest.mark.django_db


def test_a_scripted_submit_learns_the_redirect_instead_of_following_it(client, caseworker, case):
    client.force_login(caseworker)
    response = client.post(
        reverse("intake:note_add", args=[case.reference]),
        {"body": "Heard from her."},
        headers={"X-Scripted-Submit": "1"},
    )
    assert response.status_code == 204
    assert response["X-Scripted-Location"] == reverse("intake:case_detail", args=[case.reference])
    assert "Location" not in response
    # The one-time message waits for the page the script goes to.
    page = client.get(response["X-Scripted-Location"]).content.decode()
    assert "Note added." in page


def test_a_plain_submit_is_redirected_as_before(client, caseworker, case):
    client.force_login(caseworker)
    response = client.post(reverse("intake:note_add", args=[case.reference]), {"body": "x"})
    assert response.status_code == 302 and "X-Scripted-Location" not in response


def test_a_scripted_refused_submit_gets_the_page_with_its_errors(client, caseworker, case):
    client.force_login(caseworker)
    response = client.post(
        reverse("intake:note_add", args=[case.reference]),
        {"body": ""},
        headers={"X-Scripted-Submit": "1"},
    )
    assert response.status_code == 400 and b"error-summary" in response.content


@pytest.fixture
def database_down(monkeypatch):
    def fail(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "note_add", fail)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_database_outage_is_a_503_that_says_nothing_was_saved(
    caseworker, case, database_down, language
):
    caseworker.language = language
    caseworker.save()
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.post(reverse("intake:note_add", args=[case.reference]), {"body": "Marker"})
    assert response.status_code == 503
    page = response.content.decode()
    said = {"en": "Nothing you sent was saved", "ru": "Ничего из отправленного не сохранено"}
    assert said[language] in page
    assert "Marker" not in page
    assert not Note.objects.exists()


def test_any_other_error_is_still_a_500(caseworker, case, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "note_add", fail)
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.post(reverse("intake:note_add", args=[case.reference]), {"body": "Marker"})
    assert response.status_code == 500
    assert b"a bug" not in response.content


def test_a_database_failing_mid_save_leaves_nothing_saved(caseworker, case, monkeypatch):
    """The outage reaches the database itself, after the note's INSERT went through."""
    from django.db import connection

    from drafts.models import Draft

    Draft.objects.create(author=caseworker, form="note", scope=case.reference, data="{}")

    def fail_after_the_note(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("INSERT") and "intake_note" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return result

    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    with connection.execute_wrapper(fail_after_the_note):
        response = client.post(
            reverse("intake:note_add", args=[case.reference]), {"body": "Marker"}
        )
    assert response.status_code == 503
    assert not Note.objects.exists()
    assert Draft.objects.exists()
