from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CHECKIN_MISSED = "checkin_missed", _("Missed check-in: they may have been detained")
    FIRST_RESPONSE = "first_response", _("First response due")
    FOLLOW_UP = "follow_up", _("Follow-up due")
    REFERRAL_UNACKNOWLEDGED = "referral_unacknowledged", _("Referral not acknowledged in time")
    REFERRAL_UNCOMPLETED = "referral_uncompleted", _("Accepted referral not completed in time")
    EXPOSURE = "exposure", _("A linked person's phone was taken: check in, move to a new channel")
    EXPOSURE_ELSEWHERE = "exposure_elsewhere", _("Check your cases: a contact may be exposed")
    APPROVAL = "approval", _("A referral waits for your approval")
    REFERRAL_ANSWERED = "referral_answered", _("A partner answered a referral")
    TRANSFER_REQUESTED = "transfer_requested", _("A case transfer waits for your answer")
    TRANSFERRED_IN = "transferred_in", _("A case was moved to your team")
    TRANSFER_REFUSED = "transfer_refused", _("A case transfer you asked for was not accepted")
    PORTAL_REQUEST = "portal_request", _("A new request came in through the portal")
    PORTAL_MESSAGE = "portal_message", _("A new message on the portal")
    DURESS = "duress", _("Duress codename used on the portal: they may be under force")
    STAFF_DURESS = "staff_duress", _("Duress sign-in by a team member: they may be under force")


# Reminders of something that happened, not of a state that can end: they
# stay until their user marks them done. Every other kind is removed by the
# scan once its event is no longer due (reminders.services.close_ended), so
# it is told again if it comes due again.
ANNOUNCEMENTS = frozenset(
    {
        Kind.REFERRAL_ANSWERED,
        Kind.TRANSFERRED_IN,
        Kind.TRANSFER_REFUSED,
        Kind.DURESS,
        Kind.STAFF_DURESS,
    }
)
CLOSE_WHEN_ENDED = frozenset(Kind) - ANNOUNCEMENTS
# Someone may have been detained, or may be found next: listed first.
URGENT = (
    Kind.STAFF_DURESS,
    Kind.DURESS,
    Kind.CHECKIN_MISSED,
    Kind.EXPOSURE,
    Kind.EXPOSURE_ELSEWHERE,
)


class NotificationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class Notification(models.Model):
    """An in-app reminder for one user about one due event.

    `key` names the due event (kind, object, due time): the unique
    constraint makes each reminder fire once, however often or however many
    workers run the scan. A row marked done (`done_at`) is its user's "Done";
    the scan removes the rows whose event ended rather than marking them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("staff account"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=120)
    case = models.ForeignKey(
        "intake.Case",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        verbose_name=_("case"),
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        verbose_name=_("referral"),
    )
    # The staff account a reminder is about (a duress sign-in), if any.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        verbose_name=_("about the staff account"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_event")
        ]
        indexes = [models.Index(fields=["user", "done_at"])]

    def __str__(self) -> str:
        return self.key

    @property
    def is_urgent(self) -> bool:
        return self.kind in URGENT
