"""A dossier for a lawyer: chosen files and a chronology of the case, as one ZIP.

The ZIP holds one PDF (the chosen case fields, the list of files, the
chronology of the timeline), the chosen files beside it, each as its working
copy or its sealed original, and `manifest.txt` with every member's SHA-256.
It is made only with the person's consent, which the `Dossier` row records
with what went in; the trail records the same, without a value.

Every page of the PDF carries the export id (a footer and a faint diagonal
mark), and so do the manifest and the ZIP's comment: a copy found where it
should not be says which dossier it was, and the trail says who made it.

The PDF is small and made in memory, before anything is recorded; the ZIP is
streamed, each file decrypted a segment at a time as it is written, so a
50 MB original is never whole in memory.
"""

import hashlib
import logging
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from audit.models import Action, ObjectType
from audit.services import record
from evidence import keys, sealing, store
from evidence.content import extension
from evidence.models import Copy, Dossier, EvidenceFile, new_export_id
from intake.models import Case, CaseEvent
from intake.selectors import case_timeline, cases_visible_to
from referrals.models import ConsentChannel

# What of a case a lawyer may need. Not the contact handle, the contact
# channel or the safe-contact instructions: they reach the person, and a
# dossier travels further than the case page.
DOSSIER_FIELDS = [
    "alias",
    "region",
    "risk",
    "threats",
    "needs",
    "languages",
    "location",
    "narrative",
]
LIST_FIELDS = {"threats", "needs", "languages"}
# Events whose detail says something beyond their kind (as on the case page).
EVENTS_WITH_DETAIL = {
    CaseEvent.Kind.ASSIGNED,
    CaseEvent.Kind.VERIFICATION,
    CaseEvent.Kind.LEGAL_HOLD,
    CaseEvent.Kind.LINKED,
    CaseEvent.Kind.UNLINKED,
    CaseEvent.Kind.MERGED,
    CaseEvent.Kind.EXPOSED,
    CaseEvent.Kind.EXPOSURE_HANDLED,
    CaseEvent.Kind.TRANSFERRED,
}
log = logging.getLogger(__name__)

MANIFEST = "manifest.txt"
PRIVATE = 0o600 << 16  # unpacked members readable by their owner only


class DossierError(RuntimeError):
    """A file's bytes did not match the SHA-256 recorded for them: the ZIP is left unfinished."""


# --- The PDF: nothing fetched --------------------------------------------------


def render_pdf(html: str) -> bytes:
    """The PDF of the dossier's HTML, fetching nothing (evidence/pdf_render.py): imported
    only when a dossier is made, so no other process pays for WeasyPrint."""
    from evidence import pdf_render

    return pdf_render.render_pdf(html)


def css_string(text: str) -> SafeString:
    """`text` as a quoted CSS string, every character but letters, digits and spaces
    escaped: a translation can put neither a quote nor `</style>` into the stylesheet."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in text)
    # Safe: nothing but letters, digits and spaces is left unescaped above.
    return mark_safe(f'"{escaped}"')  # noqa: S308  # nosec B308 B703


# --- What goes into the PDF ------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One moment of the chronology, in words."""

    at: datetime
    what: str
    who: str = ""
    text: str = ""


def _when(value: datetime) -> str:
    return dateformat.format(timezone.localtime(value), "Y-m-d H:i")


def _username(user: User | None) -> str:
    return user.username if user is not None else ""


def chronology(case: Case) -> list[Line]:
    """The case's timeline (intake.selectors.case_timeline), oldest first, each entry in words.

    The text of notes and messages is theirs; everything else is a label.
    """
    lines = []
    for entry in case_timeline(case):
        item, who = entry.item, _username(entry.by)
        if entry.kind == "created":
            lines.append(Line(entry.at, _("Request recorded"), who))
        elif entry.kind == "note":
            lines.append(Line(entry.at, _("Note"), who, item.body))
        elif entry.kind == "message":
            # conversations.models.Message, through the relation: by its stored value.
            if item.direction == "person":
                what = _("Message from the person")
                if item.under_duress:
                    what += " " + _("(written under duress: they may have been forced)")
            else:
                what = _("Reply from the team")
            lines.append(Line(entry.at, what, _username(item.by), item.body))
        elif entry.kind == "status":
            what = _("Status: %(a)s → %(b)s") % {
                "a": item.get_from_status_display(),
                "b": item.get_to_status_display(),
            }
            if item.closure_reason:
                what += f" ({item.get_closure_reason_display()})"
            lines.append(Line(entry.at, what, who))
        elif entry.kind == "event":
            what = str(item.get_kind_display())
            if item.kind in EVENTS_WITH_DETAIL:
                what += ": " + (item.get_detail_display() or "—")
            lines.append(Line(entry.at, what, who))
        elif entry.kind == "referral":
            what = _("Referral %(r)s to %(p)s: %(a)s → %(b)s") % {
                "r": item.referral.reference,
                "p": item.referral.partner.name,
                "a": item.get_from_status_display(),
                "b": item.get_to_status_display(),
            }
            lines.append(Line(entry.at, what, who))
        elif entry.kind == "checkin_set":
            what = _("Check-in set: due %(t)s") % {"t": _when(item.due_at)}
            lines.append(Line(entry.at, what, who))
        elif entry.kind == "checkin_missed":
            what = _("Check-in missed (due %(t)s)") % {"t": _when(item.due_at)}
            lines.append(Line(entry.at, what, who))
        elif entry.kind == "checkin_heard":
            what = _("Heard from them (check-in due %(t)s)") % {"t": _when(item.due_at)}
            lines.append(Line(entry.at, what, who))
        else:  # a kind the timeline learned after this was written: named, not dropped
            lines.append(Line(entry.at, entry.kind, who))
    return lines


