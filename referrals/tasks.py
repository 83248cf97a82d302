import logging

from celery import shared_task

from core.jobs import job_options
from referrals import services

log = logging.getLogger(__name__)


@shared_task(**job_options(soft_limit=200, hard_limit=240))
def expire_unanswered() -> int:
    """Hourly: referrals left unanswered long past their deadline expire. Safe to rerun."""
    expired = services.referrals_expire()
    if expired:
        log.info("referrals: %d expired", expired)
    return expired
