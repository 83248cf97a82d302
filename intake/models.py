import secrets
from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedCharField, EncryptedTextField
from intake.choices import Channel, Language, Need, Region, Risk, Threat, Verification
from intake.fields import ChoiceListField
from intake.links import case_url
from intake.status import TRANSITIONS, ClosureReason, Status, check_transition

# Crockford's base32 without look-alikes: a reference can be read over a
# bad phone line. 12 symbols = 60 random bits.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_symbols(count: int) -> str:
    """`count` random symbols of REFERENCE_ALPHABET (5 bits each): what references are made of."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(count))


def new_reference() -> str:
    symbols = random_symbols(12)
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


# What an operator records and a caseworker may edit; the rest of a case is
# changed only through its own actions (status, assignment, follow-up, ...).
INTAKE_FIELDS = [
    "alias",
    "contact_channel",
    "contact_handle",
    "safe_contact",
    "region",
    "location",
    "threats",
    "needs",
    "languages",
    "risk",
    "narrative",
]


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Status.CLOSED)

    def with_need(self, need: str):
        return self.filter(needs__contains=ChoiceListField.contains(need))

    def awaiting_first_response(self):
        """New requests nobody has answered yet: no note, no status change, and no reply
        to the person on the portal (conversations' messages, by their relation's name)."""
        answered = models.Exists(StatusChange.objects.filter(case=models.OuterRef("pk")))
        noted = models.Exists(Note.objects.filter(case=models.OuterRef("pk")))
        waiting = self.filter(status=Status.NEW).exclude(answered | noted)
        return waiting.exclude(messages__direction="team")

    def follow_up_overdue(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(follow_up_on__lt=today)


class Case(models.Model):
    reference = models.CharField(
        _("reference"), max_length=14, unique=True, default=new_reference, editable=False
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="cases", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    risk = models.PositiveSmallIntegerField(_("risk level"), choices=Risk.choices)
    verification = models.CharField(
        _("verification"),
        max_length=20,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices)
    contact_channel = models.CharField(_("contact channel"), max_length=20, choices=Channel.choices)
    threats = ChoiceListField(_("threats"), choices_enum=Threat)
    needs = ChoiceListField(_("needs"), choices_enum=Need)
    languages = ChoiceListField(_("languages"), choices_enum=Language)
    follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    device_compromised_at = models.DateTimeField(
        _("device compromised since"), null=True, blank=True
    )
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Encrypted with Fernet; never filtered or sorted on.
    alias = EncryptedCharField(_("alias"), max_length=80)
    contact_handle = EncryptedCharField(_("contact handle"), max_length=200, blank=True)
    safe_contact = EncryptedTextField(
        _("safe-contact instructions"),
        max_length=1000,
        blank=True,
        help_text=_("For example: never call; relatives listen."),
    )
    location = EncryptedCharField(_("current location"), max_length=200, blank=True)
    narrative = EncryptedTextField(_("narrative"), max_length=20000, blank=True)
    handle_index = models.CharField(
        _("blind index of the contact handle"), max_length=64, blank=True, editable=False
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-risk", "created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # One per sort of the case list (see intake/filters.py), so a page is
        # read in index order and the database stops after fifty rows.
        indexes = [
            models.Index(fields=["team", "-risk", "created_at"]),
            models.Index(fields=["team", "created_at"]),
            models.Index(fields=["team", "status", "-risk", "created_at"]),
            models.Index(fields=["team", "follow_up_on"]),
            # Filtering by region: without it, counting a region's cases read
            # the team's rows one by one (10 ms of the page at 100,000 cases).
            models.Index(fields=["team", "region", "created_at"]),
            # Filtering by need is a substring match no index can seek, but
            # the count can then read this small index instead of every row
            # of the team (12 ms of the page at 100,000 cases, 1 ms with it).
            models.Index(fields=["team", "needs"]),
            # "Is this handle known to my team?": both equalities in one index,
            # or the planner walks the team's date index instead.
            models.Index(fields=["handle_index", "team", "created_at"]),
            # What the retention purge looks for (retention/services.py).
            models.Index(fields=["status", "closed_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(risk__in=Risk.values), name="case_risk_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status=Status.CLOSED) & ~models.Q(closure_reason="")
                    | ~models.Q(status=Status.CLOSED) & models.Q(closure_reason="")
                ),
                name="case_closure_reason_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def validate_constraints(self, exclude: set[str] | None = None) -> None:
        """Leave the check constraints above to the database.

        Each restates a field's choices or the status machine, which field
        validation and `move_to` check already; Django would ask the
        database again on every intake and edit (the risk check, a query of
        its own: about a tenth of an intake on PostgreSQL, bench/README.md).
        Case has no other kind of constraint (a test keeps it so).
        """

    # Labels for the case list, fifty rows at a time: Django's get_FOO_display
    # hashes every (lazy, translated) choice label on every call.
    @property
    def risk_label(self) -> str:
        return Risk(self.risk).label

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def region_label(self) -> str:
        return Region(self.region).label

    # Not get_absolute_url: that would open the admin's "view on site"
    # redirect, which maps a sequential id to the case's reference.
    @property
    def page_url(self) -> str:
        return case_url(self.reference)

    @property
    def device_compromised(self) -> bool:
        return self.device_compromised_at is not None

    @property
    def follow_up_overdue(self) -> bool:
        return (
            self.status != Status.CLOSED
            and self.follow_up_on is not None
            and self.follow_up_on < timezone.localdate()
        )

    def allowed_statuses(self) -> list[Status]:
        return [Status(s) for s in Status.values if s in TRANSITIONS[self.status]]

    @transaction.atomic
    def move_to(self, target: str, *, by, closure_reason: str = "") -> "StatusChange":
        """Move along the status machine and record who moved it, or raise TransitionError."""
        # Re-read under lock: two caseworkers moving the same case at once
        # must not both pass the check against a stale status.
        current = Case.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)
        check_transition(current, target, closure_reason)
        now = timezone.now()
        self.status = target
        self.closure_reason = closure_reason
        self.closed_at = now if target == Status.CLOSED else None
        self.save(update_fields=["status", "closure_reason", "closed_at", "updated_at"])
        return StatusChange.objects.create(
            case=self,
            by=by,
            from_status=current,
            to_status=target,
            closure_reason=closure_reason,
            at=now,
        )


class Note(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("author")
    )
    body = EncryptedTextField(_("note"), max_length=10000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"note {self.pk}"  # never the body: this string reaches admin and logs


class StatusChange(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("case")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("who")
    )
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CaseEvent(models.Model):
    """A milestone on the case timeline other than a note or a status change.

    `detail` holds a choice value or a staff username, never case content.
    """

    class Kind(models.TextChoices):
        DEVICE_COMPROMISED = "device_compromised", _("Device marked as compromised")
        CHANNEL_RESTORED = "channel_restored", _("A new safe channel was confirmed")
        ASSIGNED = "assigned", _("Assigned")
        VERIFICATION = "verification", _("Verification changed")
        SUSPICION_LIFTED = "suspicion_lifted", _("Suspicion of provocation lifted")
        LEGAL_HOLD = "legal_hold", _("Legal hold")
        LINKED = "linked", _("Linked to another case")
        UNLINKED = "unlinked", _("Link to another case removed")
        MERGED = "merged", _("Another case merged into this one")
        TRANSFERRED = "transferred", _("Moved to another team")
        EXPOSED = "exposed", _("Warned: a linked person's phone was taken")
        EXPOSURE_HANDLED = "exposure_handled", _("Exposure warning handled")
        # Written by the person on the portal (portal/), never by staff.
        PORTAL_CHECKIN = "portal_checkin", _("Answered a check-in on the portal: safe")
        DURESS = "duress", _("Duress codename used on the portal: they may be under force")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("who")
    )
    detail = models.CharField(_("details"), max_length=150, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return self.kind

    def get_detail_display(self) -> str:
        if self.kind == self.Kind.VERIFICATION and self.detail in Verification.values:
            return Verification(self.detail).label
        if self.kind == self.Kind.DURESS:
            return str(DURESS_DETAILS.get(self.detail, self.detail))
        if (where := HIGHER_DETAIL_CODES.get(self.kind)) is not None:
            # "<code>" or "<code> <reference>": the label of the code, then the rest.
            code, _space, rest = self.detail.partition(" ")
            field = apps.get_model(where[0], where[1])._meta.get_field(where[2])
            return f"{dict(field.flatchoices).get(code, code)} {rest}".strip()
        return self.detail


# What the portal (portal/services.py) did when the duress codename was used.
DURESS_DETAILS = {
    "sign_in": _("signed in; open check-ins counted as missed"),
    "checkin": _("pressed “I am safe”: not recorded as heard from"),
    "forget": _("asked to delete the request: it was kept"),
}

# Codes an app above intake writes into a CaseEvent's detail, and the field
# whose choices label them: found through the app registry, never imported.
HIGHER_DETAIL_CODES = {
    CaseEvent.Kind.LINKED: ("network", "CaseLink", "kind"),
    CaseEvent.Kind.UNLINKED: ("network", "CaseLink", "kind"),
    CaseEvent.Kind.EXPOSED: ("network", "Exposure", "cause"),
    CaseEvent.Kind.EXPOSURE_HANDLED: ("network", "Exposure", "handled_how"),
}


class CheckInQuerySet(models.QuerySet):
    def missed(self, now=None):
        """Due, or counted missed by a duress sign-in, and not heard: the person may have
        been detained."""
        due = models.Q(due_at__lt=now or timezone.now()) | models.Q(duress_at__isnull=False)
        return self.filter(due, heard_at__isnull=True)


class CheckIn(models.Model):
    """For a person in danger: the time by which they must have been heard from."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("case")
    )
    due_at = models.DateTimeField(_("must have heard from them by"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set at"), default=timezone.now)
    heard_at = models.DateTimeField(_("heard from them at"), null=True, blank=True)
    heard_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("heard from them: recorded by"),
    )
    # Set once, by the job that claims the escalation: it fires exactly once.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Someone signed in on the portal with the duress codename: missed from
    # then on, whatever its time (which stays as the person was told it).
    duress_at = models.DateTimeField(_("missed by a duress sign-in at"), null=True, blank=True)
    # "I am safe" pressed in a duress session: not heard from (it stays missed),
    # but gone from the duress session's page, as a real answer goes from the real one.
    duress_answered_at = models.DateTimeField(
        _("answered in a duress session at"), null=True, blank=True
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["heard_at", "due_at"])]

    def __str__(self) -> str:
        return f"check-in {self.pk}"

    @property
    def is_missed(self) -> bool:
        due = self.due_at < timezone.now() or self.duress_at is not None
        return self.heard_at is None and due