def field_label(name: str) -> str:
    return str(Case._meta.get_field(name).verbose_name)


def field_value(case: Case, name: str) -> str:
    if name in LIST_FIELDS:
        return ", ".join(str(label) for label in getattr(case, f"get_{name}_display")())
    if name == "region":
        return str(case.region_label)
    if name == "risk":
        return str(case.risk_label)
    return getattr(case, name)


def member_name(file: EvidenceFile, copy: str) -> str:
    """A file's name in the ZIP: its reference and copy, never the name it came with."""
    mime = file.original_mime if copy == Copy.ORIGINAL else file.clean_mime
    return f"files/{file.reference}-{copy}{extension(mime)}"


def recorded_sha256(file: EvidenceFile, copy: str) -> str:
    return file.sha256 if copy == Copy.ORIGINAL else file.clean_sha256


def pdf_name(export_id: str) -> str:
    return f"dossier-{export_id}.pdf"


def zip_name(export_id: str) -> str:
    return f"dossier-{export_id}.zip"


# --- Making one ------------------------------------------------------------------


def _check(*, case, by, files, fields, consent_at, consent_channel) -> None:
    if not by.coordinates or not cases_visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    seen = set()
    for file, copy in files:
        if file.case_id != case.pk or file.deleting_since is not None:
            errors.setdefault("file_copies", []).append(
                _("File %(ref)s is not on this case.") % {"ref": file.reference}
            )
        elif copy not in Copy.values:
            errors.setdefault("file_copies", []).append(_("Choose the copy or the original."))
        elif file.reference in seen:
            errors.setdefault("file_copies", []).append(
                _("File %(ref)s: choose one copy, the working copy or the original.")
                % {"ref": file.reference}
            )
        seen.add(file.reference)
    if any(name not in DOSSIER_FIELDS for name in fields) or len(set(fields)) != len(fields):
        errors.setdefault("case_fields", []).append(_("That field cannot go into a dossier."))
    if not files and not fields:
        errors.setdefault("__all__", []).append(
            _("Choose at least one file or one case field for the dossier.")
        )
    if consent_at is None:
        errors.setdefault("consent_at", []).append(_("When did the person consent?"))
    elif consent_at > timezone.now():
        errors.setdefault("consent_at", []).append(_("Consent cannot be given in the future."))
    if consent_channel not in ConsentChannel.values:
        errors.setdefault("consent_channel", []).append(_("How did the person consent?"))
    if errors:
        raise ValidationError(errors)


def build(
    *,
    case: Case,
    by: User,
    files: list[tuple[EvidenceFile, str]],
    fields: list[str],
    consent_at: datetime,
    consent_channel: str,
    request=None,
) -> tuple[Dossier, Iterator[bytes]]:
    """Record a dossier of this case made with the person's consent, and return the ZIP's bytes.

    Raises PermissionDenied (not a coordinator of the case's team) or
    ValidationError (a file not of this case, a field not offered, nothing
    chosen, consent in the future); either way nothing is recorded. Dates in
    the PDF are in the active time zone: call it inside the request.
    """
    _check(
        case=case,
        by=by,
        files=files,
        fields=fields,
        consent_at=consent_at,
        consent_channel=consent_channel,
    )
    # A file whose key this process cannot unwrap fails here, loudly, before
    # anything is recorded or sent (FileKeyError): not halfway through the ZIP.
    # A file whose object the store lost is refused here too, not left out of a ZIP.
    for file, copy in files:
        keys.unwrap(file.wrapped_key, kid=file.key_id, bound_to=file.reference)
        if not store.exists(file.object_name(copy)):
            log.error("file %s: its %s object is missing from the store", file.reference, copy)
            raise ValidationError(
                {
                    "file_copies": _(
                        "File %(ref)s cannot be read from the file store: nothing was made. "
                        "Leave it out, and tell the administrator."
                    )
                    % {"ref": file.reference}
                }
            )
    entries = [
        {"file": file.reference, "copy": copy, "sha256": recorded_sha256(file, copy)}
        for file, copy in files
    ]
    dossier = Dossier(
        export_id=new_export_id(),
        case=case,
        made_by=by,
        consent_at=consent_at,
        consent_channel=consent_channel,
        fields=list(fields),
        files=entries,
    )
    pdf = render_pdf(_pdf_html(dossier, case, files, fields))
    with transaction.atomic():
        dossier.save()
        # Names, references, copies and hashes: never a value, a file name or a description.
        record(
            Action.EXPORT,
            actor=by,
            request=request,
            object_type=ObjectType.CASE,
            object_ref=case.reference,
            detail={
                "format": "dossier",
                "export": dossier.export_id,
                "fields": list(fields),
                "files": entries,
                "channel": consent_channel,
            },
        )
    return dossier, zip_stream(dossier, pdf, files)


