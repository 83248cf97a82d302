import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from core.jobs import job_options
from retention import services

log = logging.getLogger(__name__)


@shared_task(**job_options(soft_limit=200, hard_limit=240))
def purge_expired() -> dict:
    """Hourly: purge what the policy says has expired. Safe to run twice or at once."""
    try:
        purged = services.purge_expired()
    except SoftTimeLimitExceeded:
        # Each finished batch stays purged; the batch under way rolled back.
        # A long backlog goes on at once rather than at the next hourly run.
        log.info("retention purge: time limit reached, continuing in a new run")
        purge_expired.delay()
        return {}
    log.info("retention purge: %s", dict(purged) or "nothing expired")
    return dict(purged)
