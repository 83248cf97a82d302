from celery import shared_task

from core.jobs import job_options
from evidence import services, store


@shared_task(**job_options(soft_limit=120, hard_limit=180))
def sweep() -> dict:
    """Delete what purges left to the store (the objects of rows marked for deletion)
    and what killed uploads left in the spool."""
    deleted, kept = services.sweep()
    return {"deleted": deleted, "kept": kept, "spool": store.tidy_spool()}
