"""What an attached file is, and its working copy without metadata.

A photo, a PDF or a recording can say more than its content: where it was
taken (EXIF GPS, a location atom), on which phone, by whom (PDF /Info, XMP),
when. A file can also be two things at once: a "photo" whose bytes a browser
runs as a page, a PDF that starts JavaScript or carries other files, a PNG
with a ZIP appended. So the type comes from the content against an
allow-list, never from the name; the whole original is scanned for a second
format hidden in it; and the working copy is rebuilt from the content alone
(the pixels, the PDF's objects without metadata or active content, the audio
frames without tags). Whatever cannot be rebuilt is refused with a reason the
person can act on: never stored uncleaned, never a 500.

Everything stays in memory: the plaintext of evidence must never land on disk.
"""

import codecs
import io
import logging
import re
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import filetype
import mutagen
import pikepdf
import pillow_heif
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from mutagen import apev2, id3, mp3, mp4, oggopus, oggvorbis
from PIL import Image, ImageFile, UnidentifiedImageError

# Thumbnails, depth maps and auxiliary images are never part of the working
# copy: don't parse them.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

log = logging.getLogger(__name__)

HEAD_BYTES = 8192
JPEG_QUALITY = 92


class Kind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")
    AUDIO = "audio", _("Audio recording")
    TEXT = "text", _("Text")


# Interpolated when shown, so the message is in the language of whoever reads
# it, even if the refusal was made in a task with no language active.
_format_lazy = lazy(lambda message, params: str(message) % params, str)


class Refused(Exception):
    """A file we will not keep: .message is told to the person, .code is for tests and audit."""

    def __init__(self, code: str, message):
        # The code alone goes into args: str(error) reaches logs, and says
        # what went wrong without quoting the file.
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    kind: str
    mime: str
    extension: str


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    mime: str
    extension: str


JPEG = Sniffed(Kind.IMAGE, "image/jpeg", ".jpg")
PNG = Sniffed(Kind.IMAGE, "image/png", ".png")
HEIC = Sniffed(Kind.IMAGE, "image/heic", ".heic")
PDF = Sniffed(Kind.PDF, "application/pdf", ".pdf")
M4A = Sniffed(Kind.AUDIO, "audio/mp4", ".m4a")
OGG = Sniffed(Kind.AUDIO, "audio/ogg", ".ogg")
MP3 = Sniffed(Kind.AUDIO, "audio/mpeg", ".mp3")
TEXT = Sniffed(Kind.TEXT, "text/plain", ".txt")

# filetype's answer -> what we keep. An animated PNG is still a PNG: its
# working copy is the first frame.
_ALLOWED = {
    "image/jpeg": JPEG,
    "image/png": PNG,
    "image/apng": PNG,
    "image/heic": HEIC,
    "application/pdf": PDF,
    "audio/mp4": M4A,
    "audio/ogg": OGG,
    "audio/mpeg": MP3,
}


def _type_refused() -> Refused:
    return Refused(
        "type",
        _(
            "This file is not one of the types Corridor keeps: photos (JPEG, PNG, HEIC), "
            "PDF, audio (m4a, ogg, mp3) or plain text."
        ),
    )


def _empty_refused() -> Refused:
    return Refused(
        "empty",
        _("This file is empty. Choose it again, or save it on your device first."),
    )


def _text_unreadable() -> Refused:
    return Refused(
        "unreadable",
        _(
            "This text file is not in UTF-8 or has characters that are not text. "
            "Save it again as plain text in UTF-8 (for example in Notepad: "
            "Save as, Encoding: UTF-8) and attach it again."
        ),
    )


def _clean_failed() -> Refused:
    return Refused(
        "clean_failed",
        _(
            "Corridor could not remove the hidden details (such as the place and the "
            "device) from this file, so it was not kept. Try again, or attach a "
            "screenshot or a PDF copy of it instead."
        ),
    )


# ---------------------------------------------------------------- sniffing

_BOM = codecs.BOM_UTF8
# Controls other than \t \n \f \r, DEL and the C1 controls: no text needs
# them, and they hide content from whoever reads the file later.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What the WHATWG MIME sniffing standard calls scriptable: a browser that
# sniffs would render such "text" as a page (plus any doctype, and SVG).
_MARKUP_START = re.compile(
    rb"<(?:!doctype|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg)"
    rb"(?:[\s>/]|$)|<!--|<\?xml",
    re.IGNORECASE,
)


