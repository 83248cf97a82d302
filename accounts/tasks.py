import logging

from celery import shared_task
from django.utils import timezone

from accounts.models import StaffSession
from core.jobs import job_options

log = logging.getLogger(__name__)


@shared_task(**job_options(soft_limit=200, hard_limit=240))
def clear_expired_sessions() -> int:
    """Hourly: delete the staff sessions past their expiry. Each row names its account
    and holds its signed data: nothing of it should outlive the session."""
    deleted, _ = StaffSession.objects.filter(expire_date__lt=timezone.now()).delete()
    log.info("expired staff sessions deleted: %d", deleted)
    return deleted
