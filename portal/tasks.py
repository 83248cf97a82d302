from celery import shared_task

from core.jobs import job_options
from portal import sessions, throttle


@shared_task(**job_options(soft_limit=60, hard_limit=90))
def tidy() -> dict:
    """Every few minutes: forget ended portal sessions and ended limit windows."""
    return {"sessions": sessions.tidy(), "windows": throttle.tidy()}
