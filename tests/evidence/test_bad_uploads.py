"""Bad uploads through the upload view, as a caseworker: each is refused with a clear
reason at the file field, never a 500, and leaves no row, no object in the store and
nothing in the spool, with what was typed still in the form."""

import html
import re
import struct
import zlib

import pytest
from django.urls import reverse

from audit.models import Action
from evidence import uploads
from evidence.models import EvidenceFile
from tests.evidence import samples
from tests.evidence.conftest import (
    file_events,
    multipart,
    spooled,
    stored,
    upload,
    upload_raw,
)
from tests.hostile import HOSTILE, assert_safe

TYPED = "Typed by the caseworker: the left arm, two days after"

# The reasons, as the person reads them (fragments of the messages).
TYPE = "This type of file is not kept"
WEB = "This file is a web page or web code"
HIDDEN = "This file has something else hidden inside it"
EMPTY = "This file is empty"
MISSING = "Choose a file to add."
TOO_BIG = "This file is larger than 1 MB"
BOMB = "This image is too large to open safely"
DAMAGED_IMAGE = "This image is damaged or was not uploaded completely"
UNREADABLE_IMAGE = "This image cannot be opened"
DAMAGED_PDF = "This PDF is damaged or was not uploaded completely"
PASSWORD = "This PDF is protected with a password"
BAD_NAME = "The file's name holds a path or invisible characters"

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width="
    b'"10" height="10"/></svg>'
)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
# A Windows program's header: "MZ", and the PE header it points to.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(44) + b"\x40\x00\x00\x00"
)
EXE += b"PE\x00\x00\x4c\x01" + bytes(200)


def big_one_bit_png(width: int = 10_000, height: int = 8_000) -> bytes:
    """A real, decodable PNG of 80 megapixels that is a few kilobytes: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" + bytes((width + 7) // 8)  # filter byte, then one bit a pixel
    squeeze = zlib.compressobj(9)
    data = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _truncated(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


# name, content, the reasons any of which is right (an SVG is both web code and a
# second format hidden in text: either answer refuses it).
BAD = {
    "empty": ("photo.jpg", b"", [EMPTY]),
    "html_named_jpeg": (
        "photo.jpg",
        b"<html><script>fetch('/cases/').then(r => r.text())</script></html>",
        [WEB, HIDDEN],
    ),
    "svg": ("drawing.svg", SVG, [WEB, HIDDEN]),
    "svg_named_png": ("drawing.png", SVG, [WEB, HIDDEN]),
    "zip": ("archive.zip", samples.zip_bytes(), [TYPE]),
    "zip_named_pdf": ("summons.pdf", samples.zip_bytes(), [TYPE]),
    "gif": ("animation.gif", GIF, [TYPE]),
    "exe": ("setup.exe", EXE, [TYPE]),
    "exe_named_jpeg": ("photo.jpg", EXE, [TYPE]),
    "png_with_zip_appended": ("scan.png", samples.png() + samples.zip_bytes(), [HIDDEN]),
    "png_with_script_appended": (
        "scan.png",
        samples.png() + b"<script>alert(1)</script>",
        [HIDDEN],
    ),
    "jpeg_with_html_appended": (
        "photo.jpg",
        samples.jpeg() + b"<html><body onload=alert(1)>",
        [HIDDEN],
    ),
    "decompression_bomb": ("scan.png", big_one_bit_png(), [BOMB]),
    "bomb_header_only": ("scan.png", samples.png_header_only(30_000, 30_000), [BOMB]),
    "truncated_jpeg": (
        "photo.jpg",
        _truncated(samples.jpeg(size=(400, 300)), 0.8),
        [DAMAGED_IMAGE],
    ),
    "jpeg_cut_in_its_header": ("photo.jpg", samples.jpeg()[:200], [UNREADABLE_IMAGE]),
    "truncated_pdf": ("summons.pdf", _truncated(samples.pdf(), 0.5), [DAMAGED_PDF]),
    "pdf_with_a_password": ("summons.pdf", samples.pdf(encrypt_with="1234"), [PASSWORD]),
}

BAD_NAMES = {
    "parent_path": "../../etc/photo.jpg",
    "absolute_path": "/var/www/photo.jpg",
    "backslash_path": "..\\..\\Windows\\photo.jpg",
    "nul": "photo\x00.jpg",
    "control": "photo\x07.jpg",
    "escape": "photo\x1b[2J.jpg",
    "right_to_left_override": "photo\u202egpj.exe",
    "zero_width": "pho\u200bto.jpg",
}


def file_field(response) -> str:
    """The file field's block of the upload form: its label, input, help and errors."""
    page = response.content.decode()
    start = page.index('name="file"')
    begin = page.rindex('<div class="field', 0, start)
    end = page.index("</div>", start)
    return html.unescape(page[begin:end])


def typed_description(response) -> str | None:
    page = response.content.decode()
    match = re.search(r'<input[^>]*name="description"[^>]*>', page)
    assert match, "the upload form is on the page again"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None


def assert_refused(response, reasons: list[str]) -> None:
    assert response.status_code == 400, response.content[:500]
    field = file_field(response)
    assert 'class="field invalid"' in field
    assert any(reason in field for reason in reasons), field
    assert typed_description(response) == TYPED
    assert_nothing_kept()


def assert_nothing_kept() -> None:
    assert not EvidenceFile.objects.exists()
    assert stored() == {}
    assert spooled() == {}
    assert file_events(Action.FILE_ADD) == []


