"""What a file is, what hides in it, and its working copy without metadata.

Every sample carries a marker wherever metadata can be; each cleaning test
first shows the marker is in the original, so "absent after" means removed.
"""

import io
import os
import zlib

import mutagen.apev2
import mutagen.id3
import pikepdf
import pytest
from django.utils.functional import Promise
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from PIL import Image

from evidence.content import (
    HEAD_BYTES,
    Cleaned,
    Kind,
    Refused,
    Scanner,
    Sniffed,
    TextChecker,
    clean,
    needs_cleaning,
    preview,
    sniff,
)
from evidence.content import pdf as pdf_cleaning
from tests.evidence import samples
from tests.evidence.samples import MARKER_BYTES

MAX_PIXELS = 50_000_000

JPEG = ("image", "image/jpeg", ".jpg")
PNG = ("image", "image/png", ".png")
HEIC = ("image", "image/heic", ".heic")
PDF = ("pdf", "application/pdf", ".pdf")
M4A = ("audio", "audio/mp4", ".m4a")
OGG = ("audio", "audio/ogg", ".ogg")
MP3_ = ("audio", "audio/mpeg", ".mp3")
TEXT = ("text", "text/plain", ".txt")

RUSSIAN = "Заявление: семья из Аргуна, трое детей. Связь через сестру.\n"


def refusal(call, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value


def sniffed(data: bytes) -> Sniffed:
    return sniff(data[:HEAD_BYTES])


def cleaned(data: bytes, **kwargs) -> Cleaned:
    return clean(sniffed(data), data, max_pixels=kwargs.pop("max_pixels", MAX_PIXELS))


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, format="GIF")
    return out.getvalue()


def noise_jpeg(size=(200, 200)) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, format="JPEG")
    return out.getvalue()


def noise_png(size=(200, 200)) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, format="PNG")
    return out.getvalue()


# --- sniff: the type comes from the content ---


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (samples.jpeg, JPEG),
        (samples.png, PNG),
        (samples.heic, HEIC),
        (samples.pdf, PDF),
        (samples.m4a, M4A),
        (samples.ogg, OGG),
        (lambda: samples.ogg("tone.opus"), OGG),
        (samples.mp3, MP3_),
        (lambda: samples.fixture("tone.mp3"), MP3_),  # no ID3 tag: a bare frame header
        (lambda: RUSSIAN.encode(), TEXT),
        (lambda: b"\xef\xbb\xbf" + RUSSIAN.encode(), TEXT),
    ],
)
def test_it_tells_each_kept_type_by_its_content(build, expected):
    got = sniffed(build())
    assert (got.kind, got.mime, got.extension) == expected
    assert got.kind in Kind.values


def test_an_animated_png_is_kept_as_a_png():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:])
    got = sniffed(out.getvalue())
    assert (got.kind, got.mime, got.extension) == PNG


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64), "type"),  # .exe
        (samples.zip_bytes(), "type"),
        (gif(), "type"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "type"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "markup"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "markup"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "markup"),
        # A "JPEG" that is HTML: the name never counts, the bytes do.
        (b"\xef\xbb\xbf \r\n\t<HTML><script>fetch('/x')</script>", "markup"),
        (b"<a href='javascript:alert(1)'>photo</a>", "markup"),
        (b"<p>Note</p>", "markup"),
        (b"<br/>", "markup"),
        (b"<!-- a comment first -->\n<div>", "markup"),
        (b"", "empty"),
    ],
)
def test_it_refuses_what_it_does_not_keep(data, code):
    assert refusal(sniff, data).code == code


def test_text_that_only_starts_with_a_bracket_is_text():
    # "<Ann" is no tag: a browser opens one only on whitespace, "/" or ">".
    assert sniff("<Анна> сказала: <Ahmed> придёт в 10\n".encode()).mime == "text/plain"
    assert sniff(b"<Ann> said she would call\n").mime == "text/plain"


def test_a_multibyte_character_cut_by_the_end_of_the_head_is_still_text():
    data = ("Ж" * HEAD_BYTES).encode()  # two bytes each
    head = data[: HEAD_BYTES - 1]
    assert head[-1:] == b"\xd0"  # half a character
    assert sniff(head).mime == "text/plain"


def test_text_with_a_nul_is_not_text():
    assert refusal(sniff, RUSSIAN.encode() + b"\x00" + b"more").code == "type"


