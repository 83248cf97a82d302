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

from evidence.content.cleaning import clean, needs_cleaning, preview
from evidence.content.images import JPEG_QUALITY
from evidence.content.kinds import (
    HEIC,
    JPEG,
    M4A,
    MP3,
    OGG,
    PDF,
    PNG,
    TEXT,
    Cleaned,
    Kind,
    Refused,
    Sniffed,
    extension,
)
from evidence.content.scanning import Scanner, TextChecker
from evidence.content.sniffing import HEAD_BYTES, sniff

__all__ = [
    "extension",
    "Cleaned",
    "HEAD_BYTES",
    "HEIC",
    "JPEG",
    "JPEG_QUALITY",
    "Kind",
    "M4A",
    "MP3",
    "OGG",
    "PDF",
    "PNG",
    "Refused",
    "Scanner",
    "Sniffed",
    "TEXT",
    "TextChecker",
    "clean",
    "needs_cleaning",
    "preview",
    "sniff",
]
