"""Evacuation plans, their legs and documents, and the route templates made from them."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedCharField, EncryptedTextField
from evacuations.status import PENDING, LegStatus, PlanStatus
from intake.choices import Region
from intake.models import random_symbols
from referrals.models import Country, PartnerKind


class LegKind(models.TextChoices):
    LEAVE_REGION = "leave_region", _("Leave the region")
    SHELTER = "shelter", _("Stay at a shelter")
    DOCUMENTS = "documents", _("Obtain a document or visa")
    # Not "relocation" (a need, and a case status): the journey itself.
    TRAVEL = "travel", pgettext_lazy("leg kind", "Travel")
    BORDER = "border", _("Cross a border")
    ARRIVAL = "arrival", _("Arrival")


class DocumentKind(models.TextChoices):
    INTERNAL_PASSPORT = "internal_passport", _("Internal passport")
    INTERNATIONAL_PASSPORT = "international_passport", _("International passport")
    VISA = "visa", _("Visa")
    TICKETS = "tickets", _("Tickets")
    OTHER = "other", _("Other documents")


class DocumentStatus(models.TextChoices):
    # Shown beside a visa, tickets, a passport: Russian needs words that agree
    # with any of them, hence a context of their own.
    NEEDED = "needed", pgettext_lazy("document status", "Needed")
    APPLIED = "applied", pgettext_lazy("document status", "Applied for")
    READY = "ready", pgettext_lazy("document status", "Ready")
    NOT_NEEDED = "not_needed", pgettext_lazy("document status", "Not needed")


class NotRelocated(models.TextChoices):
    """Why a completed evacuation does not move the case to "relocated"."""

    INSIDE_COUNTRY = "inside_country", _("Moved inside the country: not relocated yet")
    TEMPORARY = "temporary", _("A temporary stay: a further move is planned")
    OTHER = "other", _("Another reason, written in a note on the case")


def _reference(prefix: str) -> str:
    symbols = random_symbols(12)
    return f"{prefix}{symbols[:3]}-{symbols[3:7]}-{symbols[7:]}"


def new_plan_reference() -> str:
    return _reference("E")


def new_route_reference() -> str:
    return _reference("T")


def new_leg_key() -> str:
    # Names a leg in its plan's URLs: never its database id.
    return random_symbols(10)


class RouteTemplate(models.Model):
    """The structure of an evacuation that worked, to start the next one from.

    Leg kinds, partner roles and typical durations only: no case, no person,
    no date, no partner organisation, and no link back to the plan it came from.
    """

    reference = models.CharField(
        _("reference"), max_length=15, unique=True, default=new_route_reference, editable=False
    )
    name = models.CharField(_("route name"), max_length=80, unique=True)
    origin_region = models.CharField(_("from"), max_length=30, choices=Region.choices)
    destination_country = models.CharField(_("to"), max_length=2, choices=Country.choices)
    active = models.BooleanField(_("offered for new plans"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("route template")
        verbose_name_plural = _("route templates")

    def __str__(self) -> str:
        return self.name


class RouteTemplateLeg(models.Model):
    template = models.ForeignKey(
        RouteTemplate,
        on_delete=models.CASCADE,
        related_name="legs",
        verbose_name=_("route template"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=LegKind.choices)
    partner_kind = models.CharField(
        _("partner role"), max_length=20, choices=PartnerKind.choices, blank=True
    )
    typical_days = models.PositiveSmallIntegerField(_("typical duration (days)"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("leg of a route")
        verbose_name_plural = _("legs of a route")
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="route_leg_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.kind}"


class PlanQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=PlanStatus.OPEN)


class Plan(models.Model):
    """An evacuation of one person: a coarse destination and ordered legs."""

    reference = models.CharField(
        _("reference"), max_length=15, unique=True, default=new_plan_reference, editable=False
    )
    case = models.ForeignKey(
        "intake.Case",
        on_delete=models.CASCADE,
        related_name="evacuation_plans",
        verbose_name=_("case"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    destination_country = models.CharField(
        _("destination country"), max_length=2, choices=Country.choices
    )
    # Where someone is hiding, or is going to: as sensitive as their location.
    destination_city = EncryptedCharField(_("destination city"), max_length=100, blank=True)
    template = models.ForeignKey(
        RouteTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("route template"),
    )
    not_relocated = models.CharField(
        _("why the case is not relocated"),
        max_length=20,
        choices=NotRelocated.choices,
        blank=True,
    )
    outcome_note = EncryptedTextField(_("what happened"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("planned by"),
    )
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)
    # The first leg under way and the arrival leg done: route statistics
    # measure the days between the two.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrival confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evacuation plan")
        verbose_name_plural = _("evacuation plans")
        indexes = [models.Index(fields=["template", "status", "closed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
            # Two open plans for one person would send two sets of people to meet them.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status=PlanStatus.OPEN),
                name="one_open_plan_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(status=PlanStatus.COMPLETED, arrived_at__isnull=False)
                | ~models.Q(status=PlanStatus.COMPLETED),
                name="completed_plan_arrived",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN

    def pending_legs(self):
        return self.legs.filter(status__in=PENDING)

    def arrival_done(self) -> bool:
        return self.legs.filter(kind=LegKind.ARRIVAL, status=LegStatus.DONE).exists()

    def completion_problem(self) -> str:
        """Why this plan cannot complete yet, or "" if it can.

        The one rule: the service refuses with this message, the page offers
        "complete" only when it is empty.
        """
        if not self.is_open:
            return gettext("The plan is not open.")
        if self.pending_legs().exists():
            return gettext("Some legs are still planned or under way: end or cancel them first.")
        if not self.arrival_done():
            return gettext("The arrival has not been confirmed: a plan completes on arrival.")
        return ""


class Leg(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="legs", verbose_name=_("evacuation plan")
    )
    key = models.CharField(
        _("key"), max_length=10, unique=True, default=new_leg_key, editable=False
    )
    position = models.PositiveSmallIntegerField(_("position"), editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=LegKind.choices)
    partner_kind = models.CharField(
        _("partner role"),
        max_length=20,
        choices=PartnerKind.choices,
        blank=True,
        help_text=_("What kind of partner this leg needs, even before one is chosen."),
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legs",
        verbose_name=_("partner (through a referral of this case)"),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(
        _("planned end"),
        null=True,
        blank=True,
        help_text=_("Arrival must be confirmed by then, or it escalates like a missed check-in."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LegStatus.choices, default=LegStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    details = EncryptedTextField(
        _("details"),
        max_length=2000,
        blank=True,
        help_text=_("Travel details, meeting point, who to call. Never shown to partners."),
    )
    partner_details = EncryptedTextField(
        _("details for the partner"),
        max_length=1000,
        blank=True,
        help_text=_("What the partner of this leg sees, and nothing else of the plan."),
    )
    outcome = EncryptedTextField(_("what happened"), max_length=1000, blank=True)
    # The arrival check of a leg under way is a check-in: missed, it escalates
    # through the same job as any missed check-in, exactly once.
    checkin = models.OneToOneField(
        "intake.CheckIn",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="leg",
        verbose_name=_("arrival check-in"),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("leg")
        verbose_name_plural = _("legs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=LegStatus.values), name="leg_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True)
                | models.Q(planned_end__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="leg_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"leg {self.key}"  # never the details: this string reaches admin and logs

    @property
    def partner(self):
        return self.referral.partner if self.referral_id else None

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    def arrival_due(self) -> datetime:
        """The end of the planned end day, plus the grace period."""
        next_day = datetime.combine(self.planned_end + timedelta(days=1), time.min)
        grace = timedelta(hours=settings.CORRIDOR_LEG_GRACE_HOURS)
        return timezone.make_aware(next_day) + grace

    @property
    def days_taken(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return max((self.ended_at.date() - self.started_at.date()).days, 0)


class PlanDocument(models.Model):
    """Where a document stands. Status only: no numbers, no scans."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="documents", verbose_name=_("evacuation plan")
    )
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.NEEDED
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("document of a plan")
        verbose_name_plural = _("documents of a plan")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="one_document_of_a_kind"),
        ]

    def __str__(self) -> str:
        return self.kind


