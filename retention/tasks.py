import logging
import time

from celery import shared_task

from core.jobs import job_options
from retention import services

log = logging.getLogger(__name__)

# A run stops after the batch that passes this, well inside its time limits.
PURGE_SECONDS = 150


@shared_task(**job_options(soft_limit=200, hard_limit=240))
def purge_expired() -> dict:
    """Hourly: purge what the policy says has expired. Safe to run twice or at once.

    A backlog longer than one run goes on at once in a new run, as long as
    each run purges something: a batch that can never finish waits for the
    next hour instead of starting again forever.
    """
    purged = services.purge_expired(stop_at=time.monotonic() + PURGE_SECONDS)
    log.info("retention purge: %s", dict(purged) or "nothing expired")
    if purged and services.anything_expired():
        purge_expired.delay()
    return dict(purged)