def test_binary_that_no_matcher_knows_is_not_a_kept_type():
    assert refusal(sniff, b"\x01\x02\x03\xfe\xff" + os.urandom(64)).code == "type"


def test_text_with_a_control_character_is_not_text():
    assert refusal(sniff, b"line one\x1b[31m red\n").code == "type"


@pytest.mark.parametrize(
    "data",
    [
        "Café crème, São Paulo\n".encode("latin-1"),
        RUSSIAN.encode("cp1251"),
        RUSSIAN.encode("utf-16"),
    ],
)
def test_text_in_another_encoding_is_refused_with_advice_to_save_it_as_utf8(data):
    refused = refusal(sniff, data)
    assert refused.code == "unreadable"
    assert "UTF-8" in str(refused.message)


# --- Scanner: a second format hidden in the first ---


def scan(kind_sample: bytes, data: bytes, chunk: int = 65536) -> Refused | None:
    scanner = Scanner(sniffed(kind_sample))
    for start in range(0, len(data), chunk):
        scanner.feed(data[start : start + chunk])
    return scanner.found


@pytest.mark.parametrize(
    "build",
    [
        samples.jpeg,
        samples.png,
        samples.heic,
        samples.pdf,
        samples.mp3,
        samples.ogg,
        samples.m4a,
        lambda: RUSSIAN.encode(),
    ],
)
def test_a_clean_file_has_nothing_hidden(build):
    data = build()
    assert scan(data, data, chunk=7) is None
    assert scan(data, data) is None


@pytest.mark.parametrize(
    "appended",
    [
        samples.zip_bytes(),
        b"<script>alert(1)</script>",
        b"<ScRiPt src=//x>",
        b"<svg/onload=alert(1)>",
        b"<iframe\nsrc=x>",
        b"<html>",
        b"<?php system($_GET['c']); ?>",
        b"JavaScript:alert(1)",
        b"%PDF-1.7\n1 0 obj",
    ],
)
def test_it_finds_what_is_appended_to_a_png(appended):
    png = samples.png()
    found = scan(png, png + appended)
    assert found is not None
    assert found.code == "polyglot"


def test_a_pdf_may_say_it_is_a_pdf_but_not_hide_a_zip():
    pdf = samples.pdf()
    assert scan(pdf, pdf) is None
    assert scan(pdf, pdf + samples.zip_bytes()).code == "polyglot"


def test_text_may_not_hide_web_code():
    text = RUSSIAN.encode()
    assert scan(text, text + b"<script>x</script>").code == "polyglot"
    assert scan(text, text + b"see javascript:void(0)").code == "polyglot"


@pytest.mark.parametrize("marker", [b"<script>", b"javascript:", b"PK\x05\x06\x00\x00\x00\x00"])
def test_it_finds_a_marker_cut_across_two_chunks_wherever_the_cut_is(marker):
    png = samples.png()
    data = png + b"x" * 100 + marker + b"x" * 100
    at = len(png) + 100
    for cut in range(at + 1, at + len(marker)):  # inside the marker
        scanner = Scanner(sniffed(png))
        scanner.feed(data[:cut])
        assert scanner.found is None
        scanner.feed(data[cut:])
        assert scanner.found is not None, cut


def test_it_finds_a_marker_fed_one_byte_at_a_time():
    png = samples.png()
    assert scan(png, png + b"<svg>" + png, chunk=1) is not None


def test_it_ignores_what_no_parser_would_act_on():
    # Random bytes of compressed data contain these by chance: a bare "<svg"
    # is in about one 5 MB photo in a hundred. Refusing them would refuse
    # honest photos; a browser opens no tag "<svgx", no ZIP reader a header
    # whose version is 0xffff.
    png = samples.png()
    for innocent in (
        b"<svgq",
        b"<htmlz",
        b"<scripts",
        b"PK\x03\x04\xff\xff",
        b"PK\x05\x06\x01\x00",
    ):
        assert scan(png, png + innocent + b"tail") is None, innocent


# --- TextChecker: strict UTF-8 across chunks ---


def check_text(*chunks: bytes) -> None:
    checker = TextChecker()
    for chunk in chunks:
        checker.feed(chunk)
    checker.finish()


@pytest.mark.parametrize("character", ["₽", "Ж", "🙂"])  # 3, 2 and 4 bytes
def test_a_character_cut_across_chunks_is_fine(character):
    data = ("Сумма: 100 " + character + " ok\n").encode()
    start = data.index(character.encode())
    for cut in range(start, start + len(character.encode()) + 1):
        check_text(data[:cut], data[cut:])


