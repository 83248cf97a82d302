import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Action(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")
    LOCKOUT = "lockout", _("Locked out after failed sign-ins")
    REVOKE = "revoke", _("Revoked a user's access")
    TWO_FACTOR = "two_factor", _("Two-factor sign-in")
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    STATUS = "status", _("Changed status")
    REFERRAL_MOVE = "referral_move", _("Moved a referral")
    PURGE = "purge", _("Purged")
    KEY_ROTATION = "key_rotation", _("Rotated encryption keys")
    USER_CHANGE = "user_change", _("Changed a user")
    PARTNER_ACCESS = "partner_access", _("Partner opened a referral")
    EXPORT = "export", _("Exported")
    # A search names no case and holds no terms: only how many cases it found.
    SEARCH = "search", _("Searched the cases")
    # Files: the original's SHA-256 goes into the chain when the file is added.
    FILE_ADD = "file_add", _("Added a file")
    FILE_DOWNLOAD = "file_download", _("Downloaded a file's working copy")
    FILE_ORIGINAL = "file_original", _("Downloaded a file's sealed original")
    FILE_SHARE = "file_share", _("Shared a file with a partner")
    FILE_UNSHARE = "file_unshare", _("Stopped sharing a file with a partner")
    # Coercion (accounts/coercion.py): the account's own, never listed by it while shielded.
    DURESS = "duress", _("Signed in with the duress password")
    RESTORE = "restore", _("Restored an account after a duress sign-in")
    TRAVEL = "travel", _("Travel mode")


class ObjectType(models.TextChoices):
    """What an event is about: the kinds of object the trail names by reference."""

    CASE = "case", _("Case")
    REFERRAL = "referral", _("Referral")
    PARTNER = "partner", _("Partner")
    EVACUATION = "evacuation", _("Evacuation plan")
    ROUTE = "route", _("Route")
    STATISTICS = "statistics", _("Statistics")
    USER = "user", _("Staff account")
    FILE = "file", _("File")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One thing someone did, chained to the event before it.

    Holds opaque references, never names, handles or narrative, so a purge
    never has to rewrite it. `actor` is the staff account (no foreign-key
    constraint: the trail outlives accounts and is never updated).
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("staff account"),
    )
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(
        _("kind of object"), max_length=20, choices=ObjectType.choices, blank=True
    )
    object_ref = models.CharField(_("reference"), max_length=40, blank=True, db_index=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    ip_hash = models.CharField(_("IP address (hashed)"), max_length=16, blank=True)
    prev_hash = models.CharField(_("hash of the event before"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        # Labels, not codes: this string titles the event's page in the admin.
        parts = (self.get_action_display(), self.get_object_type_display(), self.object_ref)
        return " · ".join(str(part) for part in parts if part)

    def save(self, *args, **kwargs):
        # On PostgreSQL a trigger refuses this too; SQLite has only this guard.
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def compute_hash(self) -> str:
        body = {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_role": self.actor_role,
            "action": self.action,
            "object_type": self.object_type,
            "object_ref": self.object_ref,
            "detail": self.detail,
            "ip_hash": self.ip_hash,
            "prev": self.prev_hash,
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


class ChainHead(models.Model):
    """The newest hash, in one row that every writer locks first.

    Updating this row before reading it serialises writers on PostgreSQL
    (row lock) and on SQLite (the write lock), so the chain never forks.
    """

    last_hash = models.CharField(_("newest hash"), max_length=64, default="0" * 64)
    length = models.PositiveBigIntegerField(_("length"), default=0)

    class Meta:
        verbose_name = _("head of the audit chain")
        verbose_name_plural = _("heads of the audit chain")

    def __str__(self) -> str:
        return ngettext(
            "audit chain of %(n)s event", "audit chain of %(n)s events", self.length
        ) % {"n": self.length}
