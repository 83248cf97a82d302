"""What a file is taken for, and the refusals: the allow-list everything else sniffs against."""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


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


def extension(mime: str) -> str:
    """The extension a download of this type is named with (".bin" for anything else)."""
    for kept in (JPEG, PNG, HEIC, PDF, M4A, OGG, MP3, TEXT):
        if kept.mime == mime:
            return kept.extension
    return ".bin"


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
            "This type of file is not kept. Accepted: photos (JPEG, PNG, HEIC), "
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
            "The hidden details (such as the place and the device) could not be "
            "removed from this file, so it was not kept. Try again, or attach a "
            "screenshot or a PDF copy of it instead."
        ),
    )


def _audio_unreadable() -> Refused:
    return Refused(
        "unreadable",
        _(
            "This audio file cannot be read. Try again, or record it again and send it "
            "as m4a, ogg or mp3."
        ),
    )
