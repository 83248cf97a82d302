"""Adding, sharing and letting go of a case's files.

A file is added in three steps: the upload handler has already encrypted
the original into the spool (evidence/uploads.py); here the working copy is
made (evidence/content/) and encrypted, both go to the store, and then, in
one transaction, the row and the audit event with the original's SHA-256.
A failure at any step leaves no object and no row.
"""

import functools
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action, ObjectType
from audit.services import record
from core.forms import reject_control_characters
from evidence import keys, sealing, store
from evidence.content import Kind, clean, needs_cleaning
from evidence.content import preview as make_preview
from evidence.models import DESCRIPTION_MAX, Copy, EvidenceFile, FileShare, new_object_name
from evidence.uploads import SealedUpload
from intake.models import Case, Note
from referrals.models import Referral

log = logging.getLogger(__name__)


def _audit(action: str, file: EvidenceFile, by: User | None, request=None, **detail) -> None:
    record(
        action,
        actor=by,
        request=request,
        object_type=ObjectType.FILE,
        object_ref=file.reference,
        detail={"case": file.case.reference, **detail},
    )


def check_description(value: str) -> str:
    value = value.strip()
    if len(value) > DESCRIPTION_MAX:
        raise ValidationError(
            {
                "description": _("At most %(n)d characters: shorten it first.")
                % {"n": DESCRIPTION_MAX}
            }
        )
    try:
        reject_control_characters(value)
    except ValidationError as exc:
        raise ValidationError({"description": exc.messages}) from exc
    return value


@dataclass
class _Copies:
    """What file_add makes of an upload besides its original: spooled, not stored yet."""

    clean_mime: str
    clean_size: int
    clean_sha256: str
    clean_path: Path | None = None  # None: the original is the working copy (plain text)
    preview_path: Path | None = None  # a photo's only

    def discard(self) -> None:
        for path in (self.clean_path, self.preview_path):
            if path is not None:
                path.unlink(missing_ok=True)


def _working_copies(upload: SealedUpload, *, max_pixels: int) -> _Copies:
    """The working copy without metadata and, for a photo, its preview, sealed in the spool."""
    sniffed = upload.sniffed
    if not needs_cleaning(sniffed):
        return _Copies(sniffed.mime, upload.size, upload.sha256)
    plain = sealing.read_spooled(upload.handle, upload.path, reference=upload.reference)
    cleaned = clean(sniffed, plain, max_pixels=max_pixels)
    del plain
    copies = _Copies(cleaned.mime, len(cleaned.data), hashlib.sha256(cleaned.data).hexdigest())
    seal = functools.partial(sealing.seal_bytes, upload.handle, reference=upload.reference)
    copies.clean_path = seal(cleaned.data, copy=Copy.CLEAN)
    if sniffed.kind == Kind.IMAGE:
        copies.preview_path = seal(make_preview(cleaned.data), copy=Copy.PREVIEW)
    return copies


def file_add(
    *,
    case: Case,
    upload: SealedUpload,
    description: str,
    by: User,
    note: Note | None = None,
    max_pixels: int,
    request=None,
) -> EvidenceFile:
    """Keep an uploaded file on the case: its sealed original and a cleaned working copy.

    Raises Refused (what is wrong with the file) or ValidationError; either
    way nothing is kept.
    """
    if not by.works_cases:
        raise PermissionDenied
    if note is not None and note.case_id != case.pk:
        raise ValidationError({"note": _("That note is not on this case.")})
    description = check_description(description)
    sniffed = upload.sniffed
    stored: list[str] = []
    copies = None
    try:
        copies = _working_copies(upload, max_pixels=max_pixels)
        original_object = new_object_name()
        # Plain text has nothing to remove: its original is its working copy.
        clean_object = new_object_name() if copies.clean_path else original_object
        preview_object = new_object_name() if copies.preview_path else ""
        for name, path in (
            (original_object, upload.path),
            (clean_object, copies.clean_path),
            (preview_object, copies.preview_path),
        ):
            if path is not None:
                store.put(name, path)
                stored.append(name)
        wrapped, kid = keys.wrap(upload.handle, bound_to=upload.reference)
        with transaction.atomic():
            # Locked, as a purge locks it: a case purged while the file was stored is gone.
            if not Case.objects.select_for_update().filter(pk=case.pk).exists():
                raise ValidationError(_("This case was deleted meanwhile: the file was not kept."))
            file = EvidenceFile.objects.create(
                reference=upload.reference,
                case=case,
                note=note,
                kind=sniffed.kind,
                name=upload.name,
                description=description,
                original_mime=sniffed.mime,
                clean_mime=copies.clean_mime,
                original_object=original_object,
                clean_object=clean_object,
                preview_object=preview_object,
                original_size=upload.size,
                clean_size=copies.clean_size,
                sha256=upload.sha256,
                clean_sha256=copies.clean_sha256,
                wrapped_key=wrapped,
                key_id=kid,
                added_by=by,
            )
            # The chain now holds the hash: it later proves the original unchanged.
            _audit(Action.FILE_ADD, file, by, request, sha256=upload.sha256, size=upload.size)
        return file
    except BaseException:
        upload.discard()
        if copies is not None:
            copies.discard()
        for name in stored:
            try:
                store.delete(name)
            except Exception:  # noqa: BLE001  # the consistency command finds what is left
                log.exception(
                    "file %s: object %s not deleted after a failed add", upload.reference, name
                )
        raise


