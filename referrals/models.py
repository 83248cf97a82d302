import json
import operator
from datetime import date, datetime
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField
from intake.choices import Language, Need, Region
from intake.fields import ChoiceListField
from intake.models import random_symbols
from intake.status import Status as CaseStatus
from referrals.status import OPEN, TRANSITIONS, ReferralError, ReferralStatus


class PartnerKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    LEGAL = "legal", _("Legal aid")
    MEDICAL = "medical", _("Medical or psychological care")
    RELOCATION = "relocation", _("Relocation programme")
    EMBASSY = "embassy", _("Embassy or visa help")
    FINANCIAL = "financial", _("Financial aid")
    OTHER = "other", _("Other")


class Country(models.TextChoices):
    RUSSIA = "RU", _("Russia")
    GEORGIA = "GE", _("Georgia")
    ARMENIA = "AM", _("Armenia")
    AZERBAIJAN = "AZ", _("Azerbaijan")
    KAZAKHSTAN = "KZ", _("Kazakhstan")
    TAJIKISTAN = "TJ", _("Tajikistan")
    TURKEY = "TR", _("Turkey")
    GERMANY = "DE", _("Germany")
    NETHERLANDS = "NL", _("Netherlands")
    CANADA = "CA", _("Canada")
    OTHER = "XX", _("Other")


class SharedField(models.TextChoices):
    """Case fields a caseworker may share with a partner, one tick each."""

    ALIAS = "alias", _("Alias")
    REGION = "region", _("Region")
    NEEDS = "needs", _("Needs")
    RISK = "risk", _("Risk level")
    LANGUAGES = "languages", _("Languages")
    CONTACT_HANDLE = "contact_handle", _("Contact handle")
    SAFE_CONTACT = "safe_contact", _("Safe-contact instructions")


class ConsentChannel(models.TextChoices):
    MESSENGER = "messenger", _("In a messenger chat")
    PHONE = "phone", _("On the phone")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("By e-mail")


def new_partner_reference() -> str:
    return "P" + random_symbols(9)