def test_a_bom_cut_across_chunks_is_fine():
    check_text(b"\xef", b"\xbb\xbf" + RUSSIAN.encode())


@pytest.mark.parametrize(
    "chunks",
    [
        (RUSSIAN.encode(), "₽".encode()[:2]),  # the file ends inside a character
        (RUSSIAN.encode(), b"\xff", RUSSIAN.encode()),
        (RUSSIAN.encode(), b"ok\x00ok"),
        (RUSSIAN.encode(), "\u0085".encode()),  # a C1 control, valid UTF-8
        (RUSSIAN.encode("cp1251"),),
    ],
)
def test_text_that_is_not_clean_utf8_is_refused(chunks):
    refused = refusal(check_text, *chunks)
    assert refused.code == "unreadable"


# --- clean: images ---


def test_needs_cleaning_is_false_for_text_only():
    assert not needs_cleaning(sniff(RUSSIAN.encode()))
    for build in (samples.jpeg, samples.png, samples.pdf, samples.mp3):
        assert needs_cleaning(sniffed(build()))


def test_a_jpeg_loses_exif_gps_xmp_icc_and_comment_and_is_turned_upright():
    original = samples.jpeg(orientation=6)
    for part in (b"-gps", b"-model", b"-xmp", b"-icc", b"-comment"):
        assert MARKER_BYTES + part in original
    assert {0xE1, 0xE2, 0xFE} <= set(samples.jpeg_segments(original))

    result = cleaned(original)

    assert (result.mime, result.extension) == ("image/jpeg", ".jpg")
    assert MARKER_BYTES not in result.data
    # Only the image itself: no APP1 (EXIF, XMP), APP2 (ICC), APP13, COM.
    assert not {0xE1, 0xE2, 0xED, 0xFE} & set(samples.jpeg_segments(result.data))
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert "icc_profile" not in image.info
    # Stored 60x40 with "rotate 90° clockwise to view": kept as it is seen.
    assert image.size == (40, 60)
    assert is_red(image, image.width - 3, 2)


def is_red(image: Image.Image, x: int, y: int) -> bool:
    red, _green, blue = image.convert("RGB").getpixel((x, y))
    return red > 200 and blue < 80


# The sample is stored 60x40, red in its stored top-left corner. EXIF says
# how to turn it to view it (CIPA DC-008): where that corner is seen.
@pytest.mark.parametrize(
    ("orientation", "size", "red_corner"),
    [
        (1, (60, 40), "top-left"),
        (3, (60, 40), "bottom-right"),  # 180°
        (6, (40, 60), "top-right"),  # 90° clockwise
        (8, (40, 60), "bottom-left"),  # 90° anticlockwise
    ],
)
def test_a_jpeg_is_kept_as_it_is_seen(orientation, size, red_corner):
    image = Image.open(io.BytesIO(cleaned(samples.jpeg(orientation=orientation)).data))
    assert image.size == size
    vertical, horizontal = red_corner.split("-")
    x = 2 if horizontal == "left" else image.width - 3
    y = 2 if vertical == "top" else image.height - 3
    assert is_red(image, x, y)
    assert not is_red(image, image.width - 1 - x, image.height - 1 - y)


def test_a_png_loses_its_text_icc_and_exif_chunks_and_keeps_its_alpha():
    original = samples.png()
    chunks = set(samples.png_chunks(original))
    assert {b"tEXt", b"zTXt", b"iTXt", b"iCCP", b"eXIf"} <= chunks

    result = cleaned(original)

    assert (result.mime, result.extension) == ("image/png", ".png")
    assert set(samples.png_chunks(result.data)) == {b"IHDR", b"IDAT", b"IEND"}
    assert MARKER_BYTES not in result.data
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.getpixel((5, 5)) == (10, 200, 30, 128)


def test_a_palette_png_with_transparency_stays_transparent():
    image = Image.new("P", (10, 10), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=1)
    result = Image.open(io.BytesIO(cleaned(out.getvalue()).data))
    assert result.convert("RGBA").getpixel((3, 3))[3] == 0


def encoded(mode: str, format: str, **params) -> bytes:
    image = Image.new(mode, (8, 8))
    out = io.BytesIO()
    image.save(out, format=format, **params)
    return out.getvalue()