def downloaded(file: EvidenceFile, *, by: User, request=None, preview: bool = False) -> None:
    _audit(Action.FILE_DOWNLOAD, file, by, request, **({"preview": True} if preview else {}))


def original_taken(file: EvidenceFile, *, by: User, purpose: str, request=None) -> None:
    if not by.coordinates:
        raise PermissionDenied
    _audit(Action.FILE_ORIGINAL, file, by, request, purpose=purpose, sha256=file.sha256)


@transaction.atomic
def file_share(
    *,
    file: EvidenceFile,
    referral: Referral,
    consent_at,
    consent_channel: str,
    by: User,
    request=None,
) -> FileShare:
    """Share the working copy with an open referral's partner, with the person's consent."""
    if not by.works_cases:
        raise PermissionDenied
    if referral.case_id != file.case_id:
        raise ValidationError({"referral": _("That referral is not on this case.")})
    if not referral.is_open:
        raise ValidationError({"referral": _("Only an open referral's partner can see files.")})
    if consent_at > timezone.now():
        raise ValidationError({"consent_at": _("Consent cannot be given in the future.")})
    share, created = FileShare.objects.get_or_create(
        file=file,
        referral=referral,
        defaults={"consent_at": consent_at, "consent_channel": consent_channel, "shared_by": by},
    )
    if created:
        _audit(
            Action.FILE_SHARE,
            file,
            by,
            request,
            referral=referral.reference,
            channel=consent_channel,
        )
    return share


@transaction.atomic
def file_unshare(*, share: FileShare, by: User, request=None) -> None:
    """The person withdrew their consent, or it was a mistake: the partner sees the file no more."""
    if not by.works_cases:
        raise PermissionDenied
    file, referral = share.file, share.referral
    share.delete()
    _audit(Action.FILE_UNSHARE, file, by, request, referral=referral.reference)


# --- Letting go -----------------------------------------------------------------


def release_for_cases(case_ids: list[int]) -> list[int]:
    """In a purge's transaction: empty the files of these cases and mark them for deletion.

    The data keys go at once (a row without its key opens nothing, whatever
    the store still holds), and with them the name, type and description.
    Returns the rows' ids, for `sweep` once the purge has committed.
    """
    rows = EvidenceFile.objects.filter(case__in=case_ids)
    ids = list(rows.values_list("pk", flat=True))
    if ids:
        FileShare.objects.filter(file__in=ids).delete()
        EvidenceFile.objects.filter(pk__in=ids).update(
            case=None,
            note=None,
            wrapped_key=b"",
            key_id="",
            kind="",
            name="",
            description="",
            original_mime="",
            clean_mime="",
            sha256="",
            clean_sha256="",
            deleting_since=timezone.now(),
        )
    return ids


SWEEP_BATCH = 500
SWEEP_THREADS = 8


def _delete_objects(row: EvidenceFile) -> bool:
    try:
        for name in row.object_names():
            store.delete(name)
    except SoftTimeLimitExceeded:
        raise  # the job's time is up: the rows of what went before are deleted
    except Exception:  # noqa: BLE001  # any store error: keep the row, try later
        log.exception("file row %s: the store did not delete its objects; kept", row.pk)
        return False
    return True


def sweep(ids: list[int] | None = None) -> tuple[int, int]:
    """Delete the objects of the files marked for deletion, then their rows.

    A row stays while the store refuses (down, slow): the job tries again.
    Rows go a batch at a time, once their objects went, so a run stopped by
    its time limit keeps what it did. Returns (rows deleted, rows kept for later).
    """
    marked = EvidenceFile.objects.filter(deleting_since__isnull=False)
    if ids is not None:
        marked = marked.filter(pk__in=ids)
    deleted = kept = last = 0
    # Each deletion waits on the disk's journal or the network; a few at once
    # overlap the waits. Results come back in order, so a time limit in the
    # middle still deletes the rows of what went before it.
    with ThreadPoolExecutor(max_workers=SWEEP_THREADS) as pool:
        while batch := list(
            marked.filter(pk__gt=last)
            .order_by("pk")
            .only("original_object", "clean_object", "preview_object")[:SWEEP_BATCH]
        ):
            last = batch[-1].pk
            done = []
            try:
                for row, gone in zip(batch, pool.map(_delete_objects, batch), strict=True):
                    if gone:
                        done.append(row.pk)
                    else:
                        kept += 1
            finally:
                # By key only: the collector would load, and decrypt, every emptied row.
                deleted += (
                    EvidenceFile.objects.filter(pk__in=done)
                    .only("pk")
                    .delete()[1]
                    .get(EvidenceFile._meta.label, 0)
                )
    return deleted, kept
