"""How every scheduled job runs: acknowledged late, retried on database errors, bounded."""

from django.db import DatabaseError


def job_options(*, soft_limit: int, hard_limit: int) -> dict:
    """Options for @shared_task: a job that meets a database outage retries, then waits
    for its next scheduled run; the rows it works on say what is done."""
    return {
        "acks_late": True,
        "autoretry_for": (DatabaseError,),
        "retry_backoff": 10,
        "max_retries": 3,
        "soft_time_limit": soft_limit,
        "time_limit": hard_limit,
    }
