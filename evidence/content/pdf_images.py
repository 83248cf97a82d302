"""The photos inside a PDF: a JPEG's metadata segments dropped, a JPEG 2000's refused.

A scanner app or img2pdf embeds a phone photo in a PDF as it is, EXIF and
all: the place, the phone, a thumbnail of the uncropped picture. Its JPEG
bytes are walked, not decoded: the picture itself stays bit for bit.
"""

import re
import struct

import pikepdf

from evidence.content.kinds import _clean_failed

_DCT = pikepdf.Name.DCTDecode
_JPX = pikepdf.Name.JPXDecode


def _image_metadata(stream: pikepdf.Stream, *, remove: bool) -> bool:
    """Find (and with remove, drop) metadata in a stream's JPEG; refuse what cannot be cleaned."""
    filters = stream.get("/Filter")
    filters = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    if _DCT not in filters and _JPX not in filters:
        return False
    if len(filters) != 1:
        # A JPEG inside another filter (Flate over DCT): its segments could
        # only be reached by decoding the outer filter, unbounded in memory.
        raise _clean_failed()
    data = stream.read_raw_bytes()
    if filters[0] == _JPX:
        if _jp2_has_metadata(data):
            raise _clean_failed()
        return False
    stripped = _jpeg_without_metadata(data)
    if stripped == data:
        return False
    if remove:
        stream.write(stripped, filter=_DCT, decode_parms=stream.get("/DecodeParms"))
    return True


# JPEG markers (ITU T.81 table B.1). Before a scan or between two: APP1
# (EXIF, XMP), APP2 (ICC, FlashPix, MPF), ... APP13 (Photoshop IPTC), APP15
# and COM hold metadata. APP0 (JFIF) and APP14 (Adobe's colour transform) only tell the
# decoder how to read the picture, and are kept when that is all they hold.
_SOI, _EOI, _SOS, _APP0, _APP14, _COM = 0xD8, 0xD9, 0xDA, 0xE0, 0xEE, 0xFE
_DROPPED = {*range(0xE1, 0xEE), 0xEF, _COM}
# Markers with no length after them: restarts belong inside a scan, a second
# start of image nowhere (below 0xC0 none is a marker at all).
_STANDALONE = {*range(0xD0, 0xD8), _SOI}
# After a scan header, the entropy-coded data runs until the next marker:
# 0xFF followed by neither a stuffed 0x00, a restart marker, nor fill (0xFF).
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_without_metadata(data: bytes) -> bytes:
    """Return the JPEG with its metadata segments dropped, and nothing after its end."""
    if data[:2] != b"\xff\xd8":
        raise _clean_failed()
    out = bytearray(data[:2])
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            raise _clean_failed()
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1  # fill bytes before a marker
        marker = data[pos] if pos < len(data) else None
        if marker == _EOI:
            # Whatever follows the end of the picture (a phone's motion-photo
            # video, MPF's second pictures, a vendor's trailer) is dropped.
            out += b"\xff\xd9"
            return bytes(out)
        if marker is None or marker < 0xC0 or marker in _STANDALONE or pos + 3 > len(data):
            raise _clean_failed()
        end = pos + 1 + struct.unpack_from(">H", data, pos + 1)[0]
        if end < pos + 3 or end > len(data):
            raise _clean_failed()
        if _kept(marker, data[pos + 3 : end]):
            out += b"\xff" + data[pos:end]
        pos = end
        if marker == _SOS:
            found = _NEXT_MARKER.search(data, pos)
            scan_end = found.start() if found else len(data)
            out += data[pos:scan_end]
            pos = scan_end
    # No end marker: some writers leave it out. What was kept has no
    # metadata segment either way.
    return bytes(out)


def _kept(marker: int, body: bytes) -> bool:
    if marker == _APP0:
        # JFIF with no thumbnail of its own (JFIF 1.02: 14 bytes, the last
        # two the thumbnail's width and height); JFXX thumbnails go.
        return len(body) == 14 and body.startswith(b"JFIF\x00") and body[12] == body[13] == 0
    if marker == _APP14:
        return body.startswith(b"Adobe") and len(body) <= 14  # 12 bytes defined
    return marker not in _DROPPED


# JPEG 2000 (ISO/IEC 15444-1 annex I): either a bare codestream or boxes.
# A PDF reader needs the signature, the file type, the header (size, colour,
# palette, channels, resolution) and the codestream. Anything else is not
# read by a PDF reader but can carry metadata: "xml " (XMP, GeoJP2's
# location), "uuid" (EXIF, GeoTIFF), "jp2i" (rights), labels and
# associations. Rewriting the box structure is more than a PDF that
# nobody's scanner writes is worth: such a file is refused, and a new PDF
# printed from it is kept. The codestream's own comment markers, which
# encoders fill with their name, are left.
_J2K_CODESTREAM = b"\xff\x4f\xff\x51"
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_JP2_BOXES = {b"jP  ", b"ftyp", b"rreq", b"jp2h", b"jp2c"}
_JP2_HEADER_BOXES = {b"ihdr", b"bpcc", b"colr", b"pclr", b"cmap", b"cdef", b"res "}


def _jp2_has_metadata(data: bytes) -> bool:
    if data.startswith(_J2K_CODESTREAM):
        return False
    if not data.startswith(_JP2_SIGNATURE):
        raise _clean_failed()
    for kind, body, end in _jp2_boxes(data, 0, len(data)):
        if kind not in _JP2_BOXES:
            return True
        if kind == b"jp2h" and any(
            inner not in _JP2_HEADER_BOXES for inner, *_ in _jp2_boxes(data, body, end)
        ):
            return True
    return False


def _jp2_boxes(data: bytes, start: int, end: int):
    """Yield (type, start of contents, end) of each box from start to end."""
    pos = start
    while pos < end:
        if pos + 8 > end:
            raise _clean_failed()
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise _clean_failed()
            size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos  # the last box runs to the end
        if size < header or pos + size > end:
            raise _clean_failed()
        yield kind, pos + header, pos + size
        pos += size
