from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def default_closed_after_days() -> int:
    return settings.CORRIDOR_RETENTION["CLOSED_AFTER_DAYS"]


def default_stale_after_days() -> int:
    return settings.CORRIDOR_RETENTION["STALE_AFTER_DAYS"]


class RetentionPolicy(models.Model):
    """How long cases are kept; one row, edited by an admin."""

    closed_after_days = models.PositiveIntegerField(
        _("purge closed cases after (days)"),
        default=default_closed_after_days,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    stale_after_days = models.PositiveIntegerField(
        _("purge requests never verified after (days without activity)"),
        default=default_stale_after_days,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policy")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="retention_policy_single_row")
        ]

    def __str__(self) -> str:
        return gettext("closed cases: %(closed)s d, never verified: %(stale)s d") % {
            "closed": self.closed_after_days,
            "stale": self.stale_after_days,
        }

    @classmethod
    def current(cls) -> "RetentionPolicy":
        return cls.objects.get_or_create(pk=1)[0]


class RetiredCaseCount(models.Model):
    """What statistics keep of purged cases: counts, never a row per person."""

    class Dimension(models.TextChoices):
        CASE = "case", _("Cases")
        THREAT = "threat", _("Threat")
        NEED = "need", _("Need")
        OUTCOME = "outcome", _("Outcome")
        RISK = "risk", _("Risk level")

    quarter = models.CharField(_("quarter"), max_length=7)  # "2026Q4", of the request
    region = models.CharField(_("region"), max_length=30)
    dimension = models.CharField(_("counted by"), max_length=10, choices=Dimension.choices)
    value = models.CharField(_("value"), max_length=30, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("count of purged cases")
        verbose_name_plural = _("counts of purged cases")
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "region", "dimension", "value"], name="retired_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.region} {self.dimension}={self.value}: {self.count}"


class RetiredReferralCount(models.Model):
    """Referrals of purged cases: sent, answered and accepted, by service and partner kind."""

    quarter = models.CharField(_("quarter"), max_length=7)  # of the case's request
    service = models.CharField(_("service"), max_length=30)
    partner_kind = models.CharField(_("kind of partner"), max_length=20)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    answered = models.PositiveIntegerField(_("answered"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)

    class Meta:
        verbose_name = _("count of referrals of purged cases")
        verbose_name_plural = _("counts of referrals of purged cases")
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "service", "partner_kind"], name="retired_referral_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.service}/{self.partner_kind}: {self.sent} sent"


class RetiredMilestoneCount(models.Model):
    """Time to safety of purged cases, as a histogram: how many took this many days.

    Whole days from the request to the first move into the milestone, so
    medians and quartiles come out exactly as they did before the purge.
    """

    milestone = models.CharField(_("milestone"), max_length=20)  # "sheltered" or "relocated"
    quarter = models.CharField(_("quarter"), max_length=7)  # of the request
    days = models.PositiveIntegerField(_("days"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("time to safety of purged cases")
        verbose_name_plural = _("time to safety of purged cases")
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "quarter", "days"], name="retired_milestone_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.milestone} after {self.days} d: {self.count}"