class FlaggedHandle(models.Model):
    """A contact handle seen in a suspected provocation, kept only as its blind index.

    It outlives the case it came from, so the next request from the same
    handle is recognised without anyone keeping the handle itself. Who
    flagged it is kept, so a coordinator can judge and lift a bad flag.
    """

    handle_index = models.CharField(
        _("blind index of the contact handle"), max_length=64, unique=True
    )
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("flagged by"),
    )

    class Meta:
        verbose_name = _("flagged handle")
        verbose_name_plural = _("flagged handles")

    def __str__(self) -> str:
        return f"flagged handle {self.pk}"


class SearchToken(models.Model):
    """One keyed token of a word of a case's alias, for search without decrypting.

    HMAC under the blind-index key of (team, normalised word); see
    intake/search.py for what a copy of this table reveals without the key.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="search_tokens", verbose_name=_("case")
    )
    token = models.CharField(_("token"), max_length=64)

    class Meta:
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")
        constraints = [
            models.UniqueConstraint(fields=["token", "case"], name="search_token_once_per_case")
        ]

    def __str__(self) -> str:
        return f"search token {self.pk}"


class MergedReference(models.Model):
    """A reference that was merged into another case: it still leads there."""

    reference = models.CharField(_("reference"), max_length=14, unique=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="merged_references",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)

    class Meta:
        verbose_name = _("merged reference")
        verbose_name_plural = _("merged references")

    def __str__(self) -> str:
        return self.reference


# A transfer still waiting for the other team: the one rule for `open()`, `is_open`
# and the one-open-request constraint.
TRANSFER_OPEN = models.Q(accepted__isnull=True)


class TransferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(TRANSFER_OPEN)


class Transfer(models.Model):
    """A case moving to another team: done at once, or asked of that team's coordinators."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("case")
    )
    from_team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("from team")
    )
    to_team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("to team")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # None while it waits; True once the case moved; False if refused or withdrawn.
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            # One open request per case: two would race to move it.
            models.UniqueConstraint(
                fields=["case"],
                condition=TRANSFER_OPEN,
                name="transfer_one_open_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_team=models.F("to_team")),
                name="transfer_to_another_team",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.accepted is None
