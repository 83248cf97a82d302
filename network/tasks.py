"""Thin tasks: ids in, reload from the database, call a service.

The unique "one open warning" constraints are the source of truth for
"done", so a redelivered or duplicated task warns once.
"""

from celery import shared_task

from core.jobs import job_options
from network import services


@shared_task(**job_options(soft_limit=50, hard_limit=58))
def warn_elsewhere(case_ids: list[int]) -> int:
    """Other teams' "check this case" warnings, for cases the request found by id."""
    return services.warn_elsewhere(case_ids)
