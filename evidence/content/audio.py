"""Recordings kept as their audio frames: tags, locations and recording times removed."""

import io
import re
import struct
from collections.abc import Iterator

import mutagen
from django.utils.translation import gettext_lazy as _
from mutagen import apev2, id3, mp3, mp4, oggopus, oggvorbis

from evidence.content.kinds import Cleaned, Refused, Sniffed, _clean_failed, _type_refused

# An MP4 track's handler box (ISO/IEC 14496-12 "hdlr"): size, type, version and
# flags, pre-defined, then the handler type; a picture track is "vide".
_VIDEO_TRACK = re.compile(rb"hdlr.{8}vide", re.DOTALL)


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
