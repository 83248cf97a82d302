"""A file's contents, its name and its description are nowhere in the clear: not in
the database file, the store or the spool (contents and names), the trail, the logs
with their SQL, or a task's message; and a stolen copy of the database and the
store, without the file keys, opens nothing."""

import base64
import inspect
import json
import logging
import os
import subprocess
import sys

import pytest
import tink
from celery.app.task import Task
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.urls import reverse
from tink import secret_key_access
from tink.proto import aes_gcm_hkdf_streaming_pb2, tink_pb2

from audit.models import AuditEvent
from crypto import keycheck
from evidence import keys, sealing, store
from evidence.keys import FileKeyError
from evidence.models import Copy, EvidenceFile
from retention.services import case_purge
from tests.evidence import samples
from tests.evidence.conftest import (
    open_referral,
    share,
    spooled,
    stored,
    upload,
)
from tests.intake.test_no_plaintext import raw_database_text, table_text

CONTENT = b"MARKER-CONTENT-7Q the officer who took my passport was called\n"
TEXT_NAME = "MARKER-NAME-7Q-statement.txt"
PHOTO_NAME = "MARKER-NAME-7Q-bruises.jpg"
DESCRIPTION = "MARKER-DESC-7Q taken the day after"
REFUSED_NAME = "MARKER-REFUSED-7Q.png"
REFUSED_DESCRIPTION = "MARKER-REFUSED-DESC-7Q"
MARKERS = [
    CONTENT.decode().strip(),
    "MARKER-CONTENT-7Q",
    TEXT_NAME,
    PHOTO_NAME,
    "MARKER-NAME-7Q",
    DESCRIPTION,
    "MARKER-DESC-7Q",
    samples.MARKER,  # in the photo's EXIF and GPS, XMP, comment and ICC profile
    REFUSED_NAME,
    REFUSED_DESCRIPTION,
]
# A file's types are encrypted fields too: none of them in a row of the files' table.
TYPES = ["image/jpeg", "text/plain", "application/octet-stream"]


def every_way(client, caseworker, coordinator, case, partner_org, partner):
    """Add a text and a photo, refuse a polyglot, then every way a file leaves."""
    client.force_login(caseworker)
    for content, name in ((CONTENT, TEXT_NAME), (samples.jpeg(), PHOTO_NAME)):
        response = upload(client, case, content, name=name, description=DESCRIPTION)
        assert response.status_code == 302, response.content[:2000]
    refused = upload(
        client,
        case,
        samples.png() + samples.zip_bytes(),
        name=REFUSED_NAME,
        description=REFUSED_DESCRIPTION,
    )
    assert refused.status_code == 400
    text, photo = EvidenceFile.objects.order_by("pk")
    page = client.get(reverse("intake:case_detail", args=[case.reference])).content.decode()
    # Shown on the case page: really kept, and read back through the field keys.
    assert TEXT_NAME in page and PHOTO_NAME in page and DESCRIPTION in page
    download = client.get(reverse("evidence:download", args=[text.reference]))
    assert b"".join(download.streaming_content) == CONTENT
    download = client.get(reverse("evidence:download", args=[photo.reference]))
    assert b"".join(download.streaming_content)[:3] == b"\xff\xd8\xff"
    assert client.get(reverse("evidence:preview", args=[photo.reference])).status_code == 200
    referral = open_referral(case, partner_org, caseworker)
    share(photo, referral, caseworker)
    client.force_login(coordinator)
    original = client.post(
        reverse("evidence:original", args=[photo.reference]), {"purpose": "asylum"}
    )
    assert samples.MARKER_BYTES in b"".join(original.streaming_content)  # the sealed original
    client.force_login(partner)
    shared = client.get(
        reverse("evidence:partner_download", args=[referral.reference, photo.reference])
    )
    assert shared.status_code == 200
    b"".join(shared.streaming_content)
    return text, photo


@pytest.fixture
def spool_watch(monkeypatch):
    """What each spool file held when the store took it: {spool file's name: bytes}."""
    seen = {}
    put = store.put

    def watching(name, path):
        seen[path.name] = path.read_bytes()
        return put(name, path)

    monkeypatch.setattr(store, "put", watching)
    return seen


@pytest.fixture
def enqueued(monkeypatch):
    """Every task sent while the test runs: (name, args, kwargs)."""
    sent = []

    def apply_async(self, args=None, kwargs=None, **options):
        sent.append((self.name, args, kwargs))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return sent


def raw_key_value(file: EvidenceFile) -> bytes:
    """The AES key inside a file's Tink keyset: what a thief would need."""
    handle = keys.unwrap(file.wrapped_key, kid=file.key_id, bound_to=file.reference)
    keyset = tink_pb2.Keyset.FromString(
        tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN)
    )
    (key,) = keyset.key
    value = aes_gcm_hkdf_streaming_pb2.AesGcmHkdfStreamingKey.FromString(key.key_data.value)
    assert len(value.key_value) == 32
    return value.key_value


