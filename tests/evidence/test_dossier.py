"""The dossier for a lawyer: one ZIP with a watermarked PDF, the chosen files and a
manifest; coordinators of the case's team only, with the person's consent, audited
without a value, and nothing fetched while the PDF is made."""

import hashlib
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pikepdf
import pytest
import weasyprint
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from PIL import Image
from weasyprint.urls import FatalURLFetchingError

from audit.models import Action, AuditEvent
from conversations.models import Message
from evidence import dossier as dossiers
from evidence.dossier import DOSSIER_FIELDS, DossierError
from evidence.models import Copy, Dossier, EvidenceFile
from evidence.pdf_render import FetchRefused, refuse_all
from intake.models import REFERENCE_ALPHABET, Case
from tests.access import LOGIN, cells, check
from tests.evidence import samples
from tests.evidence.conftest import TEXT, add_file
from tests.factories import PASSWORD, CaseFactory, NoteFactory
from tests.hostile import HOSTILE, assert_safe

L = LOGIN
ORIGINAL = samples.jpeg()
ALIAS = "Кестрел Ахмедов"  # Cyrillic must come out as text, not as boxes
HANDLE = "@kestrel_dossier"
EXPORT_ID = re.compile(f"D[{REFERENCE_ALPHABET}]{{13}}")

# fmt: off
#                               anon oper cw   coord outsdr partnr audit admin
MATRIX = {
    ("dossier", "GET"):          [L, 403, 403, 200, 404, 404, 404, 404],
    ("dossier", "POST"):         [L, 403, 403, 200, 404, 404, 404, 404],
}
# fmt: on
COVERS = {f"evidence:{view}" for view, _method in MATRIX}


# --- Reading what comes out ------------------------------------------------------


