import logging

from celery import shared_task
from django.db import DatabaseError

from retention import services

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    max_retries=3,
    soft_time_limit=50 * 60,
    time_limit=55 * 60,
)
def purge_expired() -> dict:
    """Hourly: purge what the policy says has expired. Safe to run twice or at once."""
    purged = services.purge_expired()
    log.info("retention purge: %s", dict(purged) or "nothing expired")
    return dict(purged)