@pytest.mark.django_db(transaction=True)
def test_nothing_of_a_file_is_stored_in_the_clear(
    client, caseworker, coordinator, case, partner_org, partner, spool_watch
):
    text, photo = every_way(client, caseworker, coordinator, case, partner_org, partner)
    assert settings.FILE_UPLOAD_HANDLERS == []  # Django's own would spool plaintext to /tmp
    raw = raw_database_text()
    assert text.reference in raw and photo.reference in raw  # the dump is real
    rows = table_text()
    trail = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert photo.sha256 in trail  # the trail holds the facts
    objects = stored()
    # Four objects: the text is its own working copy; the photo has three (with its preview).
    assert len(objects) == 4
    assert {*text.object_names(), *photo.object_names()} == set(objects)
    assert len(spool_watch) == 4  # each object went through the spool first
    assert spooled() == {}  # and nothing is left there
    places = {
        "database": raw,
        "rows": rows,
        "trail": trail,
        "store names": "\n".join(objects),
        "spool names": "\n".join(spool_watch),
    }
    for marker in MARKERS:
        for where, haystack in places.items():
            assert marker not in haystack, where
        for name, data in {**objects, **spool_watch}.items():
            assert marker.encode() not in data, name
    for name in objects:
        assert "." not in name  # no extension says what it is
    files_table = table_text(
        exclude=tuple(set(connection.introspection.table_names()) - {EvidenceFile._meta.db_table})
    )
    assert photo.reference in files_table
    for kind in TYPES:
        assert kind not in files_table


@pytest.mark.django_db(transaction=True)
def test_no_data_key_and_no_file_key_is_in_the_database(
    client, caseworker, coordinator, case, partner_org, partner
):
    every_way(client, caseworker, coordinator, case, partner_org, partner)
    raw = connection.connection.serialize() if connection.vendor == "sqlite" else None
    text = raw_database_text()
    for file in EvidenceFile.objects.all():
        value = raw_key_value(file)
        assert value.decode("latin-1") not in text
        if raw is not None:
            assert value not in raw
        for data in stored().values():
            assert value not in data
    for kek in settings.FILE_ENCRYPTION_KEYS:
        assert kek not in text
        assert base64.urlsafe_b64decode(kek).decode("latin-1") not in text


