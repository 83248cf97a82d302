"""Look through the whole original as it arrives: for a second format, for text that is not."""

import codecs
import re

from django.utils.translation import gettext_lazy as _

from evidence.content.kinds import Kind, Refused, Sniffed, _text_unreadable
from evidence.content.sniffing import _CONTROLS

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
_WEB_TAGS = rb"<(?:(?:script|html|svg|iframe)[\t\n\f\r />]|\?php)"
_JS_MARK = rb"javascript:"
# One pattern per first literal ("<", "javascript:", "pk", "%pdf-"): sre finds a
# literal prefix at memchr speed, but steps through an alternation whose
# branches start differently one position at a time.
_POLYGLOT = {
    Kind.IMAGE: [re.compile(m) for m in (_WEB_TAGS, _JS_MARK, _ZIP_MARKS, _PDF_MARK)],
    Kind.AUDIO: [re.compile(m) for m in (_WEB_TAGS, _JS_MARK, _ZIP_MARKS, _PDF_MARK)],
    Kind.PDF: [re.compile(m) for m in (_WEB_TAGS, _JS_MARK, _ZIP_MARKS)],
    Kind.TEXT: [re.compile(m) for m in (_WEB_TAGS, _JS_MARK, _PDF_MARK)],
}
_C0_BYTES = bytes(range(0x09)) + b"\x0b" + bytes(range(0x0E, 0x20)) + b"\x7f"
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
# Longer than the longest marker ("javascript:", a ZIP end record).
_OVERLAP = 16


class Scanner:
    """Look through the whole original, chunk by chunk, for a second format hidden in it."""

    def __init__(self, sniffed: Sniffed):
        self._patterns = _POLYGLOT[sniffed.kind]
        self._tail = b""
        self.found: Refused | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found is not None or not chunk:
            return
        lowered = chunk.lower()
        # The seam first: a marker may start in the last chunk and end in
        # this one. Markers wholly inside the tail were searched already.
        seam = self._tail + lowered[: _OVERLAP - 1]
        if any(p.search(seam) or p.search(lowered) for p in self._patterns):
            self.found = Refused(
                "polyglot",
                _(
                    "This file has something else hidden inside it (another file or web "
                    "code), so it is not kept. Save it again from the app that "
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
        self._last = b""

    def feed(self, chunk: bytes) -> None:
        if self._invalid:
            return
        try:
            self._decoder.decode(chunk, final=False)  # strict UTF-8; the bytes say the rest
        except UnicodeDecodeError:
            self._invalid = True
            return
        # In valid UTF-8 a C0 control or DEL is that one byte and a C1 control
        # is \xc2 with one of \x80-\x9f: searched as bytes, not character by character.
        seam = self._last + chunk[:1]
        if (
            len(chunk.translate(None, _C0_BYTES)) != len(chunk)
            or _C1_UTF8.search(chunk)
            or _C1_UTF8.search(seam)
        ):
            self._invalid = True
        self._last = chunk[-1:]

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
