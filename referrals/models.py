import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField
from intake.choices import Language, Need, Region
from intake.fields import ChoiceListField
from intake.models import REFERENCE_ALPHABET
from referrals.status import TRANSITIONS, ReferralError, ReferralStatus, check_transition


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
    return "P" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(9))


class Partner(models.Model):
    reference = models.CharField(
        max_length=10, unique=True, default=new_partner_reference, editable=False
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ack_deadline_hours__gte=1), name="partner_deadline_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def reserve_place(self) -> None:
        """Take one free place, or refuse if none is left (no-op when places are not counted)."""
        # Lock the partner row: two partners' staff accepting at once must
        # not push free capacity below zero.
        locked = Partner.objects.select_for_update().only("capacity").get(pk=self.pk)
        if locked.capacity is None:
            return
        if locked.capacity == 0:
            raise ReferralError(_("There are no free places left; update capacity first."))
        Partner.objects.filter(pk=self.pk).update(capacity=F("capacity") - 1)
        self.capacity = locked.capacity - 1

    def release_place(self) -> None:
        Partner.objects.filter(pk=self.pk, capacity__isnull=False).update(
            capacity=F("capacity") + 1
        )
        self.refresh_from_db(fields=["capacity"])


class PartnerStaff(models.Model):
    """Links a partner-role user to the one organisation they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_staff"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="staff")

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
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"R{symbols[:3]}-{symbols[3:7]}-{symbols[7:]}"


class Referral(models.Model):
    # Its own reference: partners never learn the case's.
    reference = models.CharField(
        max_length=15, unique=True, default=new_referral_reference, editable=False
    )
    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(_("service"), max_length=30, choices=Need.choices)
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
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
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(max_length=1000, blank=True)
    outcome_note = EncryptedTextField(max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    ack_due_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
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
                condition=models.Q(status=ReferralStatus.DRAFT) | models.Q(consent_given=True),
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
        return self.shares_contact_handle and self.approved_at is None

    @property
    def can_withdraw(self) -> bool:
        return ReferralStatus.WITHDRAWN in TRANSITIONS[self.status]

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == ReferralStatus.SENT
            and self.ack_due_at is not None
            and self.ack_due_at < timezone.now()
        )

    def shared_data(self) -> list[tuple[str, object]]:
        """The case fields this partner may see, as (label, value), and nothing else."""
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
        return [(f.label, values[f]) for f in SharedField if f in self.shared_fields]

    @transaction.atomic
    def move_to(self, target: str, *, by) -> "ReferralChange":
        """Move along the machine, keep the partner's free places right, record the move."""
        current = (
            Referral.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)
        )
        check_transition(current, target)
        now = timezone.now()
        S = ReferralStatus
        if target == S.SENT:
            if not self.consent_given:
                raise ReferralError(_("Record the person's consent before sending."))
            if self.needs_approval:
                raise ReferralError(
                    _("Sharing the contact handle needs a coordinator's approval first.")
                )
            self.sent_at = now
            self.ack_due_at = now + timedelta(hours=self.partner.ack_deadline_hours)
        elif target == S.ACKNOWLEDGED:
            self.acknowledged_at = now
        elif target == S.ACCEPTED:
            self.partner.reserve_place()
            self.accepted_at = now
        elif current == S.ACCEPTED:  # completed or withdrawn after accepting
            self.partner.release_place()
        if target in {S.COMPLETED, S.DECLINED, S.WITHDRAWN, S.EXPIRED}:
            self.closed_at = now
        self.status = target
        self.save()
        return ReferralChange.objects.create(
            referral=self, by=by, from_status=current, to_status=target, at=now
        )


class ReferralChange(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
