"""Shared by the evidence tests: files added through the upload view as a user would,
a referral they are shared with, and what the store, the spool and the trail hold."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, ObjectType
from evidence.models import EvidenceFile, FileShare
from referrals.services import referral_move
from tests.evidence import samples
from tests.factories import ReferralFactory

BOUNDARY = "corridor-test-boundary-7q"
TEXT = b"A plain note the person wrote down.\n"


def upload(client, case, content: bytes, *, name: str = "photo.jpg", description: str = ""):
    """POST one file to the case's upload view, as the files card's form does."""
    data = {"file": SimpleUploadedFile(name, content), "description": description}
    return client.post(reverse("evidence:upload", args=[case.reference]), data)


def multipart(*, name: str | bytes, content: bytes, description: str = "") -> bytes:
    """A multipart body written by hand: the test client would take the path off a
    file's name (os.path.basename), so a name with one would never be sent."""
    raw_name = name if isinstance(name, bytes) else name.encode()
    return b"".join(
        [
            f"--{BOUNDARY}\r\n".encode(),
            b'Content-Disposition: form-data; name="description"\r\n\r\n',
            description.encode(),
            f"\r\n--{BOUNDARY}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="' + raw_name + b'"\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n",
            content,
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


def upload_raw(client, case, body: bytes):
    return client.generic(
        "POST",
        reverse("evidence:upload", args=[case.reference]),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def add_file(
    case, by, content: bytes, *, name: str = "photo.jpg", description: str = ""
) -> EvidenceFile:
    """A file added to the case by `by` through the upload view, with a client of its own."""
    client = Client()
    client.force_login(by)
    before = set(EvidenceFile.objects.values_list("pk", flat=True))
    response = upload(client, case, content, name=name, description=description)
    assert response.status_code == 302, response.content[:2000]
    (added,) = EvidenceFile.objects.exclude(pk__in=before)
    return added


def open_referral(case, partner_org, by):
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=by)
    referral.refresh_from_db()
    return referral


def share(file: EvidenceFile, referral, by) -> FileShare:
    from evidence.services import file_share

    return file_share(
        file=file, referral=referral, consent_at=timezone.now(), consent_channel="phone", by=by
    )


def store_root() -> Path:
    return Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])


def spool_root() -> Path:
    return Path(settings.FILE_SPOOL_DIR)


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below root, by its path relative to root, with its bytes."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def stored() -> dict[str, bytes]:
    return files_under(store_root())


def spooled() -> dict[str, bytes]:
    return files_under(spool_root())


def file_events(action: str | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(object_type=ObjectType.FILE).order_by("pk")
    if action is not None:
        events = events.filter(action=action)
    return list(events)


@pytest.fixture
def image_file(case, caseworker) -> EvidenceFile:
    return add_file(case, caseworker, samples.jpeg(), name="injury.jpg", description="The arm.")


@pytest.fixture
def pdf_file(case, caseworker) -> EvidenceFile:
    return add_file(case, caseworker, samples.pdf(), name="summons.pdf")


@pytest.fixture
def text_file(case, caseworker) -> EvidenceFile:
    return add_file(case, caseworker, TEXT, name="note.txt")
