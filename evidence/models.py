"""Files on a case: a sealed original and a cleaned working copy, each encrypted.

What a row holds in the clear is only what the store and the purge need: the
random names of the two objects, the wrapped data key and which file key
wrapped it, sizes, the SHA-256 of the original (also in the audit trail, at
upload) and who added it when. The name the file came with, its type and the
description are encrypted fields. A purge empties the row and marks it for
deletion (`deleting_since`) in the purge's own transaction; the row goes once
the store has deleted both objects (evidence/services.py `sweep`).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedCharField, EncryptedTextField
from evidence.content import Kind
from intake.models import random_symbols
from referrals.models import ConsentChannel

DESCRIPTION_MAX = 300
NAME_MAX = 200


def new_file_reference() -> str:
    return "F" + random_symbols(13)


def new_object_name() -> str:
    """A store object's name: random, no extension, nothing of the file in it."""
    return secrets.token_hex(20)


class Copy(models.TextChoices):
    ORIGINAL = "original", _("Original, as received")
    CLEAN = "clean", _("Working copy, metadata removed")
    # A photo's preview, made from the working copy when it was added: a page
    # of previews never decodes the photos themselves.
    PREVIEW = "preview", _("Preview of the working copy")


class Purpose(models.TextChoices):
    """Why a coordinator takes the sealed original out."""

    LITIGATION = "litigation", _("Strategic litigation")
    ASYLUM = "asylum", _("Asylum claim")
    PROSECUTION = "prosecution", _("Criminal complaint")
    EXPERT = "expert", _("Forensic examination")


class EvidenceFileQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleting_since__isnull=True)


class EvidenceFile(models.Model):
    reference = models.CharField(
        _("reference"), max_length=14, unique=True, default=new_file_reference, editable=False
    )
    # Emptied by a purge, with everything else that says what the file was.
    case = models.ForeignKey(
        "intake.Case",
        on_delete=models.PROTECT,  # a case goes only through a purge, which lets its files go
        null=True,
        related_name="files",
        verbose_name=_("case"),
    )
    note = models.ForeignKey(
        "intake.Note",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("note"),
    )
    kind = EncryptedCharField(_("type"), max_length=10, choices=Kind.choices, blank=True)
    name = EncryptedCharField(_("file name"), max_length=NAME_MAX, blank=True)
    description = EncryptedTextField(_("description"), max_length=DESCRIPTION_MAX, blank=True)
    # The types of the two copies (a HEIC photo's working copy is a JPEG).
    original_mime = EncryptedCharField(_("type of the original"), max_length=40, blank=True)
    clean_mime = EncryptedCharField(_("type of the working copy"), max_length=40, blank=True)
    original_object = models.CharField(
        _("stored object of the original"), max_length=40, unique=True
    )
    # The original itself when there is nothing to remove (plain text).
    clean_object = models.CharField(_("stored object of the working copy"), max_length=40)
    preview_object = models.CharField(_("stored object of the preview"), max_length=40, blank=True)
    original_size = models.PositiveBigIntegerField(_("size of the original (bytes)"), default=0)
    clean_size = models.PositiveBigIntegerField(_("size of the working copy (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64, blank=True)
    clean_sha256 = models.CharField(_("SHA-256 of the working copy"), max_length=64, blank=True)
    # The file's Tink keyset, AES-256-GCM under one of FILE_ENCRYPTION_KEYS.
    wrapped_key = models.BinaryField(_("wrapped data key"), blank=True)
    key_id = models.CharField(_("id of the file key that wrapped it"), max_length=16, db_index=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    deleting_since = models.DateTimeField(_("marked for deletion at"), null=True, blank=True)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        indexes = [models.Index(fields=["case", "added_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(deleting_since__isnull=False),
                name="evidence_file_has_case_until_deleted",
            )
        ]

    def __str__(self) -> str:
        return self.reference  # never the name: this string reaches admin and logs

    @property
    def has_own_clean_copy(self) -> bool:
        return self.clean_object != self.original_object

    def object_name(self, copy: str) -> str:
        if copy == Copy.PREVIEW:
            return self.preview_object
        return self.original_object if copy == Copy.ORIGINAL else self.clean_object

    def object_names(self) -> list[str]:
        """Every object the store keeps for this file, each once."""
        names = [self.original_object, self.clean_object, self.preview_object]
        return [name for i, name in enumerate(names) if name and name not in names[:i]]

    def sealed_as(self, copy: str) -> str:
        """Which copy the object of `copy` was encrypted as: a file with nothing to
        clean (plain text) has one object, sealed as its original."""
        return copy if self.has_own_clean_copy else Copy.ORIGINAL


class FileShare(models.Model):
    """A file's working copy, shared with one referral's partner with the person's consent."""

    file = models.ForeignKey(
        EvidenceFile, on_delete=models.CASCADE, related_name="shares", verbose_name=_("file")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        related_name="file_shares",
        verbose_name=_("referral"),
    )
    consent_at = models.DateTimeField(_("consent given at"))
    consent_channel = models.CharField(
        _("consent given"), max_length=20, choices=ConsentChannel.choices
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)

    class Meta:
        verbose_name = _("shared file")
        verbose_name_plural = _("shared files")
        constraints = [
            models.UniqueConstraint(fields=["file", "referral"], name="file_shared_once")
        ]

    def __str__(self) -> str:
        return f"file share {self.pk}"


def new_export_id() -> str:
    return "D" + random_symbols(13)


class Dossier(models.Model):
    """A dossier made for a lawyer (evidence/dossier.py): the record of it, not the dossier.

    Which case, who, when, with what consent, the names of the fields and, for
    each file, its reference, copy and SHA-256: never a value. A purge deletes
    the row with its case; the audit trail keeps the export id.
    """

    export_id = models.CharField(
        _("export id"), max_length=14, unique=True, default=new_export_id, editable=False
    )
    case = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, related_name="dossiers", verbose_name=_("case")
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    consent_at = models.DateTimeField(_("consent given at"))
    consent_channel = models.CharField(
        _("consent given"), max_length=20, choices=ConsentChannel.choices
    )
    fields = models.JSONField(_("case fields included"), default=list, blank=True)
    # [{"file": "F…", "copy": "original" | "clean", "sha256": "…"}], in the dossier's order.
    files = models.JSONField(_("files included"), default=list, blank=True)

    class Meta:
        ordering = ["made_at", "pk"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")

    def __str__(self) -> str:
        return self.export_id
