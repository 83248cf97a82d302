"""What the person types, and their codename, are nowhere in the clear: not in the
database, the sessions, the trail, the logs with their SQL, the e-mails or Redis."""

import json
import logging

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from conversations.models import Message
from intake.models import Case
from portal import codenames
from reminders.services import scan, send_digests
from tests.intake.test_no_plaintext import raw_database_text, table_text
from tests.portal.conftest import REQUEST, ask

MARKERS = {
    "alias": "PortalMarkAlias",
    "narrative": "PortalMarkNarrative",
    "handle": "@PortalMarkHandle",
    "safe_contact": "PortalMarkSafe",
}
MESSAGE = "PortalMarkMessage"
REPLY = "PortalMarkReply"


def every_marker(codename: str) -> list[str]:
    words = codename.split()
    return [
        *MARKERS.values(),
        "portalmarkhandle",
        MESSAGE,
        REPLY,
        codename,
        codenames.normalise(codename),
        " ".join(words[:3]),
    ]


def the_whole_way(client, coordinator) -> str:
    """Ask, write, get a reply, read it, answer, and let the reminders run."""
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    codename = ask(client, reach="signal", **MARKERS)
    client.post(reverse("portal:write"), {"body": MESSAGE})
    case = Case.objects.get()
    Message.objects.create(case=case, direction="team", body=REPLY, by=coordinator)
    assert REPLY in client.get(reverse("portal:inbox")).content.decode()
    other = client.__class__()
    other.post(reverse("portal:sign_in"), {"codename": codename})
    other.post(reverse("portal:sign_in"), {"codename": codename + " wrong"})
    scan()
    send_digests()
    return codename


@pytest.mark.django_db(transaction=True)
def test_nothing_typed_is_stored_in_the_clear(client, portal_open, coordinator):
    codename = the_whole_way(client, coordinator)
    raw, tables = raw_database_text(), table_text()
    case = Case.objects.get()
    assert case.reference in raw  # the dump is real
    assert case.alias == MARKERS["alias"]  # and the field holds the marker, encrypted
    audit = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert "portal" in audit
    assert mail.outbox and all(m.to == ["coordinator@example.org"] for m in mail.outbox)
    sent = "\n".join(m.subject + m.body for m in mail.outbox)
    for marker in every_marker(codename):
        for where, text in (("database", raw), ("tables", tables), ("trail", audit)):
            assert marker not in text, where
        assert marker not in sent


@pytest.mark.django_db
def test_nothing_typed_reaches_the_logs_or_the_sql(client, portal_open, coordinator, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # every statement with its parameters
    try:
        codename = the_whole_way(client, coordinator)
    finally:
        connection.force_debug_cursor = False
    text = "\n".join(r.getMessage() + str(r.__dict__.get("params", "")) for r in caplog.records)
    assert "INSERT INTO" in text
    for marker in every_marker(codename):
        assert marker not in text


@pytest.mark.django_db
def test_addresses_carry_nothing_typed(client, portal_open):
    response = client.post(reverse("portal:ask"), {**REQUEST, **MARKERS, "reach": "signal"})
    for marker in MARKERS.values():
        assert marker not in response["Location"]
    page = client.get(response["Location"])
    assert "no-store" in page["Cache-Control"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_nothing_typed_reaches_redis(client, portal_open, coordinator):
    import redis

    from portal.tasks import tidy
    from reminders.tasks import scan_reminders

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    codename = the_whole_way(client, coordinator)
    for task in (tidy, scan_reminders):
        task.apply_async(queue="portal-marker-test")
    try:
        keys = broker.keys("*")
        assert keys  # the queued jobs are there to read
        dump = b""
        for key in keys:
            kind = broker.type(key)
            if kind == b"list":
                dump += b"".join(broker.lrange(key, 0, -1))
            elif kind == b"string":
                dump += broker.get(key) or b""
            elif kind == b"hash":
                dump += json.dumps(
                    {str(k): str(v) for k, v in broker.hgetall(key).items()}
                ).encode()
        for marker in every_marker(codename):
            assert marker.encode() not in dump
    finally:
        broker.delete("portal-marker-test")
