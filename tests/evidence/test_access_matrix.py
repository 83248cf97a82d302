"""Every persona against every evidence view: a file on team A's case, shared (or
not) with an open (or closed) referral to partner A. Denied by default; every way
a file leaves is audited, and leaves as a hardened attachment or a JPEG preview."""

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import reverse

from audit.models import Action
from evidence.models import EvidenceFile, FileShare
from referrals.services import referral_move
from tests.access import LOGIN, cells, check
from tests.evidence import samples
from tests.evidence.conftest import (
    TEXT,
    add_file,
    file_events,
    open_referral,
    share,
    spooled,
    stored,
    upload,
)
from tests.factories import PASSWORD

L = LOGIN

# fmt: off
#                                              anon oper  cw   coord outsdr partnr audit admin
MATRIX = {
    ("upload", "case", "POST"):                  [L, 403, 302, 302, 404, 404, 404, 404],
    ("download", "file", "GET"):                 [L, 200, 200, 200, 404, 404, 404, 404],
    ("preview", "file", "GET"):                  [L, 200, 200, 200, 404, 404, 404, 404],
    # The sealed original: coordinators only, with a fresh password (below) and a purpose.
    ("original", "file", "GET"):                 [L, 403, 403, 200, 404, 404, 404, 404],
    ("original", "file", "POST"):                [L, 403, 403, 200, 404, 404, 404, 404],
    ("share", "file", "POST"):                   [L, 403, 302, 302, 404, 404, 404, 404],
    ("unshare", "file", "POST"):                 [L, 403, 302, 302, 404, 404, 404, 404],
    ("partner_download", "shared", "GET"):       [L, 404, 404, 404, 404, 200, 404, 404],
    ("partner_download", "not_shared", "GET"):   [L, 404, 404, 404, 404, 404, 404, 404],
    ("partner_download", "closed", "GET"):       [L, 404, 404, 404, 404, 404, 404, 404],
    ("partner_preview", "shared", "GET"):        [L, 404, 404, 404, 404, 200, 404, 404],
    ("partner_preview", "not_shared", "GET"):    [L, 404, 404, 404, 404, 404, 404, 404],
    ("partner_preview", "closed", "GET"):        [L, 404, 404, 404, 404, 404, 404, 404],
}
# fmt: on
# evidence:dossier has its own matrix (tests/evidence/test_dossier.py).
COVERS = {f"evidence:{view}" for view, *_ in MATRIX}

# What an allowed request writes into the trail: exactly one event each (the
# original's page, a GET, gives nothing out and records nothing).
AUDITED = {
    "upload": Action.FILE_ADD,
    "download": Action.FILE_DOWNLOAD,
    "preview": Action.FILE_DOWNLOAD,
    "original": Action.FILE_ORIGINAL,
    "share": Action.FILE_SHARE,
    "unshare": Action.FILE_UNSHARE,
    "partner_download": Action.FILE_DOWNLOAD,
    "partner_preview": Action.FILE_DOWNLOAD,
}
NEUTRAL_NAME = re.compile(r'attachment; filename="corridor-F[0-9A-Z]{13}(-original)?\.jpg"')
ORIGINAL = samples.jpeg()


@dataclass
class Row:
    url: str
    data: dict | None
    file: EvidenceFile | None


def setup(view, target, case, personas, partner_org) -> Row:
    caseworker = personas["caseworker"]
    if target == "case":
        return Row(reverse("evidence:upload", args=[case.reference]), None, None)
    file = add_file(case, caseworker, ORIGINAL, name="MARKER-NAME-injury.jpg")
    referral = open_referral(case, partner_org, caseworker)
    if target == "file":
        data = None
        if view == "original":
            data = {"purpose": "asylum"}
        elif view == "unshare":
            share(file, referral, caseworker)
            data = {"referral": referral.reference}
        elif view == "share":
            prefix = file.reference
            data = {
                f"{prefix}-referral": referral.reference,
                f"{prefix}-consent_given": "on",
                f"{prefix}-consent_at": "2026-01-01T10:00",
                f"{prefix}-consent_channel": "phone",
            }
        return Row(reverse(f"evidence:{view}", args=[file.reference]), data, file)
    if target in ("shared", "closed"):
        share(file, referral, caseworker)
    if target == "closed":
        referral_move(referral=referral, to="withdrawn", by=caseworker)
    # "not_shared": the referral is open and the partner's, the file is not shared with it.
    return Row(reverse(f"evidence:{view}", args=[referral.reference, file.reference]), None, file)


