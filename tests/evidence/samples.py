"""Files for the evidence tests, built in memory, each with a marker in every
place metadata can hide, so a test can show the marker was there before
cleaning and is gone after.

Audio cannot be made by mutagen: fixtures/ holds a third of a second of a
440 Hz tone in each format, made with

    ffmpeg -f lavfi -i sine=frequency=440:duration=0.3:sample_rate=22050 -ac 1 \\
      -map_metadata -1 -fflags +bitexact -flags:a +bitexact <codec options> tone.<ext>

(libmp3lame 32k with -write_xing 0 -id3v2_version 0; libvorbis -q:a 0; aac 32k;
libopus 16k at 48 kHz), and the tags are written here.
"""

import io
import re
import struct
import zlib
from pathlib import Path

import mutagen.apev2
import mutagen.id3
import pikepdf
import pillow_heif
from mutagen.mp4 import MP4
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = "MARKER-GPS-ARGUN"
MARKER_BYTES = MARKER.encode()

# EXIF tags
ORIENTATION, MAKE, MODEL, SOFTWARE, ARTIST = 0x0112, 0x010F, 0x0110, 0x0131, 0x013B
GPS_IFD, GPS_LATITUDE_REF, GPS_LATITUDE, GPS_AREA = 0x8825, 1, 2, 0x1C


def exif(*, orientation: int = 1) -> Image.Exif:
    tags = Image.Exif()
    tags[ORIENTATION] = orientation
    tags[MAKE] = f"{MARKER}-make"
    tags[MODEL] = f"{MARKER}-model"
    tags[SOFTWARE] = f"{MARKER}-software"
    tags[ARTIST] = f"{MARKER}-artist"
    gps = tags.get_ifd(GPS_IFD)
    gps[GPS_LATITUDE_REF] = "N"
    gps[GPS_LATITUDE] = (43.0, 17.0, 30.0)
    gps[GPS_AREA] = f"ASCII\x00\x00\x00{MARKER}-gps"
    return tags


def xmp() -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="'
        + MARKER_BYTES
        + b'-xmp"/></rdf:RDF></x:xmpmeta>'
    )


def icc_profile() -> bytes:
    # A real sRGB profile, its description overwritten with the marker.
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile + MARKER_BYTES + b"-icc"


def stored_sideways(width: int = 60, height: int = 40) -> Image.Image:
    """Return a landscape image, red in its top-left corner, as a phone held upright stores it."""
    image = Image.new("RGB", (width, height), "blue")
    image.paste("red", (0, 0, 12, 12))
    return image


