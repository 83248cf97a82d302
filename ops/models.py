from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time the scheduled jobs ran: if beat or the worker dies, reminders stop."""

    name = models.CharField(_("job"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("last ran at"), default=timezone.now)

    class Meta:
        verbose_name = _("heartbeat of the scheduled jobs")
        verbose_name_plural = _("heartbeats of the scheduled jobs")

    def __str__(self) -> str:
        return self.name
