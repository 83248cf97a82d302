"""The handles pasted from a seized phone are compared and forgotten: marker strings
are nowhere afterwards, not in the database, the trail, the session, a draft, the
logs or the page (but in the form itself, when it is refused and comes back)."""

import json
import logging
import re

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import StaffSession
from accounts.sessions import SessionStore
from audit.models import AuditEvent
from drafts.models import Draft
from network.models import Exposure
from tests.factories import CaseFactory
from tests.intake.test_no_plaintext import raw_database_text, table_text

# One matches a case of the team, the others match nothing; their normalised
# forms (what the blind index hashes) are looked for too.
MATCHING = "@MrkSeizedMatch7Q"
MARKERS = ["@MrkSeizedOne7Q", "MRKNAME7Q", "t.me/MrkSeizedTwo7Q", "+7 999 000 71 17"]
NORMALISED = ["mrkseizedmatch7q", "mrkseizedone7q", "mrkseizedtwo7q", "+79990007117", "79990007117"]
CONTACTS = "\n".join([MATCHING, MARKERS[0], f"{MARKERS[1]}, {MARKERS[2]}", MARKERS[3]])


def every_marker():
    return [MATCHING, *MARKERS, *NORMALISED, "MrkSeized", "mrkseized", "MRKNAME"]


def sessions_text() -> str:
    return "\n".join(
        json.dumps(SessionStore().decode(row.session_data), default=str)
        for row in StaffSession.objects.all()
    )


def mark(client, case, contacts):
    url = reverse("network:compromised_mark", args=[case.reference])
    return client.post(url, {"contacts": contacts})


@pytest.fixture
def matched(team_a):
    return CaseFactory(team=team_a, contact_handle=MATCHING)


@pytest.mark.django_db(transaction=True)
def test_no_pasted_handle_is_kept_anywhere(worker, case, matched):
    response = mark(worker, case, CONTACTS)
    assert response.status_code == 302
    assert Exposure.objects.get().case == matched  # the paste was read and matched
    page = worker.get(response["Location"])  # the messages are read, as a person would
    assert page.status_code == 200
    for marker in every_marker():
        assert marker not in response["Location"]
        assert marker.encode() not in page.content
    raw = raw_database_text()
    assert case.reference in raw  # the dump is real
    dump = table_text()
    audit = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert "contacts_checked" in audit  # the trail holds the counts
    session = sessions_text()
    assert session  # the session was read
    for marker in every_marker():
        for where, text in (("database", raw), ("tables", dump), ("trail", audit)):
            assert marker not in text, where
        assert marker not in session
    assert not Draft.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_no_pasted_handle_reaches_the_logs_or_the_sql(worker, case, matched, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # log every statement with its parameters
    try:
        assert mark(worker, case, CONTACTS).status_code == 302
        too_many = CONTACTS + "\n" + "\n".join(f"@filler{n}" for n in range(1000))
        assert mark(worker, case, too_many).status_code == 400
    finally:
        connection.force_debug_cursor = False
    text = "\n".join(r.getMessage() + str(r.__dict__.get("params", "")) for r in caplog.records)
    assert "INSERT INTO" in text and "Bad Request" in text  # both were logged
    for marker in every_marker():
        assert marker not in text


def test_a_refused_paste_comes_back_in_the_form_and_nowhere_else(worker, case, matched):
    too_many = CONTACTS + "\n" + "\n".join(f"@filler{n}" for n in range(1000))
    response = mark(worker, case, too_many)
    assert response.status_code == 400
    text = response.content.decode()
    field = re.search(r'<textarea name="contacts"[^>]*>(.*?)</textarea>', text, re.S)
    assert field is not None and MARKERS[0] in field.group(1)  # kept, to be corrected
    rest = text[: field.start()] + text[field.end() :]
    for marker in every_marker():
        assert marker not in rest
    assert not Exposure.objects.exists()


def test_the_contacts_form_keeps_no_draft_and_no_autofill(worker, case):
    mark(worker, case, "")  # marked: the contacts form is on the page now
    text = worker.get(reverse("intake:case_detail", args=[case.reference])).content.decode()
    form = re.search(r"<form[^>]*data-contacts-form[^>]*>.*?</form>", text, re.S).group(0)
    assert "data-draft" not in form
    assert 'autocomplete="off"' in form
    field = re.search(r"<textarea[^>]*>", form).group(0)
    assert 'autocomplete="off"' in field and "maxlength" not in field
    # Nor does the draft endpoint keep it if asked: no such draft form exists.
    save = worker.post(
        reverse("drafts:save"), {"_draft": "contacts", "_draft_scope": "", "contacts": MATCHING}
    )
    assert save.status_code in (403, 404)
    assert not Draft.objects.exists()


def test_the_pasted_handles_are_not_in_an_error_report(worker, case, monkeypatch, caplog):
    from network import services

    def explode(**kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(services, "device_mark_compromised", explode)
    worker.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    response = mark(worker, case, CONTACTS)
    assert response.status_code == 500
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    assert "simulated failure" in logged
    for marker in every_marker():
        assert marker.encode() not in response.content
        assert marker not in logged
