"""The person's side: their codenames, their browser sessions, the limits on both.

Nothing here holds what the person wrote (that is the case's and
`conversations`'): a codename is kept only as an Argon2id hash and a keyed
lookup value, a session only as a keyed hash of its cookie.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField


class Codename(models.Model):
    """What signs a person in to their request: the real one, and maybe a duress one."""

    case = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, related_name="codenames", verbose_name=_("case")
    )
    duress = models.BooleanField(_("duress codename"), default=False)
    # HMAC-SHA256 of the normalised codename under CODENAME_KEY: finds the row
    # with one indexed lookup, and without the key tests no guess.
    lookup = models.CharField(_("lookup value"), max_length=64, unique=True, editable=False)
    # Argon2id, parameters included (portal/codenames.py).
    digest = models.CharField(_("hash"), max_length=200, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("codename")
        verbose_name_plural = _("codenames")
        constraints = [
            models.UniqueConstraint(fields=["case", "duress"], name="codename_one_of_each_kind")
        ]

    def __str__(self) -> str:
        return f"codename {self.pk}"


class PortalSession(models.Model):
    """A browser on the portal: before sign-in (a form held for one page), or signed in."""

    key_hash = models.CharField(
        _("keyed hash of the cookie"), max_length=64, unique=True, editable=False
    )
    case = models.ForeignKey(
        "intake.Case",
        on_delete=models.CASCADE,
        null=True,
        related_name="portal_sessions",
        verbose_name=_("case"),
    )
    duress = models.BooleanField(_("opened with the duress codename"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # What one next page shows and then forgets: a refused form with its
    # errors, or a codename to show once. Encrypted, as everything typed is.
    held = EncryptedTextField(_("kept for the next page"), blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last page at"), default=timezone.now)

    class Meta:
        verbose_name = _("portal session")
        verbose_name_plural = _("portal sessions")
        indexes = [models.Index(fields=["seen_at"])]

    def __str__(self) -> str:
        return f"portal session {self.pk}"


class Throttle(models.Model):
    """How many attempts one client (or everyone: client "*") made in one window."""

    scope = models.CharField(_("what is limited"), max_length=20)
    # A keyed hash of the address, or "*" for everyone.
    client = models.CharField(_("client (hashed)"), max_length=40)
    window_start = models.DateTimeField(_("window starts at"))
    count = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("portal limit window")
        verbose_name_plural = _("portal limit windows")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client", "window_start"], name="throttle_one_row_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.client}"