def _unicode_map(font) -> dict[int, str]:
    """A Type0 font's ToUnicode CMap: two-byte glyph codes to text (what WeasyPrint writes)."""
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    found: dict[int, str] = {}

    def text(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, dest in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = text(dest)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, dest in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = ord(text(dest)[-1])
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[code] = text(dest)[:-1] + chr(start + offset)
    return found


def page_runs(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Each page's text runs as (font size, text), decoded through the fonts' ToUnicode
    maps: WeasyPrint writes glyph ids, so the bytes of the content stream spell nothing."""
    pages = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            fonts = page.Resources.get("/Font", {})
            maps = {str(name): _unicode_map(font) for name, font in fonts.items()}
            runs, current, size = [], {}, 0.0
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    current, size = maps.get(str(operands[0]), {}), float(operands[1])
                elif str(operator) in ("Tj", "TJ"):
                    parts = operands[0] if str(operator) == "TJ" else [operands[0]]
                    raw = b"".join(bytes(p) for p in parts if isinstance(p, pikepdf.String))
                    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                    runs.append((size, "".join(current.get(c, "\ufffd") for c in codes)))
            pages.append(runs)
    return pages


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(text for _size, text in runs) for runs in page_runs(pdf)]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def opened(response) -> zipfile.ZipFile:
    assert response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# --- Setting it up ---------------------------------------------------------------


@pytest.fixture
def case(team_a):
    return CaseFactory(
        team=team_a,
        alias=ALIAS,
        contact_handle=HANDLE,
        safe_contact="SAFE-CONTACT-never call",
        narrative="Detained in Grozny.\n" + "Held for three days. " * 400,
    )


@pytest.fixture
def photo(case, caseworker) -> EvidenceFile:
    return add_file(case, caseworker, ORIGINAL, name="MARKER-NAME-arm.jpg", description="The arm.")


@pytest.fixture
def text(case, caseworker) -> EvidenceFile:
    return add_file(case, caseworker, TEXT, name="MARKER-NAME-note.txt")


@pytest.fixture
def coordinating(client, coordinator):
    client.force_login(coordinator)
    return client


def url(case) -> str:
    return reverse("evidence:dossier", args=[case.reference])


def form(files=(), fields=(), **changes) -> dict:
    data = {
        "file_copies": [f"{file.reference}:{copy}" for file, copy in files],
        "case_fields": list(fields),
        "consent_given": "on",
        "consent_at": "2026-01-05T10:00",
        "consent_channel": "in_person",
    }
    data.update(changes)
    return data


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk"))


def snapshot():
    return (
        list(Dossier.objects.values_list("export_id", "case_id", "fields", "files")),
        [(e.object_ref, e.detail) for e in exports()],
    )


# --- The access matrix -------------------------------------------------------------


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(MATRIX))
def test_dossier_view(client, personas, case, text, view, method, role, outcome):
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot()
    if method == "GET":
        response = client.get(url(case))
    else:
        response = client.post(url(case), form([(text, Copy.CLEAN)], ["region"]))
    check(response, outcome, method=method, before=before, after=snapshot())
    if outcome == 200 and method == "POST":
        assert response["Content-Type"] == "application/zip"
        assert opened(response).namelist()[-1] == "manifest.txt"
    elif outcome == 200:
        page = response.content.decode()
        assert "data-native" in page  # app.js would fetch it and expect HTML back
        assert f'name="next" value="{url(case)}"' in page  # where recent_auth_required returns


def test_the_files_card_offers_the_dossier_to_coordinators_only(
    client, coordinator, caseworker, case
):
    client.force_login(caseworker)
    assert url(case) not in client.get(case.page_url).content.decode()
    client.force_login(coordinator)
    assert url(case) in client.get(case.page_url).content.decode()


# --- What a coordinator gets ---------------------------------------------------------


def test_a_coordinator_gets_one_zip_with_the_pdf_the_files_and_their_hashes(
    coordinating, coordinator, case, photo, text
):
    chosen = [(photo, Copy.ORIGINAL), (text, Copy.CLEAN)]
    response = coordinating.post(url(case), form(chosen, ["alias", "narrative", "risk"]))

    assert response.status_code == 200
    (made,) = Dossier.objects.all()
    export_id = made.export_id
    assert EXPORT_ID.fullmatch(export_id)
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{export_id}.zip"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "no-store" in response["Cache-Control"]

    zf = opened(response)
    assert zf.comment == export_id.encode()
    pdf_name = f"dossier-{export_id}.pdf"
    original_name = f"files/{photo.reference}-original.jpg"
    clean_name = f"files/{text.reference}-clean.txt"
    assert zf.namelist() == [pdf_name, original_name, clean_name, "manifest.txt"]
    kinds = {info.filename: info.compress_type for info in zf.infolist()}
    assert kinds[original_name] == kinds[clean_name] == zipfile.ZIP_STORED
    assert kinds[pdf_name] == kinds["manifest.txt"] == zipfile.ZIP_DEFLATED
    assert zf.testzip() is None  # every CRC holds

    # The original exactly as received, metadata and all; the text as it was.
    assert zf.read(original_name) == ORIGINAL
    assert samples.MARKER_BYTES in zf.read(original_name)
    assert zf.read(clean_name) == TEXT

    # The manifest: every other member, with the SHA-256 of its bytes, and the export id.
    manifest = zf.read("manifest.txt").decode()
    assert export_id in manifest
    listed = dict(
        (name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", manifest, re.M)
    )
    assert listed == {
        name: hashlib.sha256(zf.read(name)).hexdigest()
        for name in (pdf_name, original_name, clean_name)
    }
    assert listed[original_name] == photo.sha256

    # The record: who, the consent, what went in.
    assert made.case == case and made.made_by == coordinator
    assert made.consent_channel == "in_person"
    assert made.consent_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert made.fields == ["alias", "narrative", "risk"]
    expected_files = [
        {"file": photo.reference, "copy": "original", "sha256": photo.sha256},
        {"file": text.reference, "copy": "clean", "sha256": text.clean_sha256},
    ]
    assert made.files == expected_files

    # The trail: the export id, field names, references, copies and hashes; never a value.
    (event,) = exports()
    assert (event.object_type, event.object_ref, event.actor) == (
        "case",
        case.reference,
        coordinator,
    )
    assert event.detail == {
        "format": "dossier",
        "export": export_id,
        "fields": ["alias", "narrative", "risk"],
        "files": expected_files,
        "channel": "in_person",
    }
    written = json.dumps(event.detail, ensure_ascii=False)
    for secret in (samples.MARKER, "MARKER-NAME", "The arm.", ALIAS, "Grozny", HANDLE):
        assert secret not in written

    # The PDF: the text is there (Cyrillic too), the handle and the file names are not.
    pdf = zf.read(pdf_name)
    assert pdf.startswith(b"%PDF-")
    pages = page_texts(pdf)
    whole = squeezed(" ".join(pages))
    assert squeezed(ALIAS) in whole
    assert "Detainedin" in whole
    assert squeezed(original_name) in whole and squeezed("The arm.") in whole
    assert photo.sha256 in whole
    for absent in (HANDLE, "SAFE-CONTACT", "MARKER-NAME", samples.MARKER):
        assert squeezed(absent) not in whole
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        info = {str(key): str(value) for key, value in doc.docinfo.items()}
    assert info["/Title"] == f"Dossier {export_id}"
    assert "/Author" not in info and "/Creator" not in info and "/Subject" not in info


def test_every_page_carries_the_export_id_in_its_footer_and_its_watermark(coordinating, case, text):
    response = coordinating.post(url(case), form([(text, Copy.CLEAN)], ["narrative"]))
    zf = opened(response)
    (made,) = Dossier.objects.all()
    runs = page_runs(zf.read(f"dossier-{made.export_id}.pdf"))
    assert len(runs) >= 3  # the long narrative spills over several pages
    for number, page in enumerate(runs, start=1):
        footer = f"Dossier{made.export_id}·confidential·page{number}of{len(runs)}"
        assert footer in squeezed(" ".join(t for _size, t in page)), number
        # The diagonal mark: the export id alone, in a type far larger than the text's.
        marks = [size for size, t in page if t.strip() == made.export_id]
        assert marks and max(marks) > 30, number


def test_the_working_copy_of_a_photo_leaves_its_metadata_behind(coordinating, case, photo):
    response = coordinating.post(url(case), form([(photo, Copy.CLEAN)]))
    zf = opened(response)
    member = zf.read(f"files/{photo.reference}-clean.jpg")
    assert samples.MARKER_BYTES not in member
    assert Image.open(io.BytesIO(member)).format == "JPEG"
    assert hashlib.sha256(member).hexdigest() == photo.clean_sha256
    (event,) = exports()
    assert event.detail["files"] == [
        {"file": photo.reference, "copy": "clean", "sha256": photo.clean_sha256}
    ]


def test_the_chronology_is_in_the_users_time_zone_and_markup_in_a_note_is_text(
    coordinating, coordinator, caseworker, case, monkeypatch
):
    coordinator.time_zone = "Asia/Yekaterinburg"  # UTC+5
    coordinator.save(update_fields=["time_zone"])
    hostile_note = (
        '<img src="file:///etc/passwd"> <link rel=stylesheet href="http://example.org/x.css">'
    )
    NoteFactory(
        case=case,
        author=caseworker,
        body=hostile_note,
        created_at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
    )
    Message.objects.create(
        case=case,
        direction="person",
        body="Мне угрожают.",
        created_at=datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
    )
    asked = []
    monkeypatch.setattr(type(refuse_all), "fetch", lambda self, u, headers=None: asked.append(u))

    response = coordinating.post(url(case), form(fields=["region"]))

    assert response.status_code == 200
    (made,) = Dossier.objects.all()
    zf = opened(response)  # read after the view returned, its time zone no longer active
    text = " ".join(page_texts(zf.read(f"dossier-{made.export_id}.pdf")))
    local = timezone.localtime(made.made_at, ZoneInfo("Asia/Yekaterinburg"))
    assert f"Made at: {local:%Y-%m-%d %H:%M} +05" in zf.read("manifest.txt").decode()
    assert zf.getinfo("manifest.txt").date_time[:5] == local.timetuple()[:5]
    assert "2026-03-01 15:00" in text and "caseworker" in text
    assert "2026-03-02 13:30" in text and "Message from the person" in text
    assert squeezed("Мне угрожают.") in squeezed(text)
    assert squeezed(hostile_note) in squeezed(text)  # escaped: written out, not an element
    assert asked == []  # so nothing was even asked for


# --- Nothing fetched ----------------------------------------------------------------


@pytest.fixture
def local_image(tmp_path):
    path = tmp_path / "secret.png"
    Image.new("RGB", (20, 20), "red").save(path)
    return path


def images_in(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return sum(len(page.get_images()) for page in doc.pages)


def test_weasyprints_own_fetcher_would_read_a_file_url(local_image):
    """What the fetcher guards against: by default WeasyPrint reads a local file."""
    html = f'<img src="file://{local_image}">'
    assert images_in(weasyprint.HTML(string=html).write_pdf()) == 1


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file://{path}">',
        '<link rel="stylesheet" href="file://{path}">',
        "<style>@import url('file://{path}');</style>",
        "<style>@font-face {{ font-family: x; src: url('file://{path}') }}"
        " p {{ font-family: x }}</style><p>a</p>",
        "<p style=\"background: url('file://{path}')\">a</p>",
        '<img src="http://127.0.0.1:9/x.png">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
    ],
)
def test_the_pdf_fetches_no_url(local_image, markup):
    html = markup.format(path=local_image)
    with pytest.raises(FetchRefused):
        dossiers.render_pdf(html)


def test_the_fetcher_refuses_a_file_url_when_called_itself(local_image):
    with pytest.raises(FatalURLFetchingError) as refused:
        refuse_all(f"file://{local_image}")
    assert str(local_image) not in str(refused.value)  # a URL may be case text: kept out of logs


def test_a_footer_translation_cannot_break_out_of_the_stylesheet():
    written = dossiers.css_string('page" } </style><img src=x> \\')
    assert re.fullmatch(r'"[A-Za-z0-9 \\]*"', written)
    assert "<" not in written and '"' not in written[1:-1]


# --- Refused forms change nothing ------------------------------------------------------


REFUSALS = {
    "no consent": lambda f: {**f, "consent_given": ""},
    "no consent date": lambda f: {**f, "consent_at": ""},
    "consent in the future": lambda f: {
        **f,
        "consent_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    },
    "no channel": lambda f: {**f, "consent_channel": ""},
    "unknown channel": lambda f: {**f, "consent_channel": "pigeon"},
    "a field not offered": lambda f: {**f, "case_fields": ["alias", "contact_handle"]},
    "safe contact": lambda f: {**f, "case_fields": ["safe_contact"]},
    "nothing chosen": lambda f: {**f, "file_copies": [], "case_fields": []},
    "unknown copy": lambda f: {
        **f,
        "file_copies": [f["file_copies"][0].replace(":original", ":raw")],
    },
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refused_form_comes_back_with_what_was_ticked_and_records_nothing(
    coordinating, case, photo, refusal
):
    data = REFUSALS[refusal](form([(photo, Copy.ORIGINAL)], ["alias"]))
    response = coordinating.post(url(case), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page
    assert "Content-Disposition" not in response
    if data["file_copies"] and ":original" in data["file_copies"][0]:
        assert re.search(rf'value="{photo.reference}:original"[^>]*checked', page)
    if "alias" in data["case_fields"]:
        assert re.search(r'value="alias"[^>]*checked', page)
    assert not Dossier.objects.exists() and exports() == []


def test_a_file_of_another_case_is_refused(coordinating, team_a, caseworker, case, text):
    elsewhere = add_file(CaseFactory(team=team_a), caseworker, TEXT)
    response = coordinating.post(url(case), form([(elsewhere, Copy.CLEAN)], ["alias"]))
    assert response.status_code == 400
    assert "That file is not on this case." in response.content.decode()
    assert not Dossier.objects.exists() and exports() == []


def test_one_copy_of_a_file_at_a_time(coordinating, case, photo):
    response = coordinating.post(url(case), form([(photo, Copy.CLEAN), (photo, Copy.ORIGINAL)]))
    assert response.status_code == 400
    assert "choose one copy" in response.content.decode()
    assert not Dossier.objects.exists() and exports() == []


@pytest.mark.parametrize("field", ["file_copies", "case_fields", "consent_at", "consent_channel"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_a_clear_error(coordinating, case, field, value):
    response = coordinating.post(url(case), {**form(fields=["alias"]), field: value})
    assert_safe(response)
    assert response.status_code == 400
    if "\x00" not in value:  # a null byte is refused before any view (ops/middleware)
        assert b"error-summary" in response.content
    assert not Dossier.objects.exists() and exports() == []


def test_a_stale_session_is_sent_to_confirm_the_password_and_nothing_is_made(
    coordinating, case, text
):
    session = coordinating.session
    session["auth_at"] = 0
    session.save()
    response = coordinating.post(url(case), {**form([(text, Copy.ORIGINAL)]), "next": url(case)})
    assert response["Location"] == f"{reverse('reauth')}?next={quote(url(case), safe='')}"
    assert not Dossier.objects.exists() and exports() == []
    back = coordinating.post(response["Location"], {"password": PASSWORD})
    assert back["Location"] == url(case)  # to the form: a POST is not replayed


# --- The service on its own ------------------------------------------------------------


def build(case, by, files=(), fields=("alias",), **changes):
    kwargs = {
        "case": case,
        "by": by,
        "files": list(files),
        "fields": list(fields),
        "consent_at": timezone.now() - timedelta(hours=1),
        "consent_channel": "phone",
        **changes,
    }
    return dossiers.build(**kwargs)


@pytest.mark.parametrize("who", ["caseworker", "operator", "outsider"])
def test_the_service_refuses_anyone_but_a_coordinator_of_the_team(request, case, who):
    with pytest.raises(PermissionDenied):
        build(case, request.getfixturevalue(who))
    assert not Dossier.objects.exists() and exports() == []


def test_the_service_refuses_a_file_being_deleted_or_of_another_case(
    coordinator, caseworker, team_a, case, text
):
    other = add_file(CaseFactory(team=team_a), caseworker, TEXT)
    EvidenceFile.objects.filter(pk=text.pk).update(deleting_since=timezone.now())
    text.refresh_from_db()
    for file in (other, text):
        with pytest.raises(ValidationError) as refused:
            build(case, coordinator, [(file, Copy.CLEAN)])
        assert "file_copies" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        build(case, coordinator, fields=["contact_handle"])
    assert "case_fields" in refused.value.error_dict
    assert not Dossier.objects.exists() and exports() == []


def test_the_zip_streams_a_segment_at_a_time(coordinator, caseworker, case):
    big = ("Свидетельство. " * 80 + "\n").encode() * 2600  # about 3.4 MB
    file = add_file(case, caseworker, big, name="long.txt")
    made = Dossier(export_id="D" + "0" * 13, case=case, made_at=timezone.now())
    pieces = list(dossiers.zip_stream(made, b"%PDF-1.7 stand-in", [(file, Copy.ORIGINAL)]))
    assert len(pieces) > 3
    assert max(len(piece) for piece in pieces) <= (1 << 20) + 4096  # never the whole file
    zf = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert zf.read(f"files/{file.reference}-original.txt") == big


def test_the_zip_stops_short_of_the_manifest_if_a_file_does_not_match_its_hash(
    coordinator, case, text
):
    EvidenceFile.objects.filter(pk=text.pk).update(clean_sha256="0" * 64)
    text.refresh_from_db()
    made = Dossier(export_id="D" + "1" * 13, case=case, made_at=timezone.now())
    stream = dossiers.zip_stream(made, b"%PDF-1.7 stand-in", [(text, Copy.CLEAN)])
    sent = b""
    with pytest.raises(DossierError):
        for piece in stream:
            sent += piece
    assert b"manifest.txt" not in sent


# --- The row ---------------------------------------------------------------------------


def test_every_field_of_the_row_is_named_and_the_row_says_only_its_export_id(case, coordinator):
    opts = Dossier._meta
    assert opts.verbose_name and opts.verbose_name_plural
    # Named in the model: a translatable string, not Django's default from the name.
    unnamed = [f.name for f in opts.concrete_fields if not isinstance(f.verbose_name, Promise)]
    assert unnamed == ["id"]
    made = Dossier.objects.create(
        case=case, made_by=coordinator, consent_at=timezone.now(), consent_channel="phone"
    )
    assert EXPORT_ID.fullmatch(made.export_id)
    assert str(made) == made.export_id


def test_a_purge_takes_the_row_with_its_case(case, coordinator):
    Dossier.objects.create(
        case=case, made_by=coordinator, consent_at=timezone.now(), consent_channel="phone"
    )
    Case.objects.filter(pk=case.pk).delete()
    assert not Dossier.objects.exists()


def test_the_fields_offered_leave_out_what_reaches_the_person():
    # Case fields, each of them, and never a way to reach the person.
    case_fields = {field.name for field in Case._meta.get_fields()}
    assert DOSSIER_FIELDS and set(DOSSIER_FIELDS) <= case_fields
    assert not {"contact_handle", "safe_contact", "handle_index"} & set(DOSSIER_FIELDS)


def test_a_file_whose_object_the_store_lost_is_refused_before_anything_is_recorded(
    coordinating, case, photo
):
    from evidence import store

    store.delete(photo.clean_object)
    response = coordinating.post(url(case), form([(photo, Copy.CLEAN)], ["alias"]))
    assert response.status_code == 400
    assert f"File {photo.reference} cannot be read from the file store" in response.content.decode()
    assert not Dossier.objects.exists() and exports() == []


def test_after_a_dossier_a_truncated_photo_is_still_refused(coordinating, case, photo):
    # WeasyPrint, imported for the first dossier, turns on Pillow's loading of
    # truncated images for the whole process; evidence/pdf_render.py turns it off.
    made = coordinating.post(url(case), form([(photo, Copy.CLEAN)], ["alias"]))
    assert made.status_code == 200
    b"".join(made.streaming_content)
    whole = samples.jpeg(size=(400, 300))
    response = coordinating.post(
        reverse("evidence:upload", args=[case.reference]),
        {"file": SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2]), "description": ""},
    )
    assert response.status_code == 400
    assert EvidenceFile.objects.filter(case=case).count() == 1
