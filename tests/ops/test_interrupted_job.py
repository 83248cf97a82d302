"""A worker killed mid-job: the job runs again on a restarted worker within seconds, not an hour."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config import celery_app
from core.jobs import LONGEST_HOLD_SECONDS, LONGEST_JOB_SECONDS, visibility_outlasts_every_job
from intake.models import Case
from retention.tasks import purge_expired
from tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]


def test_no_job_may_outlive_the_visibility_timeout(settings):
    for name, task in celery_app.tasks.items():
        if name.startswith("celery."):
            continue
        limit = task.time_limit or celery_app.conf.task_time_limit
        assert limit <= LONGEST_JOB_SECONDS, name
    assert LONGEST_HOLD_SECONDS < settings.JOBS_VISIBILITY_TIMEOUT
    assert visibility_outlasts_every_job() == []


def test_a_visibility_timeout_shorter_than_a_job_is_refused(settings):
    settings.JOBS_VISIBILITY_TIMEOUT = LONGEST_JOB_SECONDS
    assert [e.id for e in visibility_outlasts_every_job()] == ["core.E001"]


def worker(queue: str, started: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_VISIBILITY_TIMEOUT": "3",  # seconds, so the test need not wait five minutes
        "SLOW_PURGE_STARTED": str(started),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-I",
            "tests.ops.slow_first_purge",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_purge_killed_midway_completes_on_a_restarted_worker(tmp_path):
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 300
    case = CaseFactory(status="closed", closure_reason="stable")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=400))
    queue = f"test-interrupted-{uuid.uuid4().hex}"
    started = tmp_path / "started"
    first = worker(queue, started)
    second = None
    try:
        purge_expired.apply_async(queue=queue)
        assert wait_for(started.exists, 30), "the first worker never began the purge"
        first.send_signal(signal.SIGKILL)  # kill -9: no goodbye, no acknowledgement
        first.wait(10)
        assert Case.objects.filter(pk=case.pk).exists()  # killed before it purged
        second = worker(queue, started)
        # No beat runs: only the redelivered message can purge the case.
        assert wait_for(lambda: not Case.objects.filter(pk=case.pk).exists(), 45)
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.kill()
                process.wait(10)
