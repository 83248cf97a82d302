"""The S3 path against a real S3 endpoint on this machine: moto's server, over HTTP on
127.0.0.1, with the storage options config/settings.py builds for FILE_STORE=s3.

No MinIO runs here; moto answers the same S3 calls django-storages makes (HEAD,
PUT, GET, DELETE, ListObjects) over the network, so nothing below is mocked
inside the process under test. A server that does not start fails the tests.
"""

import hashlib
import io
import logging
import re
import runpy
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from moto.server import ThreadedMotoServer

from evidence import consistency, store
from evidence.models import EvidenceFile
from intake.models import Case
from retention.services import FORGOTTEN, case_purge
from tests.evidence import samples
from tests.evidence.conftest import add_file

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
NAME_MARKER = "MARKER-NAME-KHALID"
TEXT_MARKER = "MARKER-TEXT-SUMMONS"
TEXT = f"Повестка {TEXT_MARKER}: явиться в отдел 12 мая.\n".encode()
OBJECT_NAME = re.compile(r"[0-9a-f]{40}")


@pytest.fixture(scope="module")
def endpoint():
    # The server's request log names only random object names; keep it out of the output.
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()  # raises if it cannot: these tests never pass without a server
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    werkzeug.setLevel(level)


@pytest.fixture(scope="module")
def credentials(tmp_path_factory):
    """The access keys as compose gives them: in files named by S3_*_FILE."""
    folder = tmp_path_factory.mktemp("s3-secrets")
    (folder / "id").write_text("corridor-test-key\n")
    (folder / "secret").write_text("corridor-test-secret-0123456789\n")
    return folder


def settings_for_s3(endpoint: str, bucket: str, credentials: Path) -> dict:
    """STORAGES["evidence"] exactly as config/settings.py builds it with FILE_STORE=s3."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FILE_STORE", "s3")
        env.setenv("S3_ENDPOINT_URL", endpoint)
        env.setenv("S3_BUCKET", bucket)
        env.setenv("S3_REGION", REGION)
        env.setenv("S3_ACCESS_KEY_ID_FILE", str(credentials / "id"))
        env.setenv("S3_SECRET_ACCESS_KEY_FILE", str(credentials / "secret"))
        return runpy.run_path(str(ROOT / "config" / "settings.py"))["STORAGES"]["evidence"]


@pytest.fixture
def bucket(endpoint, credentials, settings):
    """A bucket of this test's own on the server, and the file store pointed at it."""
    name = f"corridor-{uuid.uuid4().hex[:16]}"
    evidence = settings_for_s3(endpoint, name, credentials)
    assert evidence["BACKEND"] == "storages.backends.s3.S3Storage"
    assert evidence["OPTIONS"]["endpoint_url"] == endpoint
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=evidence["OPTIONS"]["access_key"],
        aws_secret_access_key=evidence["OPTIONS"]["secret_key"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {**settings.STORAGES, "evidence": evidence}
    return Bucket(client, name)


class Bucket:
    def __init__(self, client, name: str):
        self.client = client
        self.name = name

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))

    def get(self, key: str) -> dict:
        return self.client.get_object(Bucket=self.name, Key=key)

    def body(self, key: str) -> bytes:
        return self.get(key)["Body"].read()


@pytest.fixture
def two_files(bucket, caseworker, case):
    """A photograph and a text, uploaded through the view, with the marker in each."""
    jpeg = samples.jpeg()
    files = {
        "image": add_file(case, caseworker, jpeg, name=f"{NAME_MARKER}.jpg"),
        "text": add_file(case, caseworker, TEXT, name=f"{NAME_MARKER}.txt"),
    }
    assert {kind: file.kind for kind, file in files.items()} == {"image": "image", "text": "text"}
    return files, jpeg


def test_an_upload_is_kept_in_the_bucket_under_random_names(bucket, two_files):
    files, _ = two_files
    named = {n for f in files.values() for n in f.object_names()}
    # The photograph's original, cleaned copy and preview; the text is its own working copy.
    assert len(named) == 4
    assert bucket.keys() == sorted(named)
    for key in bucket.keys():
        assert OBJECT_NAME.fullmatch(key), key  # 40 hex characters, no extension