@pytest.fixture
def signed_in(client, caseworker):
    client.force_login(caseworker)
    return client


@pytest.mark.parametrize("key", BAD)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_kept(signed_in, case, key):
    name, content, reasons = BAD[key]
    response = upload(signed_in, case, content, name=name, description=TYPED)
    assert_refused(response, reasons)
    # A file was chosen: the person is told what is wrong with it, not to choose one.
    if key != "empty":
        assert MISSING not in file_field(response)


def test_a_file_over_the_size_cap_is_refused(signed_in, case, settings):
    settings.MAX_UPLOAD_MB = 1
    response = upload(signed_in, case, b"a" * (2 << 20), name="notes.txt", description=TYPED)
    assert_refused(response, [TOO_BIG])
    # The cap itself is allowed, one byte more is not.
    assert upload(signed_in, case, b"a" * (1 << 20), name="notes.txt").status_code == 302
    response = upload(signed_in, case, b"a" * ((1 << 20) + 1), name="notes.txt")
    assert response.status_code == 400
    assert TOO_BIG in file_field(response)
    assert EvidenceFile.objects.count() == 1
    assert spooled() == {}


def test_an_image_over_the_pixel_limit_is_refused(signed_in, case, settings):
    settings.MAX_IMAGE_PIXELS = 1_000  # the sample PNG has 48 × 32 = 1,536
    response = upload(signed_in, case, samples.png(), name="scan.png", description=TYPED)
    assert_refused(response, [BOMB])
    settings.MAX_IMAGE_PIXELS = 2_000
    assert upload(signed_in, case, samples.png(), name="scan.png").status_code == 302


def test_no_file_at_all_is_refused(signed_in, case):
    url = reverse("evidence:upload", args=[case.reference])
    response = signed_in.post(url, {"description": TYPED})
    assert response.status_code == 400
    assert MISSING in file_field(response)
    assert typed_description(response) == TYPED
    assert_nothing_kept()


def test_a_file_in_another_field_is_not_taken(signed_in, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("evidence:upload", args=[case.reference])
    data = {"other": SimpleUploadedFile("photo.png", samples.png()), "description": TYPED}
    response = signed_in.post(url, data)
    assert response.status_code == 400
    assert MISSING in file_field(response)
    assert_nothing_kept()


@pytest.fixture
def names_received(monkeypatch):
    """The file names the multipart parser was handed, before any cleaning."""
    seen = []
    sanitize = uploads._NameCheckingParser.sanitize_file_name

    def spy(self, file_name):
        seen.append(file_name)
        return sanitize(self, file_name)

    monkeypatch.setattr(uploads._NameCheckingParser, "sanitize_file_name", spy)
    return seen


@pytest.mark.parametrize("key", BAD_NAMES)
def test_a_name_with_a_path_or_invisible_characters_is_refused(
    signed_in, case, key, names_received
):
    name = BAD_NAMES[key]
    body = multipart(name=name, content=samples.png(), description=TYPED)
    response = upload_raw(signed_in, case, body)
    assert names_received == [name]  # the request really carried it, unshortened
    assert_refused(response, [BAD_NAME])
    assert MISSING not in file_field(response)


def test_a_name_in_another_alphabet_with_spaces_is_kept(signed_in, case, names_received):
    """Control: the name check refuses paths and invisible characters, not Russian."""
    name = "фото побоев (2).png"
    response = upload_raw(signed_in, case, multipart(name=name, content=samples.png()))
    assert names_received == [name]
    assert response.status_code == 302
    assert EvidenceFile.objects.get().name == name


@pytest.mark.parametrize("value", [*HOSTILE, "x" * 10_000], ids=lambda v: repr(v[:12]))
def test_a_hostile_description_is_kept_as_text_or_refused_with_nothing_stored(
    signed_in, case, value
):
    response = upload(signed_in, case, samples.png(), name="scan.png", description=value)
    assert_safe(response)
    if "\x00" in value:
        # Answered before any view (ops/middleware.py): PostgreSQL cannot store it.
        assert response.status_code == 400
        assert b"null character" in response.content
        assert_nothing_kept()
    elif len(value.strip()) > 300 or "\x1b" in value:
        assert response.status_code == 400
        errors = html.unescape(response.content.decode())
        assert "at most 300 characters" in errors or "control characters" in errors
        assert typed_description(response) == value
        assert_nothing_kept()
    else:
        assert response.status_code == 302
        kept = EvidenceFile.objects.get()
        assert kept.description == value.strip()
        page = signed_in.get(reverse("intake:case_detail", args=[case.reference]))
        assert_safe(page)
        assert set(stored()) == set(kept.object_names()) and spooled() == {}


def test_a_good_file_after_a_refused_one_is_kept(signed_in, case):
    refused = upload(signed_in, case, samples.png() + samples.zip_bytes(), description=TYPED)
    assert_refused(refused, [HIDDEN])
    response = upload(signed_in, case, samples.png(), name="scan.png", description=TYPED)
    assert response.status_code == 302
    kept = EvidenceFile.objects.get()
    assert kept.description == TYPED and kept.name == "scan.png"
    assert set(stored()) == set(kept.object_names())
    assert spooled() == {}
    assert [e.object_ref for e in file_events(Action.FILE_ADD)] == [kept.reference]


def test_a_refused_upload_by_one_who_may_not_add_files_leaves_nothing_either(
    client, operator, case
):
    client.force_login(operator)
    response = upload(client, case, samples.png(), name="scan.png", description=TYPED)
    assert response.status_code == 403
    assert_nothing_kept()