def jpeg(*, orientation: int = 6, size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    stored_sideways(*size).save(
        out,
        format="JPEG",
        quality=90,
        exif=exif(orientation=orientation),
        icc_profile=icc_profile(),
        comment=f"{MARKER}-comment",
        xmp=xmp(),
    )
    return out.getvalue()


def png(*, mode: str = "RGBA") -> bytes:
    image = Image.new(mode, (48, 32), (10, 200, 30, 128) if mode == "RGBA" else "green")
    info = PngInfo()
    info.add_text("Author", f"{MARKER}-text")
    info.add_text("Comment", f"{MARKER}-ztxt", zip=True)
    info.add_itxt("Description", f"{MARKER}-itxt", lang="ru", tkey="Описание", zip=True)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, icc_profile=icc_profile(), exif=exif())
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """Return a PNG that claims a size but whose pixel data cannot be decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"not zlib at all")
        + chunk(b"IEND", b"")
    )


def heic(*, orientation: int = 1) -> bytes:
    out = io.BytesIO()
    stored_sideways().save(
        out, format="HEIF", quality=50, exif=exif(orientation=orientation).tobytes(), xmp=xmp()
    )
    return out.getvalue()


def pillow_heif_can_write() -> bool:
    return bool(pillow_heif.libheif_info()["HEIF"])


def pdf(*, encrypt_with: str | None = None) -> bytes:
    """Return a PDF with a marker in its info, XMP, page metadata, scripts and attachment."""
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(200, 100))
    page = doc.pages[0]
    with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = [f"{MARKER}-xmp"]
    doc.docinfo["/Author"] = f"{MARKER}-author"
    doc.docinfo["/Producer"] = f"{MARKER}-producer"
    page.obj.Metadata = doc.make_stream(xmp())
    page.obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"'{MARKER}-page'"))
    )
    doc.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{MARKER}-open')")
    )
    doc.Root.AA = pikepdf.Dictionary(
        WC=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"'{MARKER}-close'"))
    )
    script = doc.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"'{MARKER}-named'"))
    )
    doc.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), script]))
    )
    doc.attachments["note.txt"] = pikepdf.AttachedFileSpec(
        doc, f"{MARKER}-attachment".encode(), mime_type="text/plain"
    )
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array([10, 10, 50, 30]),
        A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"'{MARKER}-link'")),
    )
    page.obj.Annots = doc.make_indirect(pikepdf.Array([doc.make_indirect(link)]))
    page.obj.Contents = doc.make_stream(b"BT /F1 12 Tf 20 50 Td (visible words) Tj ET")
    out = io.BytesIO()
    encryption = (
        pikepdf.Encryption(user=encrypt_with, owner=encrypt_with) if encrypt_with else False
    )
    # Uncompressed, so a test can see each marker in the original's bytes.
    doc.save(out, compress_streams=False, encryption=encryption)
    return out.getvalue()


def pdf_with_image(
    data: bytes,
    *,
    size: tuple[int, int],
    filters: tuple[str, ...] = ("/DCTDecode",),
    colour: str = "/DeviceRGB",
    decode_parms: dict | None = None,
) -> bytes:
    """Return a one-page PDF showing an image stream embedded as it is (as img2pdf does)."""
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(200, 100))
    page = doc.pages[0]
    image = pikepdf.Stream(doc, data)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = size
    image.ColorSpace = pikepdf.Name(colour)
    image.BitsPerComponent = 8
    names = [pikepdf.Name(name) for name in filters]
    image.Filter = names[0] if len(names) == 1 else pikepdf.Array(names)
    if decode_parms is not None:
        image.DecodeParms = pikepdf.Dictionary(decode_parms)
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.Contents = doc.make_stream(b"q 200 0 0 100 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    doc.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def pdf_image(data: bytes) -> bytes:
    """Return the stored bytes of the image on the first page of a pdf_with_image()."""
    with pikepdf.open(io.BytesIO(data)) as doc:
        return doc.pages[0].Resources.XObject.Im0.read_raw_bytes()


def jpeg_segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", 2 + len(body)) + body


def jpeg2000(*extra_boxes: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 8), "red").save(out, format="JPEG2000", no_jp2=False)
    return out.getvalue() + b"".join(extra_boxes)


def pdf_with_annotations() -> bytes:
    """Return a PDF with a signed comment, links out of the file, a thumbnail and a form field."""
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(200, 100))
    page = doc.pages[0]
    rect = pikepdf.Array([10, 10, 30, 30])
    comment = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Text,
        Rect=rect,
        Contents=pikepdf.String("reviewed"),
        T=pikepdf.String(f"{MARKER}-author Ivan Petrov"),
        NM=pikepdf.String(f"{MARKER}-nm"),
        M=pikepdf.String("D:20260301120000+03'00'"),
        CreationDate=pikepdf.String("D:20260301115900+03'00'"),
    )

    def link(action: pikepdf.Dictionary) -> pikepdf.Dictionary:
        return pikepdf.Dictionary(Subtype=pikepdf.Name.Link, Rect=rect, A=action)

    remote = link(
        pikepdf.Dictionary(
            S=pikepdf.Name.GoToR,
            F=pikepdf.String(f"\\\\{MARKER}-remote.example\\share\\x.pdf"),
            D=pikepdf.Array([0, pikepdf.Name.Fit]),
        )
    )
    web = link(
        pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(f"https://{MARKER}-web.example/"))
    )
    inside = link(
        pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([page.obj, pikepdf.Name.Fit]))
    )
    chained = link(
        pikepdf.Dictionary(
            S=pikepdf.Name.GoTo,
            D=pikepdf.Array([page.obj, pikepdf.Name.Fit]),
            Next=pikepdf.Dictionary(
                S=pikepdf.Name.URI, URI=pikepdf.String(f"https://{MARKER}-next/")
            ),
        )
    )
    field = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Widget,
        Rect=rect,
        FT=pikepdf.Name.Tx,
        T=pikepdf.String("applicant"),
        V=pikepdf.String("A. B."),
        M=pikepdf.String("D:20260301120000+03'00'"),
    )
    annotations = [doc.make_indirect(a) for a in (comment, remote, web, inside, chained, field)]
    page.obj.Annots = pikepdf.Array(annotations)
    doc.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([annotations[-1]]))
    page.obj.Thumb = doc.make_stream(MARKER_BYTES + b"-thumb")
    page.obj.LastModified = pikepdf.String("D:20260301120000+03'00'")
    out = io.BytesIO()
    doc.save(out, compress_streams=False)
    return out.getvalue()


def pdf_of_objects(count: int, *, declared: int | None = None) -> bytes:
    """Return a PDF of count empty objects; declared, a lower /Size the file claims."""
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.Root.Junk = pikepdf.Array([doc.make_indirect(pikepdf.Dictionary()) for _ in range(count)])
    out = io.BytesIO()
    doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = out.getvalue()
    if declared is not None:
        # A classic cross-reference table: QPDF reads every entry in it,
        # whatever /Size says.
        size = re.search(rb"/Size \d+", data).group()
        data = data.replace(size, f"/Size {declared}".encode().ljust(len(size)))
    return data


def pdf_plain(data: bytes) -> bytes:
    """Return a PDF's bytes with every stream decoded, so nothing can hide compressed."""
    with pikepdf.open(io.BytesIO(data)) as doc:
        out = io.BytesIO()
        doc.save(
            out,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.all,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
        return out.getvalue()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def mp3(*, id3v2: bool = True, id3v1: bool = True, ape: bool = True) -> bytes:
    buf = io.BytesIO(fixture("tone.mp3"))
    tags = mutagen.id3.ID3()
    tags.add(mutagen.id3.TIT2(encoding=3, text=f"{MARKER}-title"))
    tags.add(mutagen.id3.TPE1(encoding=3, text=f"{MARKER}-artist"))
    tags.add(mutagen.id3.COMM(encoding=3, lang="rus", desc="", text=f"{MARKER}-comment"))
    tags.add(mutagen.id3.TXXX(encoding=3, desc="GPS", text="43.29 N 45.88 E"))
    # ID3v2 at the start and ID3v1 at the end...
    if id3v2:
        tags.save(buf, v1=0)
    if id3v1:
        buf.seek(0, io.SEEK_END)
        buf.write(mutagen.id3.MakeID3v1(tags))
    # ...and an APEv2 tag before the ID3v1 one.
    if ape:
        tag = mutagen.apev2.APEv2()
        tag["Title"] = f"{MARKER}-ape"
        buf.seek(0)
        tag.save(buf)
    return buf.getvalue()


def ogg_beside(first_packet: bytes, ogg_data: bytes | None = None) -> bytes:
    """Return an Ogg recording with a second logical stream, its comment marked, beside it."""
    pages = []
    for sequence, packet in enumerate([first_packet, first_packet[:1] + MARKER_BYTES + b"-beside"]):
        page = OggPage()
        page.serial, page.sequence, page.position = 0x5EC0, sequence, 0
        page.first = sequence == 0
        page.packets = [packet]
        pages.append(page.write())
    # Each stream's first page comes before any other page, as a muxer writes them.
    return pages[0] + (ogg() if ogg_data is None else ogg_data) + pages[1]


THEORA_HEADER = b"\x80theora\x03\x02\x01" + bytes(33)
SKELETON_HEADER = b"fishead\x00\x03\x00" + bytes(54)


def ogg(name: str = "tone.ogg") -> bytes:
    buf = io.BytesIO(fixture(name))
    audio = (OggOpus if name.endswith(".opus") else OggVorbis)(buf)
    audio["title"] = f"{MARKER}-title"
    audio["artist"] = f"{MARKER}-artist"
    audio["location"] = "43.29 N 45.88 E"
    buf.seek(0)
    audio.save(buf)
    return buf.getvalue()


CREATION_TIME = 0x7FEEDBAC


def m4a(*, in_moov: bytes = b"") -> bytes:
    buf = io.BytesIO(fixture("tone.m4a"))
    audio = MP4(buf)
    audio["\xa9nam"] = f"{MARKER}-title"
    audio["\xa9ART"] = f"{MARKER}-artist"
    audio["\xa9cmt"] = f"{MARKER}-comment"
    buf.seek(0)
    audio.save(buf)
    data = bytearray(buf.getvalue())
    # What phones write that mutagen's delete does not reach: the place in a
    # ©xyz box of the movie's user data, XMP in a uuid box, and the time of
    # recording in the movie header.
    xyz = box(b"udta", box(b"\xa9xyz", struct.pack(">HH", 16, 0) + b"+43.29+045.88/"))
    xyz += box(b"udta", box(b"\xa9nam", MARKER_BYTES + b"-udta")) + in_moov
    moov = _find_box(data, b"moov")
    assert moov + struct.unpack_from(">I", data, moov)[0] == len(data), "moov must be last"
    data += xyz
    struct.pack_into(">I", data, moov, struct.unpack_from(">I", data, moov)[0] + len(xyz))
    mvhd = data.index(b"mvhd") - 4
    assert data[mvhd + 8] == 0, "a version 0 movie header"
    struct.pack_into(">II", data, mvhd + 12, CREATION_TIME, CREATION_TIME)
    data += box(b"uuid", bytes(16) + xmp())
    return bytes(data)


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _find_box(data: bytes | bytearray, kind: bytes) -> int:
    pos = 0
    while pos + 8 <= len(data):
        size, found = struct.unpack_from(">I4s", data, pos)
        if found == kind:
            return pos
        pos += size
    raise LookupError(kind)


def mvhd_times(data: bytes) -> tuple[int, int]:
    mvhd = data.index(b"mvhd") - 4
    return struct.unpack_from(">II", data, mvhd + 12)


def jpeg_segments(data: bytes) -> list[int]:
    """Return the marker bytes of a JPEG's segments up to the start of scan."""
    assert data[:2] == b"\xff\xd8"
    pos, markers = 2, []
    while data[pos] == 0xFF:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        kinds.append(kind)
        pos += 12 + length
    return kinds


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<p>hidden</p>")
    return out.getvalue()
