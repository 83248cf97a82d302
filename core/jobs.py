"""How every scheduled job runs: acknowledged late, retried on database errors, bounded."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

# No job runs longer than this. Redis hands an unacknowledged job to another
# worker after JOBS_VISIBILITY_TIMEOUT, counted from when a worker took it,
# and a retry waits in the worker first: the timeout must exceed both.
LONGEST_JOB_SECONDS = 4 * 60
RETRIES = 3
RETRY_BACKOFF = 10  # seconds, doubled each time: 10, 20, 40
LONGEST_HOLD_SECONDS = LONGEST_JOB_SECONDS + RETRY_BACKOFF * 2 ** (RETRIES - 1)


def job_options(*, soft_limit: int, hard_limit: int) -> dict:
    """Options for @shared_task: a job that meets a database outage retries, then waits
    for its next scheduled run; the rows it works on say what is done."""
    if not soft_limit < hard_limit <= LONGEST_JOB_SECONDS:
        raise ValueError(f"time limits must be soft < hard <= {LONGEST_JOB_SECONDS} seconds")
    return {
        "acks_late": True,
        "autoretry_for": (DatabaseError,),
        "retry_backoff": RETRY_BACKOFF,
        "max_retries": RETRIES,
        "soft_time_limit": soft_limit,
        "time_limit": hard_limit,
    }


@checks.register(checks.Tags.compatibility)
def visibility_outlasts_every_job(app_configs=None, **kwargs) -> list:
    if settings.JOBS_VISIBILITY_TIMEOUT > LONGEST_HOLD_SECONDS:
        return []
    return [
        checks.Error(
            f"CELERY_VISIBILITY_TIMEOUT={settings.JOBS_VISIBILITY_TIMEOUT} must exceed "
            f"{LONGEST_HOLD_SECONDS} seconds (the longest job and its retries): Redis would "
            "hand a job still running to a second worker.",
            id="core.E001",
        )
    ]
