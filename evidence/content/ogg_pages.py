"""An Ogg file read page by page: one Vorbis or Opus recording, and nothing else in it."""

from evidence.content.kinds import _audio_unreadable, _clean_failed, _type_refused

# RFC 3533: a page is "OggS", a version (0), the header type, the granule
# position (8 bytes), the stream's serial number (4), the page's sequence
# number (4), a checksum (4), the number of segments, then the segment table
# (one length byte per segment) and the segments themselves.
_CAPTURE = b"OggS"
_HEADER = 27
_BEGINNING_OF_STREAM = 0x02
# The first packet of a stream names its codec (the Vorbis I specification's
# identification header, RFC 7845's OpusHead).
_AUDIO_CODECS = (b"\x01vorbis", b"OpusHead")


def _check_ogg(data: bytes) -> None:
    """Refuse an Ogg file that is not exactly one Vorbis or Opus stream.

    An Ogg file interleaves logical streams: a video's Theora pictures, a
    Skeleton index, a second recording can sit next to the audio. mutagen
    finds the audio stream and cleans its tags only, so everything else would
    be kept as it came, its own comments with it. Only the page headers are
    read: one pass, however long the recording.
    """
    first_packets = []
    serials = set()
    pos = 0
    while pos < len(data):
        if data[pos : pos + 4] != _CAPTURE or pos + _HEADER > len(data) or data[pos + 4] != 0:
            # Not a page where one must start: cut off, or other data
            # between pages that a player hunting for "OggS" might still read.
            raise _audio_unreadable()
        serial = data[pos + 14 : pos + 18]
        body = pos + _HEADER + data[pos + 26]
        end = body + sum(data[pos + _HEADER : body])
        if end > len(data):
            raise _audio_unreadable()
        if data[pos + 5] & _BEGINNING_OF_STREAM:
            first_packets.append(data[body : body + 8])
        elif serial not in serials:
            raise _audio_unreadable()  # a page of a stream that never began
        serials.add(serial)
        pos = end
    if not all(packet.startswith(_AUDIO_CODECS) for packet in first_packets):
        raise _type_refused()  # a video, or something else next to the sound
    if len(first_packets) != 1:
        # Two recordings one after the other (a chained file), or side by
        # side: mutagen would clean the first one's tags only.
        raise _clean_failed()
