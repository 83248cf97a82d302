import logging

from celery import shared_task

from core.jobs import job_options
from retention import services

log = logging.getLogger(__name__)


@shared_task(**job_options(soft_limit=50 * 60, hard_limit=55 * 60))
def purge_expired() -> dict:
    """Hourly: purge what the policy says has expired. Safe to run twice or at once."""
    purged = services.purge_expired()
    log.info("retention purge: %s", dict(purged) or "nothing expired")
    return dict(purged)
