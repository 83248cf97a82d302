from celery import shared_task
from django.utils import timezone

from ops.models import Heartbeat


@shared_task(ignore_result=True, acks_late=True)
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(name="jobs", defaults={"seen_at": timezone.now()})
