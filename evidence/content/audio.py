"""Recordings kept as their audio frames: tags, locations and recording times removed."""

import io
import re

import mutagen
from mutagen import apev2, id3, mp3, mp4, oggopus, oggvorbis

from evidence.content.kinds import (
    Cleaned,
    Sniffed,
    _audio_unreadable,
    _clean_failed,
    _type_refused,
)
from evidence.content.mp4_boxes import _VIDEO_TRACK, _mp4_leftovers, _scrub_mp4
from evidence.content.ogg_pages import _check_ogg


def _clean_audio(sniffed: Sniffed, data: bytes) -> Cleaned:
    if sniffed.mime == "audio/mp4" and _VIDEO_TRACK.search(data):
        raise _type_refused()  # a video, not a recording
    if sniffed.mime == "audio/ogg":
        _check_ogg(data)
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
    if sniffed.mime == "audio/ogg":
        _check_ogg(cleaned)
        # mutagen cleans the first logical stream of an Ogg file only: a
        # second comment header would keep its tags.
        if cleaned.count(b"\x03vorbis") + cleaned.count(b"OpusTags") > 1:
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
    # Opus. A file is falsy when it has no tags.
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
        if not _mp3_tag_at_an_end(buf.getvalue()):
            break


def _mp3_tag_at_an_end(data: bytes) -> bool:
    return (
        data.startswith(b"ID3")
        or data[-128:-125] == b"TAG"
        or data[-10:-7] == b"3DI"  # an ID3v2 tag appended at the end
        or data[-32:-24] == b"APETAGEX"
    )


# Tags mutagen does not look for: in the middle of the file, where two
# recordings joined one after the other (a messenger's "forward both", cat
# a.mp3 b.mp3) keep the first one's ID3v1 tag and the second one's ID3v2.
# Matched only as a tagger writes them, so that the same bytes turning up by
# chance in compressed audio refuse about one 50 MB recording in two million
# (ID3v2) and practically none (ID3v1).
# ID3v2 (id3.org, ID3v2.4 section 3.1): "ID3", a major version of 2 to 4,
# revision 0 (the only one published), flags, and the size in four bytes of
# seven bits each; the tag must fit in the file.
_ID3V2_HEADER = re.compile(rb"ID3[\x02-\x04]\x00[\x00-\xff][\x00-\x7f]{4}")
_ID3V2_UNDEFINED_FLAGS = {2: 0x3F, 3: 0x1F, 4: 0x0F}
# ID3v1: "TAG", then title, artist and album in 30 bytes each of text
# padded with NUL or spaces, then the year in four digits (or blank).
_ID3V1 = re.compile(rb"TAG[^\x01-\x1f]{90}[0-9 \x00]{4}")


def _mp3_tag_left(data: bytes) -> bool:
    if _mp3_tag_at_an_end(data) or b"APETAGEX" in data or _ID3V1.search(data):
        return True
    for header in _ID3V2_HEADER.finditer(data):
        version, flags = data[header.start() + 3], data[header.start() + 5]
        size = 0
        for byte in data[header.start() + 6 : header.end()]:
            size = size << 7 | byte
        if not flags & _ID3V2_UNDEFINED_FLAGS[version] and header.end() + size <= len(data):
            return True
    return False
