"""Thin tasks: no arguments, reload from the database, call a service.

The database is the source of truth for "done" (unique reminders, claimed
check-ins, claimed e-mails), so a redelivered or duplicated task is harmless.
"""

import logging

from celery import shared_task
from django.conf import settings

from core.jobs import job_options
from reminders import services

log = logging.getLogger(__name__)

RETRY = job_options(soft_limit=50, hard_limit=58)


@shared_task(**RETRY)
def scan_reminders() -> int:
    made = services.scan()
    if made:
        log.info("reminders: %d created", made)
    return made


@shared_task(**RETRY)
def send_digests() -> int:
    if not settings.CORRIDOR_REMINDER_EMAILS:
        return 0
    return services.send_digests()