_GENERAL_MP4_BRANDS = {b"mp41", b"mp42", b"isom", b"iso2", b"iso5", b"iso6"}
# An MP4 track's handler box (ISO/IEC 14496-12 "hdlr"): size, type, version and
# flags, pre-defined, then the handler type; a picture track is "vide".
_VIDEO_TRACK = re.compile(rb"hdlr.{8}vide", re.DOTALL)


def sniff(head: bytes) -> Sniffed:
    """Tell the type of a file from its first HEAD_BYTES, or refuse it."""
    if not head:
        raise _empty_refused()
    head = head[:HEAD_BYTES]
    guess = filetype.guess(head)
    if guess is not None:
        # Android's recorders write voice memos as MP4 with a general brand
        # ("mp42", "isom"), which filetype calls video: audio until cleaning
        # finds a video track in it (_clean_audio).
        if guess.mime == "video/mp4" and head[8:12] in _GENERAL_MP4_BRANDS:
            return M4A
        if guess.mime not in _ALLOWED:
            raise _type_refused()
        return _ALLOWED[guess.mime]
    return _sniff_text(head)


def _sniff_text(head: bytes) -> Sniffed:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _text_unreadable()
    try:
        # Not final: the head may end inside a multibyte character.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        # Text in an old encoding (a Windows-1251 note) gets the advice to
        # save it as UTF-8; anything with control bytes is simply not text.
        if _CONTROL_BYTES.search(head) is None:
            raise _text_unreadable() from None
        raise _type_refused() from None
    if _CONTROLS.search(text):
        raise _type_refused()
    if _MARKUP_START.match(head.removeprefix(_BOM).lstrip(b" \t\n\r\f")):
        raise Refused(
            "markup",
            _(
                "This file is a web page or web code, which Corridor does not keep. "
                "Save the text as plain text (.txt), or the page as a PDF, and attach that."
            ),
        )
    return TEXT


# ---------------------------------------------------------------- polyglots

# Matched against lowered bytes: bytes.lower() and a case-sensitive pattern
# run about seven times faster than re.IGNORECASE (whose alternation sre
# cannot search by literal prefix), and the scan reads every byte of uploads
# up to 200 MB. The markers are as tight as what a parser would act on:
# a browser only opens a tag followed by whitespace, "/" or ">", and a ZIP
# reader needs a real header. A bare "<svg" or "PK\3\4" turns up by chance in
# compressed data, which looks random: in about one 5 MB photo in a hundred
# and two 200 MB recordings in five, each then refused for nothing. With
# these markers, about one 200 MB recording in a hundred.
_PDF_MARK = rb"%pdf-[12]\.\d"
_ZIP_MARKS = rb"pk\x03\x04[\x0a-\x3f]\x00|pk\x05\x06(?:\x00\x00|\xff\xff){2}"
_WEB_MARKS = rb"<(?:script|html|svg|iframe)[\t\n\f\r />]|<\?php|javascript:"
_POLYGLOT = {
    Kind.IMAGE: re.compile(b"|".join([_WEB_MARKS, _ZIP_MARKS, _PDF_MARK])),
    Kind.AUDIO: re.compile(b"|".join([_WEB_MARKS, _ZIP_MARKS, _PDF_MARK])),
    Kind.PDF: re.compile(b"|".join([_WEB_MARKS, _ZIP_MARKS])),
    Kind.TEXT: re.compile(b"|".join([_WEB_MARKS, _PDF_MARK])),
}
# Longer than the longest marker ("javascript:", a ZIP end record).
_OVERLAP = 16


