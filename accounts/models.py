import hashlib
import hmac
import time
from base64 import b32encode
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import hex_validator, random_hex

from crypto.fields import EncryptedCharField


class Role(models.TextChoices):
    OPERATOR = "operator", _("Hotline operator")
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("Coordinator")
    PARTNER = "partner", _("Partner organisation staff")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# Roles that belong to a team and see that team's cases.
TEAM_ROLES = {Role.OPERATOR, Role.CASEWORKER, Role.COORDINATOR}
# Roles that use the admin site; they never see case pages.
STAFF_ROLES = {Role.ADMIN, Role.AUDITOR}


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member. Access to cases follows role and team, never is_staff."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    teams = models.ManyToManyField(
        Team, related_name="members", blank=True, verbose_name=_("teams")
    )
    # Kept on the account, not only in a cookie, so it follows the person to
    # every device they sign in on.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: follow the browser."),
    )
    # Times are stored in UTC and shown in this zone; empty: the organisation's.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Empty: the organisation's time zone."),
    )

    # Coercion (accounts/coercion.py). The duress password is kept as the
    # real one is, as a hash; signing in with it shields the account.
    duress_password = models.CharField(_("duress password"), max_length=128, blank=True)
    duress_without_code = models.BooleanField(
        _("duress works without the code"),
        default=False,
        help_text=_("With the duress password, any code is taken at the second step."),
    )
    # Set by a duress sign-in; cleared only by a coordinator or admin.
    duress_at = models.DateTimeField(_("signed in under duress at"), null=True, blank=True)
    # Travel mode: asleep until then, or until woken early.
    asleep_until = models.DateTimeField(_("asleep until"), null=True, blank=True)
    wake_approved_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waking approved by"),
    )
    wake_approved_at = models.DateTimeField(_("waking approved at"), null=True, blank=True)

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role__in=STAFF_ROLES),
                name="user_staff_only_admin_or_auditor",
            ),
        ]

    @property
    def sees_team_cases(self) -> bool:
        return self.is_active and self.role in TEAM_ROLES

    @property
    def works_cases(self) -> bool:
        return self.is_active and self.role in {Role.CASEWORKER, Role.COORDINATOR}

    @property
    def coordinates(self) -> bool:
        return self.is_active and self.role == Role.COORDINATOR

    @property
    def asleep(self) -> bool:
        return self.asleep_until is not None and self.asleep_until > timezone.now()

    @property
    def asleep_through(self):
        """The last day travel mode lasts, in the organisation's zone, as it was chosen."""
        last = self.asleep_until - timedelta(microseconds=1)
        return timezone.localtime(last, timezone.get_default_timezone()).date()

    @property
    def shielded(self) -> bool:
        """Under duress or asleep: every session of the account sees a harmless workload.

        Decided on the account, never on the session, so a duress session
        and a real one carry the same cookie, the same session data and
        the same pages; only what the queries find differs.
        """
        return self.duress_at is not None or self.asleep

    @property
    def takes_any_code(self) -> bool:
        """Under duress, the second step takes any code if the account chose so."""
        return self.duress_at is not None and self.duress_without_code


def awake_q(prefix: str = "") -> models.Q:
    """Accounts neither under duress nor asleep, as a filter: who reminders reach."""
    now = timezone.now()
    return models.Q(**{f"{prefix}duress_at__isnull": True}) & (
        models.Q(**{f"{prefix}asleep_until__isnull": True})
        | models.Q(**{f"{prefix}asleep_until__lte": now})
    )


AUDIT_VIEW = models.Q(content_type__app_label="audit", codename="view_auditevent")


def admin_role_permissions():
    """What the admin role may do in the admin site: users, teams, retention, the trail."""
    return Permission.objects.filter(
        models.Q(
            content_type__app_label="accounts", codename__regex=r"^(view|add|change)_(user|team)$"
        )
        | models.Q(
            content_type__app_label="retention",
            codename__in=["view_retentionpolicy", "change_retentionpolicy"],
        )
        | AUDIT_VIEW
    )


def auditor_role_permissions():
    """The auditor reads the trail and its reports; nothing else."""
    return Permission.objects.filter(AUDIT_VIEW)


# Second factors. django-otp's own TOTPDevice and StaticToken keep the TOTP
# key and every recovery code in the clear: a copy of the database (a backup,
# a replica, a laptop) would be every account's second factor. These keep the
# key encrypted and the codes only as keyed hashes; django-otp still finds them
# (devices_for_user, OTPMiddleware and otp_login work on any Device).


def default_key() -> str:
    return random_hex(20)  # 160 bits, as django-otp's default and RFC 4226 advise


def key_validator(value: str) -> None:
    hex_validator()(value)


