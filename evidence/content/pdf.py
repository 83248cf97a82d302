"""PDFs rewritten without their metadata, scripts, actions or embedded files."""

import io
import re

import pikepdf
from django.utils.translation import gettext_lazy as _

from evidence.content.kinds import PDF, Cleaned, Refused, _clean_failed
from evidence.content.pdf_images import _image_metadata

# Actions that run code, open other files, programs or web addresses (and so
# tell a server who opened the file, and when), play media or send the form;
# as QPDF writes the names (it undoes #xx escapes when it parses them).
# Kept: jumps within the document, named pages, showing or hiding its own
# annotations and layers (/SetOCGState runs no script of its own; a /JS next
# to it is removed like any other).
_PDF_ACTIVE_ACTIONS = {
    b"/JavaScript",
    b"/Launch",
    b"/SubmitForm",
    b"/ImportData",
    b"/GoToE",
    b"/GoToR",
    b"/URI",
    b"/Thread",
    b"/Sound",
    b"/Movie",
    b"/Rendition",
    b"/RichMediaExecute",
    b"/GoTo3DView",
}
# Keys removed from every dictionary: additional actions (run on open, on
# close, on focus...), metadata streams, applications' private data (an
# Illustrator file keeps a whole copy of itself there), embedded files,
# the pictures of pages shown before the page itself (a page's old content)
# and the times an application last changed an object.
_PDF_DROP_KEYS = {"/AA", "/Metadata", "/PieceInfo", "/EF", "/Thumb", "/LastModified"}
# A comment's author, its name (often a unique id linking copies) and its
# times. A form field's widget keeps /T: there it is the field's name.
_ANNOTATION_DROP_KEYS = {"/T", "/M", "/NM", "/CreationDate"}

# A PDF of a million empty objects is small (15 MB) and takes QPDF a
# minute and gigabytes to open and walk. A thousand-page scan has some
# tens of thousands.
_MAX_OBJECTS = 200_000
# The object count a file declares (/Size) in its last cross-reference
# section, which ends the file: the trailer just before "startxref", or the
# dictionary of the cross-reference stream it points to.
_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_DECLARED_SIZE = re.compile(rb"/Size\s+(\d+)")


def _clean_pdf(data: bytes) -> Cleaned:
    _refuse_many_objects(_declared_objects(data))
    try:
        cleaned = _rewrite_pdf(data)
    except pikepdf.PasswordError:
        raise Refused(
            "unreadable",
            _(
                "This PDF is protected with a password. Remove the password (open it and "
                "save or print a copy without one), then attach the copy."
            ),
        ) from None
    except pikepdf.PdfError:
        # No recovery, so a damaged or cut-off PDF is refused, not guessed
        # at; QPDF reads objects as they are used, so damage deep in the
        # file may show only while it is written.
        raise Refused(
            "truncated",
            _(
                "This PDF is damaged or was not uploaded completely. Try again, or print "
                "it to a new PDF and attach that."
            ),
        ) from None
    with pikepdf.open(io.BytesIO(cleaned), attempt_recovery=False) as check:
        names = check.Root.get("/Names")
        left = (
            "/Info" in check.trailer
            or "/OpenAction" in check.Root
            or (names is not None and ("/JavaScript" in names or "/EmbeddedFiles" in names))
            or _pdf_walk(check, remove=False)
        )
    if left:
        raise _clean_failed()
    return Cleaned(cleaned, PDF.mime, PDF.extension)


def _declared_objects(data: bytes) -> int:
    """The object count the file declares, read before QPDF parses its cross-references."""
    tail = data[-4096:]
    found = list(_STARTXREF.finditer(tail))
    windows = [tail]
    if found:
        offset = int(found[-1].group(1))
        windows.append(data[offset : offset + 4096])
    # A file may lie, or escape the name: the count after opening still holds.
    return max((int(m.group(1)) for w in windows for m in _DECLARED_SIZE.finditer(w)), default=0)


def _refuse_many_objects(count: int) -> None:
    if count > _MAX_OBJECTS:
        raise Refused(
            "bomb",
            _(
                "This PDF is made of too many parts to open safely. Print it to a new "
                "PDF, or save it again with fewer pages, and attach that."
            ),
        )


def _rewrite_pdf(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
        objects = pdf.objects
        _refuse_many_objects(len(objects))
        _drop(pdf.trailer, "/Info")
        # The file identifier links copies of one document; a new one is
        # derived from the cleaned content.
        _drop(pdf.trailer, "/ID")
        _drop(pdf.Root, "/OpenAction")
        if "/Names" in pdf.Root:
            _drop(pdf.Root.Names, "/JavaScript")
            _drop(pdf.Root.Names, "/EmbeddedFiles")
        if "/AcroForm" in pdf.Root:
            _drop(pdf.Root.AcroForm, "/XFA")  # XFA forms carry their own scripts
        _pdf_walk(pdf, remove=True, objects=objects)
        out = io.BytesIO()
        pdf.save(
            out,
            # Streams are written as they are: decoding them would spend
            # memory on a flate bomb and changes nothing we clean.
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            compress_streams=True,
            deterministic_id=True,
            fix_metadata_version=False,
            preserve_pdfa=False,
            encryption=False,
        )
    return out.getvalue()


def _drop(container, key: str) -> None:
    if key in container:
        del container[key]


def _pdf_walk(pdf: pikepdf.Pdf, *, remove: bool, objects=None) -> bool:
    """Find (and with remove, delete) metadata and active content in every object."""
    found = False
    for obj in pdf.objects if objects is None else objects:
        if isinstance(obj, pikepdf.Stream):
            found |= _image_metadata(obj, remove=remove)
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
            found |= _pdf_visit(obj, remove)
    return found


def _pdf_visit(obj, remove: bool) -> bool:
    # Indirect children are objects of their own in pdf.objects and are
    # visited there; only direct ones are descended into, so a reference
    # cycle cannot loop.
    found = False
    if isinstance(obj, pikepdf.Array):
        for index in reversed(range(len(obj))):
            item = obj[index]
            if _is_active_action(item):
                found = True
                if remove:
                    del obj[index]
            elif _is_direct_container(item):
                found |= _pdf_visit(item, remove)
        return found
    dropped = _PDF_DROP_KEYS | _annotation_keys(obj)
    for key in list(obj.keys()):
        value = obj[key]
        if key in dropped or _is_active_action(value):
            found = True
            if remove:
                del obj[key]
        elif _is_direct_container(value):
            found |= _pdf_visit(value, remove)
    return found


def _annotation_keys(obj) -> set[str]:
    # /Type is optional in an annotation; /Subtype and /Rect are not.
    subtype = obj.get("/Subtype")
    if obj.get("/Type") != pikepdf.Name.Annot and not ("/Rect" in obj and subtype is not None):
        return set()
    if subtype == pikepdf.Name.Widget:
        return _ANNOTATION_DROP_KEYS - {"/T"}
    return _ANNOTATION_DROP_KEYS


def _is_active_action(value) -> bool:
    if not isinstance(value, pikepdf.Dictionary):
        return False
    # Compared as bytes: a hostile /S may be a string that is not UTF-8.
    action = value.get("/S")
    return "/JS" in value or (
        isinstance(action, pikepdf.Name) and action.unparse() in _PDF_ACTIVE_ACTIONS
    )


def _is_direct_container(value) -> bool:
    return isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect
