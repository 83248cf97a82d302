"""PDFs rewritten without their metadata, scripts, actions or embedded files."""

import io

import pikepdf
from django.utils.translation import gettext_lazy as _

from evidence.content.kinds import PDF, Cleaned, Refused, _clean_failed

# Actions that run code, open other files or programs, or send the form;
# as QPDF writes the names (it undoes #xx escapes when it parses them).
_PDF_ACTIVE_ACTIONS = {
    b"/JavaScript",
    b"/Launch",
    b"/SubmitForm",
    b"/ImportData",
    b"/GoToE",
    b"/Rendition",
    b"/RichMediaExecute",
}
# Keys removed from every dictionary: additional actions (run on open, on
# close, on focus...), metadata streams, applications' private data (an
# Illustrator file keeps a whole copy of itself there), embedded files.
_PDF_DROP_KEYS = {"/AA", "/Metadata", "/PieceInfo", "/EF"}


def _clean_pdf(data: bytes) -> Cleaned:
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


def _rewrite_pdf(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
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
        _pdf_walk(pdf, remove=True)
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


def _pdf_walk(pdf: pikepdf.Pdf, *, remove: bool) -> bool:
    """Find (and with remove, delete) metadata and active content in every object."""
    found = False
    for obj in pdf.objects:
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
    for key in list(obj.keys()):
        value = obj[key]
        if key in _PDF_DROP_KEYS or _is_active_action(value):
            found = True
            if remove:
                del obj[key]
        elif _is_direct_container(value):
            found |= _pdf_visit(value, remove)
    return found


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