def snapshot():
    return (
        list(EvidenceFile.objects.order_by("pk").values_list("reference", "key_id")),
        list(FileShare.objects.order_by("pk").values_list("file_id", "referral_id")),
        [(e.action, e.object_ref, e.detail) for e in file_events()],
        sorted(stored()),
        sorted(spooled()),
    )


def assert_hardened(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def assert_sent(view, response, file: EvidenceFile) -> None:
    """What an allowed download or preview carries: the right bytes, hardened, named neutrally."""
    assert_hardened(response)
    disposition = response["Content-Disposition"]
    assert "MARKER-NAME" not in disposition and "injury" not in disposition
    if view in ("preview", "partner_preview"):
        assert response["Content-Type"] == "image/jpeg"
        assert disposition.startswith("inline;")
        body = response.content
        assert body[:3] == b"\xff\xd8\xff"
        assert samples.MARKER_BYTES not in body
        return
    assert response["Content-Type"] == "application/octet-stream"
    assert NEUTRAL_NAME.fullmatch(disposition), disposition
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    if view == "original":
        assert body == ORIGINAL  # exactly as received, metadata and all
        assert disposition == f'attachment; filename="corridor-{file.reference}-original.jpg"'
    else:
        assert body[:3] == b"\xff\xd8\xff"
        assert samples.MARKER_BYTES not in body  # the working copy, cleaned
        assert disposition == f'attachment; filename="corridor-{file.reference}.jpg"'


@pytest.mark.parametrize(("view", "target", "method", "role", "outcome"), cells(MATRIX))
def test_evidence_views(client, personas, case, partner_org, view, target, method, role, outcome):
    row = setup(view, target, case, personas, partner_org)
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot()
    events_before = len(file_events())
    if view == "upload":
        response = upload(client, case, samples.png(), name="scan.png", description="Summons.")
    elif method == "GET":
        response = client.get(row.url)
    else:
        response = client.post(row.url, row.data)
    check(response, outcome, method=method, before=before, after=snapshot())
    new = file_events()[events_before:]
    if outcome in (200, 302) and not (view == "original" and method == "GET"):
        assert [event.action for event in new] == [AUDITED[view]]
        if row.file is not None:
            assert new[0].object_ref == row.file.reference
    else:
        assert new == []
    if outcome == 200 and not (view == "original" and method == "GET"):
        assert_sent(view, response, row.file)
    if view == "original" and method == "POST" and outcome == 200:
        (event,) = file_events(Action.FILE_ORIGINAL)
        assert event.actor == personas["coordinator"]
        assert event.detail["purpose"] == "asylum"
        assert event.detail["sha256"] == hashlib.sha256(ORIGINAL).hexdigest() == row.file.sha256


# --- The sealed original: a fresh password, a purpose, one audited event each ----------


def stale(client):
    session = client.session
    session["auth_at"] = 0
    session.save()


def test_a_stale_session_is_sent_to_confirm_the_password_and_then_comes_back(
    client, coordinator, image_file
):
    client.force_login(coordinator)
    stale(client)
    url = reverse("evidence:original", args=[image_file.reference])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reauth')}?next={quote(url, safe='')}"
    back = client.post(response["Location"], {"password": PASSWORD})
    assert back["Location"] == url
    page = client.get(url)
    assert page.status_code == 200
    assert image_file.sha256 in page.content.decode()  # the page names the hash the chain holds
    assert file_events(Action.FILE_ORIGINAL) == []  # the page itself gives nothing out
    taken = client.post(url, {"purpose": "litigation", "next": url})
    assert taken.status_code == 200
    assert hashlib.sha256(b"".join(taken.streaming_content)).hexdigest() == image_file.sha256
    (event,) = file_events(Action.FILE_ORIGINAL)
    assert event.detail == {
        "case": image_file.case.reference,
        "purpose": "litigation",
        "sha256": image_file.sha256,
    }


def test_a_stale_session_posting_directly_gets_no_original_and_no_event(
    client, coordinator, image_file
):
    client.force_login(coordinator)
    stale(client)
    url = reverse("evidence:original", args=[image_file.reference])
    response = client.post(url, {"purpose": "asylum", "next": url})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reauth')}?next={quote(url, safe='')}"
    assert file_events(Action.FILE_ORIGINAL) == []


def test_the_original_needs_a_purpose(client, coordinator, image_file):
    client.force_login(coordinator)
    url = reverse("evidence:original", args=[image_file.reference])
    for data in ({}, {"purpose": "curiosity"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "Content-Disposition" not in response
    assert file_events(Action.FILE_ORIGINAL) == []


# --- Previews and downloads of what is not an image -------------------------------


def test_nothing_but_an_image_is_previewed(client, caseworker, pdf_file, text_file):
    client.force_login(caseworker)
    for file in (pdf_file, text_file):
        events = len(file_events())
        assert client.get(reverse("evidence:preview", args=[file.reference])).status_code == 404
        assert len(file_events()) == events  # nothing was shown, nothing is recorded


def test_a_pdf_downloads_as_a_neutral_attachment(client, caseworker, pdf_file):
    client.force_login(caseworker)
    response = client.get(reverse("evidence:download", args=[pdf_file.reference]))
    assert response.status_code == 200
    assert_hardened(response)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == (
        f'attachment; filename="corridor-{pdf_file.reference}.pdf"'
    )
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    assert samples.MARKER_BYTES not in body


def test_a_partner_sees_a_shared_file_only_while_the_referral_is_open(
    client, partner, case, partner_org, caseworker, pdf_file
):
    image = add_file(case, caseworker, ORIGINAL)
    referral = open_referral(case, partner_org, caseworker)
    share(image, referral, caseworker)
    share(pdf_file, referral, caseworker)
    client.force_login(partner)
    download = reverse("evidence:partner_download", args=[referral.reference, image.reference])
    preview = reverse("evidence:partner_preview", args=[referral.reference, image.reference])
    pdf_preview = reverse("evidence:partner_preview", args=[referral.reference, pdf_file.reference])
    assert client.get(download).status_code == 200
    assert client.get(preview).status_code == 200
    assert client.get(pdf_preview).status_code == 404  # shared, but not an image
    page = client.get(reverse("referrals:partner_detail", args=[referral.reference]))
    assert download in page.content.decode()
    referral_move(referral=referral, to="withdrawn", by=caseworker)
    events = len(file_events())
    assert client.get(download).status_code == 404
    assert client.get(preview).status_code == 404
    assert len(file_events()) == events
    page = client.get(reverse("referrals:partner_detail", args=[referral.reference]))
    assert download not in page.content.decode()


def test_another_partners_staff_get_404_for_a_shared_file(
    client, case, partner_org, other_partner_org, caseworker, image_file
):
    from accounts.models import Role
    from referrals.models import PartnerStaff
    from tests.factories import UserFactory

    referral = open_referral(case, partner_org, caseworker)
    share(image_file, referral, caseworker)
    other = UserFactory(username="other.partner", role=Role.PARTNER)
    PartnerStaff.objects.create(user=other, partner=other_partner_org)
    client.force_login(other)
    for view in ("partner_download", "partner_preview"):
        url = reverse(f"evidence:{view}", args=[referral.reference, image_file.reference])
        assert client.get(url).status_code == 404
    assert file_events(Action.FILE_DOWNLOAD) == []


def test_a_text_file_downloads_as_it_was_written(client, caseworker, text_file):
    """Text has no metadata: its working copy is the sealed original itself."""
    assert not text_file.has_own_clean_copy
    client.force_login(caseworker)
    response = client.get(reverse("evidence:download", args=[text_file.reference]))
    assert response.status_code == 200
    assert_hardened(response)
    assert response["Content-Disposition"] == (
        f'attachment; filename="corridor-{text_file.reference}.txt"'
    )
    assert b"".join(response.streaming_content) == TEXT
    assert [e.action for e in file_events()][-1] == Action.FILE_DOWNLOAD