class SecondFactorFields(models.Model):
    """django-otp's device columns as they are, named in both languages (first in the MRO)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("staff account")
    )
    name = models.CharField(_("name"), max_length=64)
    confirmed = models.BooleanField(_("confirmed"), default=True)
    throttling_failure_timestamp = models.DateTimeField(
        _("last failed attempt"), null=True, blank=True, default=None
    )
    throttling_failure_count = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    created_at = models.DateTimeField(_("created at"), null=True, blank=True, auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        abstract = True

    def count_failure(self) -> None:
        """Count a failed code in the row, not by saving this instance.

        A save() would write back what a concurrent request has just changed
        (a TOTP step it claimed, a failure it counted).
        """
        self.throttle_increment(commit=False)
        type(self).objects.filter(pk=self.pk).update(
            throttling_failure_count=models.F("throttling_failure_count") + 1,
            throttling_failure_timestamp=self.throttling_failure_timestamp,
        )


class Authenticator(SecondFactorFields, TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator app; its key is stored encrypted."""

    key = EncryptedCharField(
        _("key"), max_length=80, default=default_key, validators=[key_validator]
    )
    step = models.PositiveSmallIntegerField(_("seconds per code"), default=30)
    t0 = models.BigIntegerField(_("start of the first step"), default=0)
    digits = models.PositiveSmallIntegerField(
        _("digits"), choices=[(6, _("6 digits")), (8, _("8 digits"))], default=6
    )
    tolerance = models.PositiveSmallIntegerField(_("steps of tolerance"), default=1)
    drift = models.SmallIntegerField(_("clock drift in steps"), default=0)
    # The time step of the last accepted code: only a later one is accepted.
    last_t = models.BigIntegerField(_("last step used"), default=-1)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return self.name

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """Accept a current code once; refuse while throttled after failures."""
        if not self.verify_is_allowed()[0]:
            return False
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        try:
            verified = totp.verify(int(token), self.tolerance, self.last_t + 1)
        except (TypeError, ValueError):
            verified = False
        if verified:
            # Claim the time step with a conditional UPDATE: of two requests
            # carrying the same code at once, only one signs in. (The key is
            # not rewritten either.)
            now = timezone.now()
            claimed = Authenticator.objects.filter(pk=self.pk, last_t__lt=totp.t()).update(
                last_t=totp.t(),
                drift=totp.drift,
                throttling_failure_count=0,
                throttling_failure_timestamp=None,
                last_used_at=now,
            )
            if claimed:
                self.last_t, self.drift, self.last_used_at = totp.t(), totp.drift, now
                self.throttle_reset(commit=False)
                return True
        self.count_failure()
        return False

    @property
    def config_url(self) -> str:
        """The otpauth:// URL an authenticator app enrols from, issued by OTP_TOTP_ISSUER.

        As django-otp builds it: the issuer is the site's title, never a name
        the deployment chose to keep off a phone's screen.
        """
        label = self.user.get_username()
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        if issuer:
            label = f"{issuer}:{label}"
            params += "&issuer=" + quote(issuer)  # RFC 3986, as authenticator apps expect
        return f"otpauth://totp/{quote(label)}?{params}"


def recovery_code_digest(code: str) -> str:
    """The keyed hash a recovery code is stored as."""
    # Keyed: the codes are short (40 bits), so a plain hash of each could be
    # reversed by trying them all. Without SECRET_KEY a stolen row gives nothing.
    key = ("recovery-code:" + settings.SECRET_KEY).encode()
    return hmac.new(key, code.strip().lower().encode(), hashlib.sha256).hexdigest()


class RecoveryCodeSet(SecondFactorFields, TimestampMixin, ThrottlingMixin, Device):
    """The one-time recovery codes given at enrolment, stored as keyed hashes."""

    class Meta:
        verbose_name = _("recovery code set")
        verbose_name_plural = _("recovery code sets")

    def __str__(self) -> str:
        return self.name

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def add_codes(self, codes: list[str]) -> None:
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=self, digest=recovery_code_digest(code)) for code in codes
        )

    def verify_token(self, token) -> bool:
        """Accept each code once; refuse while throttled after failures."""
        if not self.verify_is_allowed()[0]:
            return False
        digest = recovery_code_digest(str(token))
        match = None
        for code in self.codes.all():
            # Every stored hash is compared, each in constant time: how long
            # a wrong code takes says nothing about the right ones.
            if hmac.compare_digest(code.digest, digest):
                match = code
        # The DELETE is the claim: of two requests with one code, one signs in.
        if match is not None and RecoveryCode.objects.filter(pk=match.pk).delete()[0]:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            RecoveryCodeSet.objects.filter(pk=self.pk).update(
                throttling_failure_count=0,
                throttling_failure_timestamp=None,
                last_used_at=self.last_used_at,
            )
            return True
        self.count_failure()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(
        RecoveryCodeSet,
        related_name="codes",
        on_delete=models.CASCADE,
        verbose_name=_("recovery code set"),
    )
    digest = models.CharField(_("keyed hash"), max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return str(_("recovery code"))  # never the digest: it reaches logs and pages


class StaffSession(AbstractBaseSession):
    """A staff session (accounts/sessions.py), kept under a keyed hash of its key, with
    its account's id beside it, indexed.

    Django's own table knows a session's account only inside its data, so
    ending an account's sessions meant decoding every live session of every
    account: 100 µs each, a second at 10,000, which made a duress sign-in
    (which ends the others) measurably slower than a real one
    (bench/README.md, "Sign-in under duress"). Here it is one indexed delete.
    """

    user_id = models.IntegerField(_("staff account"), null=True, db_index=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore  # the store names this model: no cycle at import

        return SessionStore
