"""The boxes of an m4a recording that can say where and when it was made, blanked in place."""

import io
import re
import struct
from collections.abc import Iterator

from evidence.content.kinds import _audio_unreadable, _clean_failed

# An MP4 track's handler box (ISO/IEC 14496-12 "hdlr"): size, type, version and
# flags, pre-defined, then the handler type; a picture track is "vide".
_VIDEO_TRACK = re.compile(rb"hdlr.{8}vide", re.DOTALL)

# Boxes of an MP4 that hold metadata: user data (titles, the ©xyz location
# a phone writes), metadata boxes (QuickTime keys, iTunes tags) and vendor
# boxes (XMP). Boxes whose creation and modification times say when the
# recording was made.
_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}
_MP4_METADATA = {b"udta", b"meta", b"uuid"}
_MP4_TIMES = {b"mvhd", b"tkhd", b"mdhd"}
# Space a player skips: an editor that deletes tags often leaves them there
# and only renames or shrinks the box around them.
_MP4_PADDING = {b"free", b"skip", b"wide"}
# What a recording is made of at the top level, besides padding and metadata
# (blanked): anything else (a vendor's "Xtra", fragments of a stream) is
# data nobody here has read, so the file is refused rather than kept with it.
_MP4_TOP_LEVEL = {b"ftyp", b"moov", b"mdat"} | _MP4_PADDING | _MP4_METADATA


def _scrub_mp4(buf: io.BytesIO) -> None:
    """Blank what mutagen does not delete, in place."""
    data = bytearray(buf.getvalue())
    for kind, *_box in _mp4_boxes(data, 0, len(data), descend=False):
        if kind not in _MP4_TOP_LEVEL:
            raise _clean_failed()
    for kind, start, header, end in _mp4_boxes(data, 0, len(data)):
        # Same size, zeroed (metadata renamed to free): the audio's chunk
        # offsets point past these boxes and stay right.
        if kind in _MP4_METADATA:
            data[start + 4 : start + 8] = b"free"
            data[start + header : end] = bytes(end - start - header)
        elif kind in _MP4_PADDING:
            data[start + header : end] = bytes(end - start - header)
        elif (times := _mp4_times(data, start, header, end)) is not None:
            data[times] = bytes(times.stop - times.start)
    buf.seek(0)
    buf.truncate()
    buf.write(data)
    buf.seek(0)


def _mp4_leftovers(data: bytes) -> Iterator[bytes]:
    for kind, *_box in _mp4_boxes(data, 0, len(data), descend=False):
        if kind not in _MP4_TOP_LEVEL:
            yield kind
    for kind, start, header, end in _mp4_boxes(data, 0, len(data)):
        if kind in _MP4_METADATA:
            yield kind
        elif kind in _MP4_PADDING and any(data[start + header : end]):
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


def _mp4_boxes(
    data, start: int, end: int, *, descend: bool = True
) -> Iterator[tuple[bytes, int, int, int]]:
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
        if descend and kind in _MP4_CONTAINERS:
            yield from _mp4_boxes(data, pos + header, pos + size)
        pos += size
