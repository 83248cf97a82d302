"""Who is linked to whom, and the warnings a seized phone sends through those links."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LinkKind(models.TextChoices):
    SAME_PERSON = "same_person", _("The same person, returning")
    FAMILY = "family", _("Family")
    PARTNER = "partner", _("Partner")
    FRIENDS = "friends", _("Friends")
    GROUP = "group", _("The same group or chat")
    DUPLICATE = "duplicate", _("Duplicate, merged")


class CaseLink(models.Model):
    """Two cases that know each other. Stored once, lower primary key first."""

    first = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    second = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("linked case")
    )
    kind = models.CharField(_("kind of link"), max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="case_link_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="case_link_ordered"
            ),
        ]
        indexes = [models.Index(fields=["second"])]

    def __str__(self) -> str:
        return f"case link {self.pk}"


class Cause(models.TextChoices):
    LINKED = "linked", _("A linked person's phone was taken")
    CONTACTS = "contacts", _("Their handle was in a seized phone's contacts")
    # Another team's seized phone: the warning says nothing of where it came from.
    ELSEWHERE = "elsewhere", _("Check this case: a contact may be exposed")


class Handled(models.TextChoices):
    CHECKED_IN = "checked_in", _("Checked in; they are safe")
    NEW_CHANNEL = "new_channel", _("Moved to a new channel")
    UNREACHABLE = "unreachable", _("Could not reach them")
    NOT_NEEDED = "not_needed", _("Not needed")


class ExposureQuerySet(models.QuerySet):
    def open(self):
        return self.filter(handled_at__isnull=True)


class Exposure(models.Model):
    """A warning on a case: someone whose phone was taken may lead the police to them.

    `source` is the case whose device was seized; None for a warning from
    another team, which must not learn, nor tell, where it came from.
    """

    case = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, related_name="exposures", verbose_name=_("case")
    )
    source = models.ForeignKey(
        "intake.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seized phone's case"),
    )
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_how = models.CharField(
        _("what was done"), max_length=20, choices=Handled.choices, blank=True
    )

    objects = ExposureQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("exposure warning")
        verbose_name_plural = _("exposure warnings")
        constraints = [
            # One open warning per case and source: marking twice warns once.
            models.UniqueConstraint(
                fields=["case", "source", "cause"],
                condition=models.Q(handled_at__isnull=True),
                name="exposure_open_once",
            ),
            # The same for another team's warning, whose source is never
            # kept (NULL, and NULLs never collide in a unique constraint):
            # one open "check this case" per case, however many phones.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(handled_at__isnull=True, cause=Cause.ELSEWHERE),
                name="exposure_elsewhere_open_once",
            ),
        ]
        indexes = [models.Index(fields=["handled_at", "case"])]

    def __str__(self) -> str:
        return f"exposure {self.pk}"