@pytest.mark.parametrize(
    ("mode", "params", "kept_as"),
    [
        ("1", {}, "L"),
        ("L", {}, "L"),
        ("LA", {}, "LA"),
        ("P", {}, "RGB"),
        ("P", {"transparency": 0}, "RGBA"),
        ("RGB", {}, "RGB"),
        ("RGB", {"transparency": (0, 0, 0)}, "RGBA"),
        ("RGBA", {}, "RGBA"),
        ("I;16", {}, "I;16"),
    ],
)
def test_a_png_is_kept_in_a_mode_png_stores(mode, params, kept_as):
    result = cleaned(encoded(mode, "PNG", **params))
    assert Image.open(io.BytesIO(result.data)).mode == kept_as


@pytest.mark.parametrize(("mode", "kept_as"), [("L", "L"), ("RGB", "RGB"), ("CMYK", "RGB")])
def test_a_jpeg_is_kept_in_a_mode_browsers_show(mode, kept_as):
    result = cleaned(encoded(mode, "JPEG"))
    assert Image.open(io.BytesIO(result.data)).mode == kept_as


@pytest.mark.skipif(not samples.pillow_heif_can_write(), reason="this libheif has no encoder")
def test_a_heic_becomes_a_jpeg_without_its_metadata():
    original = samples.heic()
    assert MARKER_BYTES + b"-gps" in original
    assert MARKER_BYTES + b"-xmp" in original

    result = cleaned(original)

    assert (result.mime, result.extension) == ("image/jpeg", ".jpg")
    assert MARKER_BYTES not in result.data
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "JPEG"
    assert image.size == (60, 40)
    assert not image.getexif()


@pytest.mark.skipif(not samples.pillow_heif_can_write(), reason="this libheif has no encoder")
def test_a_sideways_heic_is_turned_upright_once():
    # libheif turns the picture while decoding and pillow_heif then reports
    # orientation 1: turning it again by the EXIF would lay it on its side.
    image = Image.open(io.BytesIO(cleaned(samples.heic(orientation=6)).data))
    assert image.size == (40, 60)
    assert is_red(image, image.width - 3, 2)


def test_a_huge_image_is_refused_before_its_pixels_are_decoded():
    # The pixel data of these PNGs cannot be decoded at all: a decoding
    # attempt would answer "truncated", so "bomb" shows none was made.
    assert refusal(cleaned, samples.png_header_only(3000, 3000)).code == "truncated"

    over_our_limit = samples.png_header_only(5000, 5000)  # 25 MP, under Pillow's own limit
    refused = refusal(cleaned, over_our_limit, max_pixels=10_000_000)
    assert refused.code == "bomb"
    assert "10 megapixels" in str(refused.message)

    twenty_thousand_square = samples.png_header_only(20000, 20000)
    assert refusal(cleaned, twenty_thousand_square).code == "bomb"
    assert refusal(cleaned, twenty_thousand_square, max_pixels=10**12).code == "bomb"