class Scanner:
    """Look through the whole original, chunk by chunk, for a second format hidden in it."""

    def __init__(self, sniffed: Sniffed):
        self._pattern = _POLYGLOT[sniffed.kind]
        self._tail = b""
        self.found: Refused | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found is not None or not chunk:
            return
        lowered = chunk.lower()
        # The seam first: a marker may start in the last chunk and end in
        # this one. Markers wholly inside the tail were searched already.
        seam = self._tail + lowered[: _OVERLAP - 1]
        if self._pattern.search(seam) or self._pattern.search(lowered):
            self.found = Refused(
                "polyglot",
                _(
                    "This file has something else hidden inside it (another file or web "
                    "code), so Corridor will not keep it. Save it again from the app that "
                    "made it, or take a screenshot or PDF of it, and attach that."
                ),
            )
            return
        self._tail = (self._tail + lowered[-(_OVERLAP - 1) :])[-(_OVERLAP - 1) :]


class TextChecker:
    """Check that a text file is strict UTF-8 without control characters, chunk by chunk."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._invalid = False

    def feed(self, chunk: bytes) -> None:
        if self._invalid:
            return
        try:
            text = self._decoder.decode(chunk, final=False)
        except UnicodeDecodeError:
            self._invalid = True
            return
        if _CONTROLS.search(text):
            self._invalid = True

    def finish(self) -> None:
        if not self._invalid:
            try:
                # A multibyte character cut off at the very end fails here.
                text = self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._invalid = True
            else:
                self._invalid = bool(_CONTROLS.search(text))
        if self._invalid:
            raise _text_unreadable()


# ---------------------------------------------------------------- cleaning


def needs_cleaning(sniffed: Sniffed) -> bool:
    """Say whether the working copy differs from the original (text has no metadata)."""
    return sniffed.kind != Kind.TEXT


def clean(sniffed: Sniffed, data: bytes, *, max_pixels: int) -> Cleaned:
    """Rebuild the working copy of a file without its metadata, or refuse it."""
    if not data:
        raise _empty_refused()
    try:
        if sniffed.kind == Kind.IMAGE:
            return _clean_image(sniffed, data, max_pixels)
        if sniffed.kind == Kind.PDF:
            return _clean_pdf(data)
        if sniffed.kind == Kind.AUDIO:
            return _clean_audio(sniffed, data)
        checker = TextChecker()
        checker.feed(data)
        checker.finish()
        return Cleaned(data, TEXT.mime, TEXT.extension)
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow, pikepdf and mutagen parse hostile
        # input in C and Python and can raise nearly anything on it. Whatever
        # they raise, the answer is the same: refuse, never keep it uncleaned.
        # The log names the exception's type only: its message may quote the file.
        log.warning("a %s file was refused: cleaning raised %s", sniffed.kind, type(exc).__name__)
        raise _clean_failed() from None


def preview(data: bytes, *, max_side: int = 720) -> bytes:
    """Make a JPEG of a cleaned image whose longer side is at most max_side."""
    try:
        # A working copy is within the max_pixels it was cleaned under;
        # Pillow's own limit still holds for anything else.
        image = _open_image(data, ["JPEG", "PNG"], None)
        # Let the JPEG decoder scale down while decoding: a phone photo is
        # decoded at an eighth of its size instead of in full.
        image.draft(None, (max_side, max_side))
        _load(image)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return _encode(_flatten(image), "JPEG", quality=85)
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - as in clean(): a failure is a refusal
        raise _clean_failed() from None


# ---------------------------------------------------------------- images

_PILLOW_FORMATS = {"image/jpeg": ["JPEG"], "image/png": ["PNG"], "image/heic": ["HEIF"]}


def _clean_image(sniffed: Sniffed, data: bytes, max_pixels: int) -> Cleaned:
    image = _open_image(data, _PILLOW_FORMATS[sniffed.mime], max_pixels)
    _load(image)
    image = _upright(image)
    if sniffed.mime == "image/png":
        return Cleaned(_encode(_for_png(image), "PNG"), PNG.mime, PNG.extension)
    # HEIC becomes JPEG too: browsers cannot show HEIC.
    return Cleaned(
        _encode(_flatten(image), "JPEG", quality=JPEG_QUALITY), JPEG.mime, JPEG.extension
    )


def _open_image(data: bytes, formats: list[str], max_pixels: int | None) -> Image.Image:
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Set by someone else in this process, it would pad a truncated
        # photo with grey and keep it as if it were whole: every image is
        # refused instead, until it is unset.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False.")
    bomb = _bomb_refused(max_pixels or Image.MAX_IMAGE_PIXELS)
    try:
        # Pillow warns (and over twice its limit raises) when it reads the
        # size, before any pixel is decoded: make the warning an error too.
        # catch_warnings is process-wide: a thread opening an image at the
        # same moment may see the error too, and refuse a bomb itself.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # formats=: a file sniffed as PNG is parsed as PNG or not at all.
            image = Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise bomb from None
    # pillow_heif reports a file libheif cannot parse as a RuntimeError.
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, RuntimeError):
        raise Refused(
            "unreadable",
            _(
                "This image cannot be opened. Try again; if it still fails, attach a "
                "screenshot of it instead."
            ),
        ) from None
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        raise bomb
    return image


def _bomb_refused(max_pixels: int | None) -> Refused:
    return Refused(
        "bomb",
        _format_lazy(
            _(
                "This image is too large to open safely (%(pixels)s megapixels at most). "
                "Attach a smaller copy or a screenshot of it."
            ),
            {"pixels": max(1, (max_pixels or 0) // 1_000_000)},
        ),
    )


def _load(image: Image.Image) -> None:
    try:
        image.load()
    # libheif refuses undecodable or oversized data with a RuntimeError.
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError):
        raise Refused(
            "truncated",
            _(
                "This image is damaged or was not uploaded completely. Try again; if it "
                "still fails, attach a screenshot of it instead."
            ),
        ) from None


# EXIF orientation -> the turn that shows the photo as it was taken, as in
# ImageOps.exif_transpose. That function also rewrites the EXIF block it
# reads, which fails on damaged EXIF; the block is dropped here anyway.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION = 0x0112


def _upright(image: Image.Image) -> Image.Image:
    try:
        orientation = image.getexif().get(_ORIENTATION)
    except (SyntaxError, ValueError, OSError, KeyError, TypeError, struct.error):
        # Damaged EXIF: the orientation is unknown, and the photo is kept as
        # stored, perhaps sideways, rather than refused.
        return image
    turn = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image if turn is None else image.transpose(turn)


def _for_png(image: Image.Image) -> Image.Image:
    """Return the image in a mode PNG stores, its transparency kept."""
    if "transparency" in image.info or image.mode == "PA":
        # A palette or a transparent colour lives in .info, which is dropped.
        return image.convert("RGBA")
    if image.mode in ("RGB", "RGBA", "L", "LA", "I;16"):
        return image.copy()
    return image.convert("L" if image.mode == "1" else "RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """Return the image in a mode JPEG stores, transparency laid over white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("RGB", "L"):
        return image.copy()
    return image.convert("RGB")