def _pdf_html(dossier: Dossier, case: Case, files, fields) -> str:
    export_id = dossier.export_id
    footer = _("Dossier %(id)s · confidential · page") % {"id": export_id}
    return render_to_string(
        "evidence/dossier_pdf.html",
        {
            "dossier": dossier,
            "case": case,
            "title": _("Dossier %(id)s") % {"id": export_id},
            "consent_channel": ConsentChannel(dossier.consent_channel).label,
            "footer_before": css_string(footer),
            "footer_of": css_string(pgettext("page N of M", "of")),
            "fields": [(field_label(name), field_value(case, name)) for name in fields],
            "files": [
                {
                    "name": member_name(file, copy),
                    "file": file,
                    "copy": Copy(copy).label,
                    "sha256": recorded_sha256(file, copy),
                }
                for file, copy in files
            ],
            "lines": chronology(case),
            "zone": timezone.get_current_timezone_name(),
        },
    )


# --- The ZIP, streamed ----------------------------------------------------------


class _Pipe:
    """A write-only file for zipfile, whose bytes the generator takes and yields.

    No tell() or seek(): zipfile then writes each member's sizes and CRC after
    its data (a data descriptor), so nothing needs to go back.
    """

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _info(name: str, date_time: tuple, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = compress_type
    info.external_attr = PRIVATE
    return info


def zip_stream(
    dossier: Dossier, pdf: bytes, files: list[tuple[EvidenceFile, str]]
) -> Iterator[bytes]:
    """The ZIP: the PDF, each file as it is decrypted, then the manifest of SHA-256s.

    What is in words or in local time is made now, in the request: the bytes
    are sent after the view has returned, when its language and time zone
    are no longer active.
    """
    date_time = timezone.localtime(dossier.made_at).timetuple()[:6]
    return _zip_chunks(dossier, pdf, files, date_time, manifest_header(dossier))


def _zip_chunks(dossier, pdf, files, date_time, header: list[str]) -> Iterator[bytes]:
    pipe = _Pipe()
    listed: list[tuple[str, str]] = []
    with zipfile.ZipFile(pipe, "w", allowZip64=True) as zf:
        zf.comment = dossier.export_id.encode()
        name = pdf_name(dossier.export_id)
        zf.writestr(_info(name, date_time, zipfile.ZIP_DEFLATED), pdf)
        listed.append((hashlib.sha256(pdf).hexdigest(), name))
        yield pipe.take()
        for file, copy in files:
            name = member_name(file, copy)
            digest = hashlib.sha256()
            # Media is compressed already: stored as it is.
            info = _info(name, date_time, zipfile.ZIP_STORED)
            with zf.open(info, "w", force_zip64=True) as member:
                with closing(sealing.chunks(file, copy)) as plain:
                    for chunk in plain:
                        digest.update(chunk)
                        member.write(chunk)
                        yield pipe.take()
            if digest.hexdigest() != recorded_sha256(file, copy):
                # The dossier says these bytes are what the trail recorded: stop
                # short of the manifest rather than vouch for other bytes.
                raise DossierError(
                    f"dossier {dossier.export_id}: file {file.reference} ({copy}) "
                    "does not match its recorded SHA-256"
                )
            listed.append((digest.hexdigest(), name))
            yield pipe.take()
        lines = header + [f"{digest}  {name}" for digest, name in listed]
        zf.writestr(_info(MANIFEST, date_time, zipfile.ZIP_DEFLATED), "\n".join(lines) + "\n")
    yield pipe.take()


def manifest_header(dossier: Dossier) -> list[str]:
    """The manifest's first lines, each a comment; the members follow as `sha256sum` writes
    them (`sha256sum -c manifest.txt` checks them)."""
    return [
        f"# {_('Dossier %(id)s') % {'id': dossier.export_id}}",
        f"# {_('Export id')}: {dossier.export_id}",
        f"# {_('Made at')}: {timezone.localtime(dossier.made_at):%Y-%m-%d %H:%M %Z}",
        "# SHA-256",
    ]