def test_pillows_own_bomb_warning_is_a_refusal(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    # 1600 pixels: over Pillow's (patched) limit, under twice it: a warning.
    assert refusal(cleaned, noise_png((40, 40)), max_pixels=10**9).code == "bomb"


@pytest.mark.parametrize("build", [noise_jpeg, noise_png])
def test_an_image_cut_in_half_is_refused_as_truncated(build):
    data = build()
    assert cleaned(data).data  # whole, it is fine
    assert refusal(cleaned, data[: len(data) // 2]).code == "truncated"


def test_an_image_that_cannot_be_opened_is_refused():
    assert refusal(cleaned, b"\xff\xd8\xff\xe0" + b"\x00" * 200).code == "unreadable"
    assert refusal(cleaned, b"\x89PNG\r\n\x1a\n" + b"\x00" * 200).code == "unreadable"


# --- clean: PDF ---


def test_a_pdf_loses_its_metadata_scripts_and_attachments_and_keeps_its_page():
    original = samples.pdf()
    plain_before = samples.pdf_plain(original)
    for part in (b"-author", b"-xmp", b"-open", b"-close", b"-page", b"-named", b"-link"):
        assert MARKER_BYTES + part in original
    assert MARKER_BYTES + b"-attachment" in plain_before

    result = cleaned(original)

    assert (result.mime, result.extension) == ("application/pdf", ".pdf")
    assert MARKER_BYTES not in samples.pdf_plain(result.data)
    assert b"visible words" in samples.pdf_plain(result.data)
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Info" not in pdf.trailer
        for key in ("/Metadata", "/OpenAction", "/AA"):
            assert key not in pdf.Root
        assert "/JavaScript" not in pdf.Root.Names
        assert "/EmbeddedFiles" not in pdf.Root.Names
        assert not pdf.attachments
        page = pdf.pages[0].obj
        assert "/AA" not in page
        assert "/Metadata" not in page
        (link,) = page.Annots
        assert "/A" not in link  # the link stays, without its script
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert "/JS" not in obj
                assert obj.get("/Type") not in (pikepdf.Name.Metadata, pikepdf.Name.EmbeddedFile)


def test_a_pdf_opens_at_no_chosen_place_even_without_a_script():
    # /OpenAction may be a plain jump: still what the file does on its own.
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.Root.OpenAction = pikepdf.Array([doc.pages[0].obj, pikepdf.Name.Fit])
    out = io.BytesIO()
    doc.save(out)

    with pikepdf.open(io.BytesIO(cleaned(out.getvalue()).data)) as pdf:
        assert "/OpenAction" not in pdf.Root


def test_a_pdf_cut_off_is_refused():
    original = samples.pdf()
    assert refusal(cleaned, original[: len(original) // 2]).code == "truncated"
    assert refusal(cleaned, original[:-40]).code == "truncated"  # only the trailer lost


def test_a_pdf_with_a_password_is_refused_with_advice_to_remove_it():
    refused = refusal(cleaned, samples.pdf(encrypt_with="secret"))
    assert refused.code == "unreadable"
    assert "password" in str(refused.message)


def test_a_pdf_restricted_by_an_owner_password_only_is_cleaned_and_opened():
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.docinfo["/Author"] = samples.MARKER
    out = io.BytesIO()
    doc.save(out, encryption=pikepdf.Encryption(user="", owner="owner-only"))

    result = cleaned(out.getvalue())

    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert not pdf.is_encrypted
        assert "/Info" not in pdf.trailer


def test_an_unparseable_pdf_is_refused():
    assert refusal(cleaned, b"%PDF-1.7\n" + b"garbage " * 50).code == "truncated"


def photo_in_pdf(photo: bytes, **kwargs) -> bytes:
    return samples.pdf_with_image(photo, size=Image.open(io.BytesIO(photo)).size, **kwargs)


def test_a_photo_in_a_pdf_loses_its_exif_and_keeps_its_pixels_bit_for_bit():
    photo = samples.jpeg(orientation=1)
    # A JFXX thumbnail of the uncropped picture after the JFIF header, and a
    # phone's motion-photo video after the end of the picture.
    thumbnail = samples.jpeg_segment(0xE0, b"JFXX\x00\x10" + MARKER_BYTES + b"-thumbnail")
    photo = photo[:20] + thumbnail + photo[20:] + MARKER_BYTES + b"-video"
    original = photo_in_pdf(photo, decode_parms={"/ColorTransform": 1})
    for part in (b"-gps", b"-make", b"-model", b"-xmp", b"-icc", b"-comment", b"-thumbnail"):
        assert MARKER_BYTES + part in original
    assert samples.jpeg_segments(samples.pdf_image(original)) == [
        *[0xE0, 0xE0, 0xE1, 0xE1, 0xE2, 0xFE],
        *[0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDA],
    ]

    result = cleaned(original)

    assert MARKER_BYTES not in result.data
    assert MARKER_BYTES not in samples.pdf_plain(result.data)
    kept = samples.pdf_image(result.data)
    # JFIF without a thumbnail, the tables, the frame and the scan.
    assert samples.jpeg_segments(kept) == [0xE0, 0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDA]
    assert kept.endswith(b"\xff\xd9")
    assert Image.open(io.BytesIO(kept)).tobytes() == Image.open(io.BytesIO(photo)).tobytes()
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.DecodeParms.ColorTransform == 1


def test_a_cmyk_photo_in_a_pdf_keeps_adobes_colour_segment():
    photo = encoded("CMYK", "JPEG")
    assert 0xEE in samples.jpeg_segments(photo)
    data = samples.pdf_with_image(photo, size=(8, 8), colour="/DeviceCMYK")
    assert samples.pdf_image(cleaned(data).data) == photo


def test_a_photo_in_a_pdf_that_cannot_be_walked_is_refused():
    photo = samples.jpeg()
    exif_at = photo.index(b"\xff\xe1")
    for broken in (
        photo[: exif_at + 40],  # cut off inside the EXIF segment
        photo[:exif_at] + b"\x00" + photo[exif_at:],  # a byte where a marker must be
        b"\xff\xd8\xff\xd8" + photo[2:],  # two starts of image
        b"GIF89a" + photo,
    ):
        data = samples.pdf_with_image(broken, size=(60, 40))
        assert refusal(cleaned, data).code == "clean_failed"


def test_a_photo_in_a_pdf_inside_another_filter_is_refused():
    wrapped = zlib.compress(samples.jpeg())
    data = samples.pdf_with_image(wrapped, size=(60, 40), filters=("/FlateDecode", "/DCTDecode"))
    assert refusal(cleaned, data).code == "clean_failed"


def test_a_jpeg_2000_in_a_pdf_is_kept_unless_it_has_boxes_that_can_hold_metadata():
    plain = samples.jpeg2000()
    result = cleaned(samples.pdf_with_image(plain, size=(16, 8), filters=("/JPXDecode",)))
    assert samples.pdf_image(result.data) == plain

    for kind in (b"xml ", b"uuid", b"jp2i"):
        tagged = samples.jpeg2000(samples.box(kind, bytes(16) + samples.xmp()))
        data = samples.pdf_with_image(tagged, size=(16, 8), filters=("/JPXDecode",))
        assert MARKER_BYTES in data
        assert refusal(cleaned, data).code == "clean_failed", kind


def test_a_pdf_comment_loses_its_author_and_links_out_of_the_file_lose_their_action():
    original = samples.pdf_with_annotations()
    for part in (b"-author", b"-nm", b"-remote", b"-web", b"-next", b"-thumb"):
        assert MARKER_BYTES + part in original

    result = cleaned(original)

    assert MARKER_BYTES not in samples.pdf_plain(result.data)
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        page = pdf.pages[0].obj
        assert "/Thumb" not in page
        assert "/LastModified" not in page
        comment, remote, web, inside, chained, field = page.Annots
        assert str(comment.Contents) == "reviewed"
        for key in ("/T", "/M", "/NM", "/CreationDate"):
            assert key not in comment
        assert "/A" not in remote
        assert "/A" not in web
        assert inside.A.S == pikepdf.Name.GoTo  # a jump within the document stays
        assert chained.A.S == pikepdf.Name.GoTo
        assert "/Next" not in chained.A
        # A form field's /T is its name, not an author.
        assert str(field.T) == "applicant"
        assert "/M" not in field


def test_a_pdf_of_too_many_objects_is_refused_before_it_is_walked(monkeypatch):
    monkeypatch.setattr(pdf_cleaning, "_MAX_OBJECTS", 50)
    assert cleaned(samples.pdf_of_objects(40)).data

    def walk(*args, **kwargs):
        raise AssertionError("walked")

    opened = []
    real_open = pikepdf.open

    def open_pdf(*args, **kwargs):
        opened.append(True)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(pdf_cleaning, "_pdf_walk", walk)
    monkeypatch.setattr(pikepdf, "open", open_pdf)
    # As the file declares it: refused before QPDF reads its cross-references.
    refused = refusal(cleaned, samples.pdf_of_objects(60))
    assert refused.code == "bomb"
    assert "too many parts" in str(refused.message)
    assert not opened
    # A file that declares fewer is counted once open.
    assert refusal(cleaned, samples.pdf_of_objects(60, declared=11)).code == "bomb"
    assert opened


# --- clean: audio ---


@pytest.mark.parametrize(
    ("build", "reader", "expected"),
    [
        (samples.mp3, MP3, MP3_),
        (samples.ogg, OggVorbis, OGG),
        (lambda: samples.ogg("tone.opus"), OggOpus, OGG),
        (samples.m4a, MP4, M4A),
    ],
)
def test_a_recording_loses_its_tags_and_stays_a_recording(build, reader, expected):
    original = build()
    assert MARKER_BYTES + b"-title" in original
    assert reader(io.BytesIO(original)).tags

    result = cleaned(original)

    assert ("audio", result.mime, result.extension) == expected
    assert MARKER_BYTES not in result.data
    assert b"43.29" not in result.data
    audio = reader(io.BytesIO(result.data))
    assert not (audio.tags and list(audio.tags.keys()))
    assert 0.25 < audio.info.length < 0.45


def test_an_mp3_loses_id3v2_id3v1_and_ape_tags():
    original = samples.mp3()
    assert original.startswith(b"ID3")
    assert b"TAG" + MARKER_BYTES in original  # ID3v1: the title right after "TAG"
    assert b"APETAGEX" in original

    data = cleaned(original).data

    with pytest.raises(mutagen.id3.ID3NoHeaderError):
        mutagen.id3.ID3(io.BytesIO(data))
    with pytest.raises(mutagen.apev2.APENoHeaderError):
        mutagen.apev2.APEv2(io.BytesIO(data))
    assert b"TAG" + MARKER_BYTES not in data


def test_an_m4a_loses_the_place_and_time_mutagen_does_not_delete():
    original = samples.m4a()
    assert b"\xa9xyz" in original
    assert samples.mvhd_times(original) == (samples.CREATION_TIME, samples.CREATION_TIME)

    data = cleaned(original).data

    assert b"\xa9xyz" not in data
    assert b"+43.29+045.88" not in data
    assert MARKER_BYTES + b"-udta" not in data
    assert b"xmpmeta" not in data
    assert samples.mvhd_times(data) == (0, 0)
    assert len(data) <= len(original)


@pytest.mark.parametrize(
    "data",
    [
        b"OggS" + b"\x00" * 300,
        b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42" + b"\x00" * 300,
        b"ID3\x03\x00\x00\x00\x00\x00\x10" + b"\x00" * 300,
    ],
)
def test_audio_that_cannot_be_read_is_refused(data):
    assert sniffed(data).kind == "audio"
    assert refusal(cleaned, data).code == "unreadable"


@pytest.mark.parametrize(
    "header", [samples.THEORA_HEADER, samples.SKELETON_HEADER], ids=["theora", "skeleton"]
)
def test_an_ogg_with_a_video_or_another_stream_beside_the_sound_is_refused(header):
    original = samples.ogg_beside(header)
    assert MARKER_BYTES + b"-beside" in original
    assert OggVorbis(io.BytesIO(original)).info.length > 0.25  # mutagen finds the sound

    assert refusal(cleaned, original).code == "type"


def test_an_ogg_of_two_recordings_or_with_something_after_its_last_page_is_refused():
    assert refusal(cleaned, samples.ogg() + samples.ogg()).code == "clean_failed"
    tagged = samples.ogg() + b"TAG" + (MARKER_BYTES + b"-v1").ljust(125, b"\x00")
    assert refusal(cleaned, tagged).code == "unreadable"


@pytest.mark.parametrize("kind", [b"free", b"skip", b"wide"])
def test_an_m4a_padding_box_is_blanked_in_place(kind):
    leftover = MARKER_BYTES + b"-leftover " + kind + b" iPhone of Ivan"
    original = samples.m4a(in_moov=samples.box(kind, leftover)) + samples.box(kind, leftover)
    assert original.count(leftover) == 2

    data = cleaned(original).data

    assert MARKER_BYTES not in data
    # Each box where it was (less what mutagen deleted before it), emptied.
    assert len(data) == len(original) - len(samples.m4a()) + len(cleaned(samples.m4a()).data)
    for box in (original.index(leftover) - 8, original.rindex(leftover) - 8):
        at = box - len(original) + len(data)
        assert data[at : at + 8] == original[box : box + 8]
        assert data[at + 8 : at + 8 + len(leftover)] == bytes(len(leftover))
    assert 0.25 < MP4(io.BytesIO(data)).info.length < 0.45


@pytest.mark.parametrize("kind", [b"Xtra", b"junk", b"moof"])
def test_an_m4a_with_a_box_nobody_here_has_read_is_refused(kind):
    original = samples.m4a() + samples.box(kind, MARKER_BYTES + b" gps 43.3,45.7")
    assert refusal(cleaned, original).code == "clean_failed"


@pytest.mark.parametrize(
    ("first", "second"),
    ids=["both-tagged", "id3v1-inside", "id3v2-inside"],
    argvalues=[
        ({}, {}),  # each with ID3v2 and ID3v1
        ({"id3v2": False}, {"id3v2": False, "id3v1": False}),  # the first one's ID3v1 inside
        ({"id3v2": False, "id3v1": False}, {"id3v1": False}),  # the second one's ID3v2 inside
    ],
)
def test_two_tagged_mp3s_joined_are_refused(first, second):
    original = samples.mp3(ape=False, **first) + samples.mp3(ape=False, **second)
    assert MARKER_BYTES + b"-title" in original
    assert refusal(cleaned, original).code == "clean_failed"


def test_an_mp3_with_tag_like_bytes_that_no_tagger_writes_is_kept():
    tone = samples.fixture("tone.mp3")
    for innocent in (
        b"ID3\x05\x00\x00\x00\x00\x00\x00",  # no such version
        b"ID3\x04\x00\x00\x00\x00\x7f\x7f",  # a size that runs past the end
        b"ID3\x03\x00\x01\x00\x00\x00\x00",  # flags ID3v2.3 does not define
        b"TAG\x01\x02\x03" + bytes(130),  # no text where the title is
    ):
        data = tone + innocent + tone
        assert cleaned(data).data == data, innocent


# --- clean: text, and whatever a library raises ---


def test_text_is_its_own_working_copy():
    data = RUSSIAN.encode()
    result = cleaned(data)
    assert (result.data, result.mime, result.extension) == (data, "text/plain", ".txt")


MAGIC = [
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    b"%PDF-1.7\n",
    b"OggS\x00\x02",
    b"\xff\xfb\x90\x00",
    b"ID3\x04\x00\x00\x00\x00\x00\x00",
    b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom",
]


@given(magic=st.sampled_from(MAGIC), rest=st.binary(max_size=600))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_whatever_follows_a_valid_magic_number_is_cleaned_or_refused(magic, rest):
    data = magic + rest
    try:
        kind = sniffed(data)
    except Refused:
        return
    try:
        result = clean(kind, data, max_pixels=MAX_PIXELS)
    except Refused as refused:
        assert refused.code in {"bomb", "truncated", "unreadable", "clean_failed", "type"}
        return
    assert isinstance(result.data, bytes)


def test_a_library_failure_is_a_refusal_never_the_file_kept(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("a bug deep in a parser")

    original = samples.pdf()
    monkeypatch.setattr(pikepdf.Pdf, "save", boom)
    refused = refusal(cleaned, original)
    assert refused.code == "clean_failed"


def test_a_refusal_logs_its_code_and_translates_its_message_late():
    refused = refusal(sniff, b"")
    assert str(refused) == "empty"  # what reaches a log: no file content
    assert isinstance(refused.message, Promise)
    bomb = refusal(cleaned, samples.png_header_only(5000, 5000), max_pixels=10_000_000)
    assert isinstance(bomb.message, Promise)


# --- preview ---


def test_a_preview_is_a_small_jpeg_without_metadata():
    out = io.BytesIO()
    samples.stored_sideways(2000, 1000).save(out, format="JPEG", exif=samples.exif())
    data = preview(out.getvalue())
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (720, 360)
    assert not image.getexif()
    assert MARKER_BYTES not in data
    assert not {0xE1, 0xE2, 0xFE} & set(samples.jpeg_segments(data))


def test_a_preview_follows_max_side_and_never_enlarges():
    big = cleaned(noise_png((300, 500))).data
    assert Image.open(io.BytesIO(preview(big, max_side=100))).size == (60, 100)
    small = cleaned(noise_png((100, 50))).data
    assert Image.open(io.BytesIO(preview(small))).size == (100, 50)


def test_a_preview_of_a_transparent_png_is_a_jpeg():
    data = preview(cleaned(samples.png()).data)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode) == ("JPEG", "RGB")


def test_a_preview_of_what_is_not_an_image_is_refused():
    assert refusal(preview, b"not an image").code == "unreadable"
    assert refusal(preview, samples.pdf()).code == "unreadable"


def test_an_android_voice_memo_with_a_general_mp4_brand_is_audio_and_a_video_is_not():
    # ffmpeg -f lavfi -i sine=frequency=440:duration=0.2 -c:a aac -brand mp42
    memo = (samples.FIXTURES / "android-voice.m4a").read_bytes()
    assert memo[8:12] == b"mp42"
    sniffed = sniff(memo[:HEAD_BYTES])
    assert sniffed.kind == Kind.AUDIO
    assert clean(sniffed, memo, max_pixels=10**6).data[4:8] == b"ftyp"
    # The same with a 64x64 picture track (libx264): a video, refused.
    video = (samples.FIXTURES / "video.mp4").read_bytes()
    with pytest.raises(Refused) as refused:
        clean(sniff(video[:HEAD_BYTES]), video, max_pixels=10**6)
    assert refused.value.code == "type"
