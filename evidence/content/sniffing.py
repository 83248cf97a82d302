"""The type of a file from its first bytes: a magic number on the allow-list, or plain text."""

import codecs
import re

import filetype
from django.utils.translation import gettext_lazy as _

from evidence.content.kinds import (
    _ALLOWED,
    M4A,
    TEXT,
    Refused,
    Sniffed,
    _empty_refused,
    _text_unreadable,
    _type_refused,
)

HEAD_BYTES = 8192

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
                "This file is a web page or web code, which is not kept. "
                "Save the text as plain text (.txt), or the page as a PDF, and attach that."
            ),
        )
    return TEXT
