"""How every scheduled job runs: acknowledged late, retried on database errors, bounded."""

from django.db import DatabaseError

# No job runs longer than this: Redis hands an unacknowledged job to another
# worker after CELERY_VISIBILITY_TIMEOUT (5 minutes), which must stay above it.
LONGEST_JOB_SECONDS = 4 * 60


def job_options(*, soft_limit: int, hard_limit: int) -> dict:
    """Options for @shared_task: a job that meets a database outage retries, then waits
    for its next scheduled run; the rows it works on say what is done."""
    if not soft_limit < hard_limit <= LONGEST_JOB_SECONDS:
        raise ValueError(f"time limits must be soft < hard <= {LONGEST_JOB_SECONDS} seconds")
    return {
        "acks_late": True,
        "autoretry_for": (DatabaseError,),
        "retry_backoff": 10,
        "max_retries": 3,
        "soft_time_limit": soft_limit,
        "time_limit": hard_limit,
    }
