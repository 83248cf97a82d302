import logging

from celery import shared_task
from django.db import DatabaseError

from referrals import services

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def expire_unanswered() -> int:
    """Hourly: referrals left unanswered long past their deadline expire. Safe to rerun."""
    expired = services.referrals_expire()
    if expired:
        log.info("referrals: %d expired", expired)
    return expired
