from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The last time the scheduled jobs ran: if beat or the worker dies, reminders stop."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