@pytest.mark.django_db(transaction=True)
def test_nothing_of_a_file_reaches_the_logs_or_the_sql(
    client, caseworker, coordinator, case, partner_org, partner, caplog
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # every statement with its parameters
    try:
        every_way(client, caseworker, coordinator, case, partner_org, partner)
        case_purge(case_id=case.pk, reason="person_asked", by=coordinator)
    finally:
        connection.force_debug_cursor = False
    text = "\n".join(
        r.getMessage()
        + str(r.__dict__.get("params", ""))
        + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    assert "INSERT INTO" in text and "Bad Request" in text  # the SQL and the refusal were logged
    assert "evidence_evidencefile" in text
    for marker in MARKERS:
        assert marker not in text


@pytest.mark.django_db(transaction=True)
def test_no_task_carries_anything_of_a_file(
    client, caseworker, coordinator, case, partner_org, partner, enqueued
):
    from evidence.tasks import sweep

    # The job is handed nothing: it finds the rows marked for deletion itself.
    assert list(inspect.signature(sweep.run).parameters) == []
    schedule = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == sweep.name]
    assert schedule and all(not e.get("args") and not e.get("kwargs") for e in schedule)
    text, photo = every_way(client, caseworker, coordinator, case, partner_org, partner)
    case_purge(case_id=case.pk, reason="person_asked", by=coordinator)
    assert not EvidenceFile.objects.exists() and stored() == {}  # the purge took them
    messages = repr(enqueued)
    for secret in [*MARKERS, text.reference, photo.reference, photo.sha256]:
        assert secret not in messages


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_nothing_of_a_file_reaches_redis(
    client, caseworker, coordinator, case, partner_org, partner
):
    import redis

    from evidence.tasks import sweep

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    every_way(client, caseworker, coordinator, case, partner_org, partner)
    sweep.apply_async(queue="evidence-marker-test")
    try:
        dump = b""
        for key in broker.keys("*"):
            kind = broker.type(key)
            if kind == b"list":
                dump += b"".join(broker.lrange(key, 0, -1))
            elif kind == b"string":
                dump += broker.get(key) or b""
            elif kind == b"hash":
                dump += json.dumps(
                    {str(k): str(v) for k, v in broker.hgetall(key).items()}
                ).encode()
        assert b"evidence.tasks.sweep" in dump  # the queued job is there to read
        for marker in MARKERS:
            assert marker.encode() not in dump
    finally:
        broker.delete("evidence-marker-test")


# --- A stolen copy of the database and the store --------------------------------


def as_file_key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def other_keys_a_thief_may_hold(settings) -> list[bytes]:
    """Every other key of the deployment, as 32 raw bytes (a Fernet key is 32 bytes too)."""
    found = [base64.urlsafe_b64decode(key) for key in settings.FIELD_ENCRYPTION_KEY]
    found += [bytes.fromhex(settings.BLIND_INDEX_KEY), bytes.fromhex(settings.CODENAME_KEY)]
    return [*found, settings.SECRET_KEY.encode()[:32].ljust(32, b"\0"), bytes(32)]


@pytest.mark.django_db
def test_a_stolen_database_and_store_open_nothing_without_the_file_keys(
    client, settings, caseworker, coordinator, case, partner_org, partner
):
    every_way(client, caseworker, coordinator, case, partner_org, partner)
    text = EvidenceFile.objects.order_by("pk").first()
    # With the real file keys the copy opens: what fails below fails for the key alone.
    assert sealing.read_all(text, Copy.CLEAN) == CONTENT
    # The thief has every row, every object and even FIELD_ENCRYPTION_KEYS: names
    # and descriptions decrypt, not one byte of a file.
    settings.FILE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stolen = list(EvidenceFile.objects.order_by("pk"))
    assert stolen[0].name == TEXT_NAME
    for file in stolen:
        for copy in (Copy.ORIGINAL, Copy.CLEAN):
            with pytest.raises(FileKeyError, match="does not hold"):
                sealing.chunks(file, copy)
    # Nor does any other key of the deployment unwrap a data key, tried for real:
    # each as if it were the file key that wrapped it.
    for raw in other_keys_a_thief_may_hold(settings):
        settings.FILE_ENCRYPTION_KEYS = [as_file_key(raw)]
        for file in stolen:
            with pytest.raises(FileKeyError, match="does not open its data key"):
                keys.unwrap(
                    file.wrapped_key, kid=keys.key_id(as_file_key(raw)), bound_to=file.reference
                )


@pytest.mark.django_db
def test_the_key_check_stops_a_process_whose_file_keys_cannot_open_the_files(
    client, settings, caseworker, coordinator, case, partner_org, partner
):
    text, _photo = every_way(client, caseworker, coordinator, case, partner_org, partner)
    assert keycheck.problem(force=True) is None
    real = settings.FILE_ENCRYPTION_KEYS
    settings.FILE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    found = keycheck.problem(force=True)
    assert found is not None
    assert "FILE_ENCRYPTION_KEYS does not hold the file key" in found
    assert text.key_id in found  # which key to restore, by its id: never the key
    client.force_login(caseworker)
    response = client.get(reverse("evidence:download", args=[text.reference]))
    assert response.status_code == 503  # nothing is read or saved meanwhile
    # A new key put in front of the old one is what a rotation starts from: it passes.
    settings.FILE_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *real]
    assert keycheck.problem(force=True) is None


def settings_load(env: dict, script: str = "from django.conf import settings; settings.DEBUG"):
    return subprocess.run(
        [sys.executable, "-c", f"import django; {script}"],
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=False,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "FILE_ENCRYPTION_KEYS is set but empty"),
        ("not-a-file-key", "FILE_ENCRYPTION_KEYS must be comma-separated keys of 32"),
        (as_file_key(bytes(16)), "FILE_ENCRYPTION_KEYS must be comma-separated keys of 32"),
        (as_file_key(bytes(32)) + ",", "FILE_ENCRYPTION_KEYS must be comma-separated keys of 32"),
    ],
)
def test_settings_refuse_a_missing_or_malformed_file_key(value, message):
    result = settings_load({**os.environ, "FILE_ENCRYPTION_KEYS": value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
    if value:
        assert value.rstrip(",") not in result.stderr  # a key is never printed


def test_settings_refuse_a_file_key_that_is_a_field_key():
    result = settings_load({**os.environ, "FILE_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEY[0]})
    assert result.returncode != 0
    assert "FILE_ENCRYPTION_KEYS must differ from the other keys" in result.stderr


def test_settings_refuse_to_start_with_no_file_key_at_all(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILE_ENCRYPTION_KEYS")}
    env.update(
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEY),
        BLIND_INDEX_KEY=settings.BLIND_INDEX_KEY,
        CODENAME_KEY=settings.CODENAME_KEY,
    )
    # No var/secrets/ file to fall back on either: an empty folder in its place.
    script = (
        "import pathlib, core.env; "
        f"core.env.DEV_SECRETS_DIR = pathlib.Path({str(tmp_path)!r}); "
        "from django.conf import settings; settings.DEBUG"
    )
    result = settings_load(env, script)
    assert result.returncode != 0
    assert "ImproperlyConfigured: FILE_ENCRYPTION_KEYS is not set" in result.stderr
    # The same environment with a file key starts: only the file key was missing.
    ok = settings_load({**env, "FILE_ENCRYPTION_KEYS": as_file_key(os.urandom(32))}, script)
    assert ok.returncode == 0, ok.stderr