class Partner(models.Model):
    reference = models.CharField(
        _("reference"), max_length=10, unique=True, default=new_partner_reference, editable=False
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
    # The team whose coordinators manage it (and mint its staff accounts);
    # every team may refer to it.
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("team"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    services = ChoiceListField(_("services"), choices_enum=Need, blank=False)
    regions = ChoiceListField(_("regions served"), choices_enum=Region)
    countries = ChoiceListField(_("countries served"), choices_enum=Country)
    languages = ChoiceListField(_("languages"), choices_enum=Language)
    capacity = models.PositiveIntegerField(
        _("free places"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the service has no places to count."),
    )
    ack_deadline_hours = models.PositiveIntegerField(_("acknowledge within (hours)"), default=24)
    contact_details = EncryptedTextField(_("contact details"), max_length=2000, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ack_deadline_hours__gte=1), name="partner_deadline_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def reserve_place(self) -> bool:
        """Take one free place and say so; refuse if none is left; False when not counted."""
        # Lock the partner row: two partners' staff accepting at once must
        # not push free capacity below zero.
        locked = Partner.objects.select_for_update().only("capacity").get(pk=self.pk)
        if locked.capacity is None:
            return False
        if locked.capacity == 0:
            raise ReferralError(_("There are no free places left; update capacity first."))
        Partner.objects.filter(pk=self.pk).update(capacity=F("capacity") - 1)
        self.capacity = locked.capacity - 1
        return True

    def release_place(self) -> None:
        Partner.objects.filter(pk=self.pk, capacity__isnull=False).update(
            capacity=F("capacity") + 1
        )
        self.refresh_from_db(fields=["capacity"])


class PartnerStaff(models.Model):
    """Links a partner-role user to the one organisation they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_staff",
        verbose_name=_("staff account"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="staff", verbose_name=_("partner")
    )

    class Meta:
        verbose_name = _("partner staff member")
        verbose_name_plural = _("partner staff members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner}"


# What a caseworker writes on a draft; the rest of a referral changes only
# through its moves and approval.
DRAFT_FIELDS = [
    "summary",
    "shared_fields",
    "consent_given",
    "consent_at",
    "consent_channel",
    "complete_by",
]


def new_referral_reference() -> str:
    symbols = random_symbols(12)
    return f"R{symbols[:3]}-{symbols[3:7]}-{symbols[7:]}"


def deadlines(now: datetime | None = None) -> dict[str, tuple[str, datetime | date]]:
    """When a referral is overdue: for each status it can be late in, its deadline field
    and the value that field must not be below at `now`.

    The one definition (README, "Reminders"): sent and not acknowledged by the
    partner's deadline, or accepted and not completed by its "complete by"
    date. The queries below and `Referral.overdue_at` both read it, so the
    dashboard, the reminder scan, the referral lists and the badge agree.
    """
    now = now or timezone.now()
    return {
        ReferralStatus.SENT: ("ack_due_at", now),
        ReferralStatus.ACCEPTED: ("complete_by", timezone.localdate(now)),
    }


def late_in(status: str, now: datetime | None = None) -> Q:
    """Referrals past their deadline in `status` (one of those in `deadlines`)."""
    field, limit = deadlines(now)[status]
    return Q(status=status, **{f"{field}__lt": limit})


def overdue_condition(now: datetime | None = None) -> Q:
    """Overdue in any way, as a condition (for `filter()` or a `When`)."""
    now = now or timezone.now()
    return reduce(operator.or_, (late_in(status, now) for status in deadlines(now)))


# Sharing this field needs a coordinator's approval, given for one set of fields.
NEEDS_APPROVAL_FOR = SharedField.CONTACT_HANDLE


def needs_approval_condition() -> Q:
    """`Referral.needs_approval`, as a condition (for `filter()` or a `When`)."""
    shares = ChoiceListField.contains(NEEDS_APPROVAL_FOR)
    return Q(approved_at__isnull=True, shared_fields__contains=shares)


class ReferralQuerySet(models.QuerySet):
    def unacknowledged_late(self, now: datetime | None = None):
        """Sent and not acknowledged by the partner's deadline."""
        return self.filter(late_in(ReferralStatus.SENT, now))

    def uncompleted_late(self, now: datetime | None = None):
        """Accepted and not completed by its "complete by" date."""
        return self.filter(late_in(ReferralStatus.ACCEPTED, now))

    def overdue(self, now: datetime | None = None):
        return self.filter(overdue_condition(now))

    def awaiting_approval(self):
        """Drafts that wait for a coordinator: `needs_approval`, on a case still open.

        A draft on a closed case cannot be sent (`_check_sendable`): nobody waits on it.
        """
        return self.filter(needs_approval_condition(), status=ReferralStatus.DRAFT).exclude(
            case__status=CaseStatus.CLOSED
        )


class Referral(models.Model):
    # Its own reference: partners never learn the case's.
    reference = models.CharField(
        _("reference"), max_length=15, unique=True, default=new_referral_reference, editable=False
    )
    case = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("partner")
    )
    service = models.CharField(_("service"), max_length=30, choices=Need.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    summary = EncryptedTextField(
        _("summary for the partner"),
        max_length=4000,
        help_text=_("What the partner needs to know. The internal narrative is never shared."),
    )
    shared_fields = ChoiceListField(_("fields the partner may see"), choices_enum=SharedField)
    consent_given = models.BooleanField(_("the person consented to this referral"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_channel = models.CharField(
        _("consent given"), max_length=20, choices=ConsentChannel.choices, blank=True
    )
    complete_by = models.DateField(
        _("to be completed by"),
        null=True,
        blank=True,
        help_text=_("Once accepted, a reminder fires if it is not completed by then."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # What the partner sees, copied when the referral is sent: later edits to
    # the case never reach them. JSON of [[field, value], ...], encrypted.
    shared_snapshot = EncryptedTextField(_("what the partner sees"), blank=True, editable=False)
    place_reserved = models.BooleanField(_("a place is reserved"), default=False, editable=False)
    responded_at = models.DateTimeField(
        _("partner answered at"), null=True, blank=True, editable=False
    )
    decline_reason = EncryptedTextField(_("reason for declining"), max_length=1000, blank=True)
    outcome_note = EncryptedTextField(_("outcome"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("to be acknowledged by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["status", "ack_due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReferralStatus.values),
                name="referral_status_valid",
            ),
            models.CheckConstraint(
                # Never sent without consent; a draft may be discarded without it.
                condition=models.Q(consent_given=True) | models.Q(sent_at__isnull=True),
                name="referral_sent_only_with_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def shares_contact_handle(self) -> bool:
        return SharedField.CONTACT_HANDLE in self.shared_fields

    @property
    def needs_approval(self) -> bool:
        """What `needs_approval_condition()` says of this row, without a query."""
        return NEEDS_APPROVAL_FOR in self.shared_fields and self.approved_at is None

    @property
    def can_withdraw(self) -> bool:
        return ReferralStatus.WITHDRAWN in TRANSITIONS[self.status]

    @property
    def is_overdue(self) -> bool:
        return self.overdue_at(timezone.now())

    def overdue_at(self, now: datetime) -> bool:
        """What `Referral.objects.overdue(now)` says of this row, without a query."""
        deadline = deadlines(now).get(self.status)
        if deadline is None:
            return False
        field, limit = deadline
        due = getattr(self, field)
        return due is not None and due < limit

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def take_snapshot(self) -> None:
        """Copy the ticked case fields as they are now, for the partner."""
        case = self.case
        values = {
            SharedField.ALIAS: case.alias,
            SharedField.REGION: case.get_region_display(),
            SharedField.NEEDS: ", ".join(str(n) for n in case.get_needs_display()),
            SharedField.RISK: case.get_risk_display(),
            SharedField.LANGUAGES: ", ".join(str(x) for x in case.get_languages_display()),
            SharedField.CONTACT_HANDLE: case.contact_handle,
            SharedField.SAFE_CONTACT: case.safe_contact,
        }
        shared = [[f.value, str(values[f])] for f in SharedField if f in self.shared_fields]
        self.shared_snapshot = json.dumps(shared)

    def shared_data(self, *, channels_burned: bool = False) -> list[tuple[str, str]]:
        """What the partner may see now: the snapshot, only while the referral is open."""
        if not self.is_open or not self.shared_snapshot:
            return []
        burned = (
            {SharedField.CONTACT_HANDLE, SharedField.SAFE_CONTACT} if channels_burned else set()
        )
        return [
            (SharedField(code).label, value)
            for code, value in json.loads(self.shared_snapshot)
            if code not in burned
        ]


class ReferralChange(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="changes", verbose_name=_("referral")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("who")
    )
    from_status = models.CharField(_("from status"), max_length=20, choices=ReferralStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=ReferralStatus.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at"]
        verbose_name = _("referral status change")
        verbose_name_plural = _("referral status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