def _encode(image: Image.Image, format: str, **params) -> bytes:
    # Pillow copies a comment, an ICC profile or the transparency from
    # .info into what it saves: only the pixels go out.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=format, **params)
    return out.getvalue()


# ---------------------------------------------------------------- PDF

# Actions that run code, open other files or programs, or send the form;
# as QPDF writes the names (it undoes #xx escapes when it parses them).
_PDF_ACTIVE_ACTIONS = {
    b"/JavaScript",
    b"/Launch",
    b"/SubmitForm",
    b"/ImportData",
    b"/GoToE",
    b"/Rendition",
    b"/RichMediaExecute",
}
# Keys removed from every dictionary: additional actions (run on open, on
# close, on focus...), metadata streams, applications' private data (an
# Illustrator file keeps a whole copy of itself there), embedded files.
_PDF_DROP_KEYS = {"/AA", "/Metadata", "/PieceInfo", "/EF"}


def _clean_pdf(data: bytes) -> Cleaned:
    try:
        cleaned = _rewrite_pdf(data)
    except pikepdf.PasswordError:
        raise Refused(
            "unreadable",
            _(
                "This PDF is protected with a password. Remove the password (open it and "
                "save or print a copy without one), then attach the copy."
            ),
        ) from None
    except pikepdf.PdfError:
        # No recovery, so a damaged or cut-off PDF is refused, not guessed
        # at; QPDF reads objects as they are used, so damage deep in the
        # file may show only while it is written.
        raise Refused(
            "truncated",
            _(
                "This PDF is damaged or was not uploaded completely. Try again, or print "
                "it to a new PDF and attach that."
            ),
        ) from None
    with pikepdf.open(io.BytesIO(cleaned), attempt_recovery=False) as check:
        names = check.Root.get("/Names")
        left = (
            "/Info" in check.trailer
            or "/OpenAction" in check.Root
            or (names is not None and ("/JavaScript" in names or "/EmbeddedFiles" in names))
            or _pdf_walk(check, remove=False)
        )
    if left:
        raise _clean_failed()
    return Cleaned(cleaned, PDF.mime, PDF.extension)


