"""Jobs on a real Redis broker: messages carry task names and no case data."""

import base64
import json
import time
import uuid

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from config import celery_app
from ops.tasks import heartbeat
from referrals.tasks import expire_unanswered
from reminders import services as reminder_services
from reminders.models import Notification
from reminders.tasks import scan_reminders, send_digests
from retention.tasks import purge_expired
from tests.factories import CaseFactory, NoteFactory

MARKERS = ["BROKER-ALIAS", "broker_handle", "BROKER-NARRATIVE", "BROKER-NOTE"]
ALL_TASKS = [heartbeat, scan_reminders, send_digests, purge_expired, expire_unanswered]


@pytest.mark.redis
def test_no_case_data_reaches_the_redis_messages(db, team_a):
    import redis

    case = CaseFactory(
        team=team_a,
        alias="BROKER-ALIAS",
        contact_handle="@broker_handle",
        narrative="BROKER-NARRATIVE",
    )
    NoteFactory(case=case, body="BROKER-NOTE")
    queue = f"test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        for task in ALL_TASKS:
            task.apply_async(queue=queue)
        raw = client.lrange(queue, 0, -1)
        assert len(raw) == len(ALL_TASKS)
        for message in map(json.loads, raw):
            assert message["content-type"] == "application/json"
            body = base64.b64decode(message["body"]).decode()
            text = json.dumps(message) + body
            assert json.loads(body)[:2] == [[], {}]  # no arguments at all
            for marker in [*MARKERS, case.reference]:
                assert marker not in text
    finally:
        client.delete(queue)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_scheduled_scan(team_a, coordinator):
    from celery.contrib.testing.worker import start_worker

    case = CaseFactory(team=team_a, risk=4)
    type(case).objects.filter(pk=case.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=3)
    )
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        scan_reminders.delay()
        deadline = time.monotonic() + 20
        while not Notification.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert Notification.objects.filter(user=coordinator, kind="first_response").count() == 1


def test_the_web_never_needs_the_broker(client, caseworker, team_a, monkeypatch):
    """With Redis down, every save still works: the web enqueues nothing."""

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(celery_app.Task, "apply_async", broker_down)
    client.force_login(caseworker)
    response = client.post(
        reverse("intake:case_create"),
        {
            "team": team_a.pk,
            "alias": "Offline",
            "contact_channel": "phone",
            "region": "chechnya",
            "risk": "3",
        },
    )
    assert response.status_code == 302
    ref = response["Location"].split("/")[-2]
    assert (
        client.post(reverse("intake:note_add", args=[ref]), {"body": "still saved"}).status_code
        == 302
    )


def test_a_job_that_finds_the_database_down_logs_retries_and_succeeds(db, monkeypatch, caplog):
    calls = {"n": 0}
    real = reminder_services.scan

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("database unavailable")
        return real(*args, **kwargs)

    monkeypatch.setattr(reminder_services, "scan", flaky)
    caplog.set_level("INFO", logger="celery")
    result = scan_reminders.apply()  # eagerly: the retry runs at once
    assert result.state == "SUCCESS"
    assert calls["n"] == 2
    assert "database unavailable" in caplog.text


def test_the_broker_accepts_json_only():
    # Pickle in a broker is code execution for whoever can write to Redis.
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_serializer == "json"


@pytest.mark.parametrize("task", ALL_TASKS, ids=lambda t: t.name)
def test_tasks_are_acknowledged_after_they_run_and_bounded(task):
    assert task.acks_late or celery_app.conf.task_acks_late
    assert (task.time_limit or celery_app.conf.task_time_limit) is not None
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert task.name in scheduled
