from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField


class Draft(models.Model):
    """What someone was typing into a form, kept on the server until they send it.

    Never in the browser: a seized phone's storage must hold nothing. Only the
    author ever reads a draft; it goes with the case (purge, forget) and after
    DRAFT_MAX_AGE_HOURS.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="drafts",
        verbose_name=_("author"),
    )
    # Which form (a name from drafts.registry) and for what: an opaque
    # reference, never a name or a handle.
    form = models.CharField(_("form"), max_length=30)
    scope = models.CharField(_("for"), max_length=60, blank=True)
    # A purge or "forget" of the case deletes its drafts with it.
    case = models.ForeignKey(
        "intake.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
        verbose_name=_("case"),
    )
    # The typed values as JSON ({"name": ["value", ...]}), encrypted like the fields.
    data = EncryptedTextField(_("text"))
    updated_at = models.DateTimeField(_("saved at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["author", "form", "scope"], name="one_draft_per_form")
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.scope}".strip()
