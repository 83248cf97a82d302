"""What the person and the team wrote each other through the portal.

Message bodies and reply templates are encrypted as case fields are. A
message names its case and, for a reply, the staff member; the person's
side shows only "read by the team", never who read it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedCharField, EncryptedTextField

# What one message may hold: a screenful on a phone, well inside the request limit.
MESSAGE_MAX = 4000
TEMPLATE_TITLE_MAX = 100


class MessageQuerySet(models.QuerySet):
    def from_person(self):
        return self.filter(direction=Message.Direction.PERSON)

    def unread_by_team(self):
        return self.from_person().filter(read_at__isnull=True)


class Message(models.Model):
    class Direction(models.TextChoices):
        PERSON = "person", _("From the person")
        TEAM = "team", _("From the team")

    case = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    direction = models.CharField(_("from"), max_length=10, choices=Direction.choices)
    body = EncryptedTextField(_("message"), max_length=MESSAGE_MAX)
    # A reply's author; empty for the person's own messages.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    # The person's message: first opened by a staff member. A reply: first
    # shown to the person signed in.
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Written in a session opened with the duress codename.
    under_duress = models.BooleanField(_("written under duress"), default=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["case", "created_at"]),
            # The reminder scan: the person's messages nobody has opened yet.
            models.Index(fields=["direction", "read_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=["person", "team"]), name="message_direction_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class ReplyTemplate(models.Model):
    """A reply a team sends often (safe-communication advice, say), in one language."""

    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        related_name="reply_templates",
        verbose_name=_("team"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = EncryptedCharField(_("title"), max_length=TEMPLATE_TITLE_MAX)
    body = EncryptedTextField(_("text"), max_length=MESSAGE_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        ordering = ["language", "pk"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return f"reply template {self.pk}"
