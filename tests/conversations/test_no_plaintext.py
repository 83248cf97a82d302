"""A reply and a template are encrypted: their marker strings are nowhere in the clear,
not in the database file, its rows, the trail, the logs, the SQL or an address."""

import json
import logging

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from conversations.models import Message, ReplyTemplate
from tests.intake.test_no_plaintext import raw_database_text, table_text

REPLY = "MRKREPLY7Q meet at the station"
TITLE = "MRKTPLTITLE7Q"
BODY = "MRKTPLBODY7Q delete the chat"
PERSON = "MRKPERSON7Q they took my passport"
MARKERS = [REPLY, TITLE, BODY, PERSON, "MRKREPLY", "MRKTPL", "MRKPERSON"]


def converse(client, coordinator, case):
    """A template saved, a message read, a reply sent with the template inserted."""
    from conversations import services

    client.force_login(coordinator)
    locations = []
    data = {"team": case.team_id, "language": "en", "title": TITLE, "body": BODY}
    response = client.post(reverse("conversations:template_create"), data)
    assert response.status_code == 302
    locations.append(response["Location"])
    services.person_writes(case=case, body=PERSON)
    page = client.get(reverse("intake:case_detail", args=[case.reference]))
    assert PERSON.encode() in page.content  # shown, so read and decrypted
    url = reverse("conversations:reply", args=[case.reference])
    saved = ReplyTemplate.objects.get()
    inserted = client.post(url, {"body": REPLY, "template": saved.pk, "insert": "1"})
    assert inserted.status_code == 200
    response = client.post(url, {"body": f"{REPLY}\n\n{BODY}"})
    assert response.status_code == 302
    locations.append(response["Location"])
    return locations


@pytest.mark.django_db(transaction=True)
def test_no_reply_or_template_is_stored_in_the_clear(client, coordinator, portal_case):
    locations = converse(client, coordinator, portal_case)
    assert Message.objects.get(direction="team").body == f"{REPLY}\n\n{BODY}"  # really saved
    assert ReplyTemplate.objects.get().title == TITLE
    raw = raw_database_text()
    assert portal_case.reference in raw  # the dump is real
    rows = table_text()
    trail = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert "messages_read" in trail and '"message": ' in trail  # the trail holds the facts
    for marker in MARKERS:
        for where, text in (("file", raw), ("rows", rows), ("trail", trail)):
            assert marker not in text, where
        for location in locations:
            assert marker not in location


@pytest.mark.django_db(transaction=True)
def test_no_reply_or_template_reaches_the_logs_or_the_sql(client, coordinator, portal_case, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # log every statement with its parameters
    try:
        converse(client, coordinator, portal_case)
        # A refused one is logged as a Bad Request: with no text either.
        url = reverse("conversations:reply", args=[portal_case.reference])
        assert client.post(url, {"body": REPLY + "x" * 5000}).status_code == 400
    finally:
        connection.force_debug_cursor = False
    text = "\n".join(r.getMessage() + str(r.__dict__.get("params", "")) for r in caplog.records)
    assert "INSERT INTO" in text and "Bad Request" in text  # both were logged
    for marker in MARKERS:
        assert marker not in text


def test_an_error_page_shows_no_reply_and_the_log_holds_none(
    client, caseworker, portal_case, monkeypatch, caplog
):
    from conversations import services

    def explode(**kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(services, "team_replies", explode)
    client.force_login(caseworker)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    url = reverse("conversations:reply", args=[portal_case.reference])
    response = client.post(url, {"body": REPLY})
    assert response.status_code == 500
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    assert "simulated failure" in logged
    assert REPLY.encode() not in response.content
    assert REPLY not in logged