def _rewrite_pdf(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
        _drop(pdf.trailer, "/Info")
        # The file identifier links copies of one document; a new one is
        # derived from the cleaned content.
        _drop(pdf.trailer, "/ID")
        _drop(pdf.Root, "/OpenAction")
        if "/Names" in pdf.Root:
            _drop(pdf.Root.Names, "/JavaScript")
            _drop(pdf.Root.Names, "/EmbeddedFiles")
        if "/AcroForm" in pdf.Root:
            _drop(pdf.Root.AcroForm, "/XFA")  # XFA forms carry their own scripts
        _pdf_walk(pdf, remove=True)
        out = io.BytesIO()
        pdf.save(
            out,
            # Streams are written as they are: decoding them would spend
            # memory on a flate bomb and changes nothing we clean.
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            compress_streams=True,
            deterministic_id=True,
            fix_metadata_version=False,
            preserve_pdfa=False,
            encryption=False,
        )
    return out.getvalue()


def _drop(container, key: str) -> None:
    if key in container:
        del container[key]


def _pdf_walk(pdf: pikepdf.Pdf, *, remove: bool) -> bool:
    """Find (and with remove, delete) metadata and active content in every object."""
    found = False
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
            found |= _pdf_visit(obj, remove)
    return found


def _pdf_visit(obj, remove: bool) -> bool:
    # Indirect children are objects of their own in pdf.objects and are
    # visited there; only direct ones are descended into, so a reference
    # cycle cannot loop.
    found = False
    if isinstance(obj, pikepdf.Array):
        for index in reversed(range(len(obj))):
            item = obj[index]
            if _is_active_action(item):
                found = True
                if remove:
                    del obj[index]
            elif _is_direct_container(item):
                found |= _pdf_visit(item, remove)
        return found
    for key in list(obj.keys()):
        value = obj[key]
        if key in _PDF_DROP_KEYS or _is_active_action(value):
            found = True
            if remove:
                del obj[key]
        elif _is_direct_container(value):
            found |= _pdf_visit(value, remove)
    return found


def _is_active_action(value) -> bool:
    if not isinstance(value, pikepdf.Dictionary):
        return False
    # Compared as bytes: a hostile /S may be a string that is not UTF-8.
    action = value.get("/S")
    return "/JS" in value or (
        isinstance(action, pikepdf.Name) and action.unparse() in _PDF_ACTIVE_ACTIONS
    )


def _is_direct_container(value) -> bool:
    return isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect


# ---------------------------------------------------------------- audio


def _audio_unreadable() -> Refused:
    return Refused(
        "unreadable",
        _(
            "This audio file cannot be read. Try again, or record it again and send it "
            "as m4a, ogg or mp3."
        ),
    )


def _clean_audio(sniffed: Sniffed, data: bytes) -> Cleaned:
    if sniffed.mime == "audio/mp4" and _VIDEO_TRACK.search(data):
        raise _type_refused()  # a video, not a recording
    buf = io.BytesIO(data)
    audio = _parse_audio(sniffed, buf)
    if sniffed.mime == "audio/mpeg":
        _strip_mp3(buf)
    else:
        audio.delete(buf)
        buf.seek(0)
    if sniffed.mime == "audio/mp4":
        _scrub_mp4(buf)
    cleaned = buf.getvalue()
    # Parse what we keep again: it must still be audio, and have no tags.
    audio = _parse_audio(sniffed, io.BytesIO(cleaned))
    if audio.tags is not None and list(audio.tags.keys()):
        raise _clean_failed()
    if sniffed.mime == "audio/mpeg" and _mp3_tag_left(cleaned):
        raise _clean_failed()
    # mutagen cleans the first logical stream of an Ogg file only: a second
    # comment header would keep its tags.
    if sniffed.mime == "audio/ogg" and (
        cleaned.count(b"\x03vorbis") + cleaned.count(b"OpusTags") > 1
    ):
        raise _clean_failed()
    if sniffed.mime == "audio/mp4" and any(_mp4_leftovers(cleaned)):
        raise _clean_failed()
    return Cleaned(cleaned, sniffed.mime, sniffed.extension)


def _parse_audio(sniffed: Sniffed, buf: io.BytesIO):
    try:
        if sniffed.mime == "audio/mpeg":
            audio = mp3.MP3(buf)
        elif sniffed.mime == "audio/ogg":
            audio = mutagen.File(buf, options=[oggvorbis.OggVorbis, oggopus.OggOpus])
        else:
            audio = mp4.MP4(buf)
    except mutagen.MutagenError:
        raise _audio_unreadable() from None
    # mutagen.File answers None for an Ogg stream that is neither Vorbis nor
    # Opus (a Theora video, say). A file is falsy when it has no tags.
    if audio is None or not getattr(audio.info, "length", 0) > 0:
        raise _audio_unreadable()
    buf.seek(0)
    return audio


def _strip_mp3(buf: io.BytesIO) -> None:
    # An MP3 may carry several ID3v2 tags one after another, and ID3v1 and
    # APEv2 tags at the end in either order: each delete finds only the
    # outermost one of its kind.
    for _attempt in range(8):
        apev2.delete(buf)
        id3.delete(buf, delete_v1=True, delete_v2=True)
        buf.seek(0)
        if not _mp3_tag_left(buf.getvalue()):
            break


def _mp3_tag_left(data: bytes) -> bool:
    return (
        data.startswith(b"ID3")
        or data[-128:-125] == b"TAG"
        or data[-10:-7] == b"3DI"  # an ID3v2 tag appended at the end
        or b"APETAGEX" in data
    )


# Boxes of an MP4 that hold metadata: user data (titles, the ©xyz location
# a phone writes), metadata boxes (QuickTime keys, iTunes tags) and vendor
# boxes (XMP). Boxes whose creation and modification times say when the
# recording was made.
_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}
_MP4_METADATA = {b"udta", b"meta", b"uuid"}
_MP4_TIMES = {b"mvhd", b"tkhd", b"mdhd"}


