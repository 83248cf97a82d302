import logging

from celery import shared_task

from core.jobs import job_options
from drafts.services import drafts_purge_stale

log = logging.getLogger(__name__)


@shared_task(**job_options(soft_limit=200, hard_limit=240))
def purge_stale_drafts() -> int:
    """Hourly: delete drafts older than DRAFT_MAX_AGE_HOURS. A rerun finds nothing to do."""
    deleted = drafts_purge_stale()
    log.info("stale drafts deleted: %d", deleted)
    return deleted
