"""The working copy of a file without its metadata, and a preview of a cleaned image."""

import logging

from PIL import Image

from evidence.content.audio import _clean_audio
from evidence.content.images import _clean_image, _encode, _flatten, _load, _open_image
from evidence.content.kinds import (
    TEXT,
    Cleaned,
    Kind,
    Refused,
    Sniffed,
    _clean_failed,
    _empty_refused,
)
from evidence.content.pdf import _clean_pdf
from evidence.content.scanning import TextChecker

# Named for the package, as when it was one module: the log's name stays the same.
log = logging.getLogger("evidence.content")


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