def _scrub_mp4(buf: io.BytesIO) -> None:
    """Blank what mutagen does not delete, in place."""
    data = bytearray(buf.getvalue())
    for kind, start, header, end in _mp4_boxes(data, 0, len(data)):
        if kind in _MP4_METADATA:
            # Same size, renamed to free and zeroed: the audio's chunk offsets
            # point past this box and stay right.
            data[start + 4 : start + 8] = b"free"
            data[start + header : end] = bytes(end - start - header)
        elif (times := _mp4_times(data, start, header, end)) is not None:
            data[times] = bytes(times.stop - times.start)
    buf.seek(0)
    buf.truncate()
    buf.write(data)
    buf.seek(0)


def _mp4_leftovers(data: bytes) -> Iterator[bytes]:
    for kind, start, header, end in _mp4_boxes(data, 0, len(data)):
        if kind in _MP4_METADATA:
            yield kind
        elif (times := _mp4_times(data, start, header, end)) is not None and any(data[times]):
            yield kind


def _mp4_times(data, start: int, header: int, end: int) -> slice | None:
    """Where a movie, track or media header keeps its creation and modification times."""
    kind = bytes(data[start + 4 : start + 8])
    body = start + header
    if kind not in _MP4_TIMES or body >= end:
        return None
    # After the version byte and three bytes of flags: two 64-bit times
    # in version 1, two 32-bit ones in version 0.
    width = 8 if data[body] == 1 else 4
    if body + 4 + 2 * width > end:
        raise _audio_unreadable()
    return slice(body + 4, body + 4 + 2 * width)


def _mp4_boxes(data, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """Yield (type, start, header length, end) of every box, containers descended into."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise _audio_unreadable()
        yield kind, pos, header, pos + size
        if kind in _MP4_CONTAINERS:
            yield from _mp4_boxes(data, pos + header, pos + size)
        pos += size