def test_nothing_of_a_file_is_in_the_bucket_in_the_clear(bucket, two_files):
    _, jpeg = two_files
    assert samples.MARKER_BYTES in jpeg and b"Exif" in jpeg and b"JFIF" in jpeg  # there to find
    clear = [
        samples.MARKER_BYTES,
        TEXT_MARKER.encode(),
        TEXT,
        NAME_MARKER.encode(),
        NAME_MARKER.encode("utf-16-le"),
        b"JFIF",
        b"Exif",
        b"\xff\xd8\xff",  # a JPEG's first bytes
        "Повестка".encode(),
    ]
    for key in bucket.keys():
        got = bucket.get(key)
        body = got["Body"].read()
        assert len(body) > 0
        for needle in clear:
            assert needle not in body, (key, needle)
        # What the store itself says about an object tells nothing either.
        assert got["ContentType"] == "application/octet-stream"
        assert got.get("Metadata", {}) == {}
        assert got.get("ContentDisposition") is None


def test_a_download_through_the_view_streams_the_files_back(
    bucket, two_files, client_for, caseworker
):
    files, _ = two_files
    client = client_for(caseworker)
    text = client.get(reverse("evidence:download", args=[files["text"].reference]))
    assert text.status_code == 200
    assert b"".join(text.streaming_content) == TEXT
    photo = client.get(reverse("evidence:download", args=[files["image"].reference]))
    assert photo.status_code == 200
    cleaned = b"".join(photo.streaming_content)
    assert cleaned[:3] == b"\xff\xd8\xff"
    assert samples.MARKER_BYTES not in cleaned  # the working copy, metadata removed
    assert hashlib.sha256(cleaned).hexdigest() == files["image"].clean_sha256


def test_the_sealed_original_comes_back_byte_for_byte(bucket, two_files, client_for, coordinator):
    files, jpeg = two_files
    response = client_for(coordinator).post(
        reverse("evidence:original", args=[files["image"].reference]), {"purpose": "asylum"}
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == jpeg


def test_a_forgotten_case_leaves_no_object_and_no_row(
    bucket, two_files, case, django_capture_on_commit_callbacks
):
    assert len(bucket.keys()) == 4
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert case_purge(case_id=case.pk, reason=FORGOTTEN) == 1
    assert callbacks  # the store was asked once the purge had committed
    assert bucket.keys() == []
    assert not EvidenceFile.objects.exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    out = io.StringIO()
    call_command("check_files", stdout=out)
    assert "The file store and the file rows agree." in out.getvalue()


def test_check_files_agrees_with_the_bucket_after_uploads(bucket, two_files):
    out = io.StringIO()
    call_command("check_files", stdout=out)
    assert out.getvalue().strip() == "The file store and the file rows agree."


def test_check_files_finds_a_stray_object_and_removes_it_only_once_old(
    bucket, two_files, monkeypatch
):
    stray = "0" * 40
    bucket.client.put_object(Bucket=bucket.name, Key=stray, Body=b"left by a crashed upload")
    with pytest.raises(CommandError, match="1 objects without a row"):
        call_command("check_files", "--delete-orphans", stdout=io.StringIO())
    assert stray in bucket.keys()  # just written: it may be an upload in flight
    # The store's own clock says when it was written (LastModified); an hour on, it goes.
    monkeypatch.setattr(consistency, "IN_FLIGHT", timedelta(0))
    out = io.StringIO()
    call_command("check_files", "--delete-orphans", stdout=out)
    assert "deleted 1 objects without a row" in out.getvalue()
    assert stray not in bucket.keys()
    assert len(bucket.keys()) == 4  # the files' own objects stay


def test_check_files_finds_a_file_whose_object_is_gone(bucket, two_files):
    files, _ = two_files
    bucket.client.delete_object(Bucket=bucket.name, Key=files["text"].original_object)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 files without their objects"):
        call_command("check_files", stdout=out)
    assert f"file without its objects: {files['text'].reference}" in out.getvalue()


def test_the_store_reads_and_lists_through_the_s3_backend(bucket, two_files):
    files, _ = two_files
    assert type(store.store()).__name__ == "S3Storage"
    assert store.names() == set(bucket.keys())
    text = files["text"]
    assert store.exists(text.original_object)
    with store.open_object(text.original_object) as handle:
        assert handle.read() == bucket.body(text.original_object)