class RetiredRouteCount(models.Model):
    """What a purged plan leaves of itself: one more use (and arrival) of its route.

    `quarter` is when the plan finished, so the route statistics keep showing
    only plans finished before the current quarter, purged or not.
    """

    template = models.ForeignKey(
        RouteTemplate, on_delete=models.CASCADE, related_name="+", verbose_name=_("route template")
    )
    quarter = models.CharField(_("quarter"), max_length=7)
    used = models.PositiveIntegerField(_("plans"), default=0)
    arrived = models.PositiveIntegerField(_("arrivals"), default=0)

    class Meta:
        verbose_name = _("purged plans of a route")
        verbose_name_plural = _("purged plans of the routes")
        constraints = [
            models.UniqueConstraint(fields=["template", "quarter"], name="retired_route_key"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter}: used {self.used}, arrived {self.arrived}"


class RetiredRouteDays(models.Model):
    """How many purged plans of a route took so many days from start to arrival."""

    template = models.ForeignKey(
        RouteTemplate, on_delete=models.CASCADE, related_name="+", verbose_name=_("route template")
    )
    quarter = models.CharField(_("quarter"), max_length=7)
    days = models.PositiveIntegerField(_("days"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("days to arrival of purged plans")
        verbose_name_plural = _("days to arrival of purged plans")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "quarter", "days"], name="retired_route_days_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter}: {self.count} in {self.days} days"
