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
from portal.tasks import tidy as portal_tidy
from referrals.tasks import expire_unanswered
from reminders import services as reminder_services
from reminders.models import Notification
from reminders.tasks import scan_reminders, send_digests
from retention.tasks import purge_expired
from tests.factories import CaseFactory, NoteFactory

MARKERS = ["BROKER-ALIAS", "broker_handle", "BROKER-NARRATIVE", "BROKER-NOTE"]
ALL_TASKS = [
    heartbeat,
    scan_reminders,
    send_digests,
    purge_expired,
    expire_unanswered,
    portal_tidy,
]


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


@pytest.fixture
def broker_down(monkeypatch):
    """Every way of reaching the broker (any transport: kombu opens them all here)
    is refused and recorded; return the list of attempts."""
    import kombu.connection
    import kombu.messaging

    attempts = []

    def refuse(connection_or_producer, *args, **kwargs):
        attempts.append(type(connection_or_producer).__name__)
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(kombu.connection.Connection, "_connection_factory", refuse)
    # A connection an earlier test left in the pool (Redis keeps one) is
    # not opened again: refuse the publish itself too.
    monkeypatch.setattr(kombu.messaging.Producer, "publish", lambda self, *a, **k: refuse(self))
    # One refused attempt is enough to see: no retries with back-off.
    monkeypatch.setitem(celery_app.conf, "task_publish_retry", False)
    return attempts


def save_everything(client, team_a, django_capture_on_commit_callbacks):
    """Record a case, write a note, move it, set and answer a check-in, as a caseworker
    would, running what each save queued for after its commit (a task enqueued with
    transaction.on_commit, as STYLE.md asks, runs there and nowhere else)."""
    with django_capture_on_commit_callbacks(execute=True) as queued:
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
    due = (timezone.now() + timezone.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    for name, data in [
        ("note_add", {"body": "still saved"}),
        ("case_move", {"to": "verifying"}),
        ("checkin_set", {"due_at": due}),
    ]:
        with django_capture_on_commit_callbacks(execute=True) as more:
            response = client.post(reverse(f"intake:{name}", args=[ref]), data)
        assert response.status_code == 302, (name, response.content[:400])
        queued += more
    from intake.models import Case

    case = Case.objects.get(reference=ref)
    checkin = case.checkins.get()
    with django_capture_on_commit_callbacks(execute=True) as more:
        response = client.post(reverse("intake:checkin_heard", args=[ref]), {"checkin": checkin.pk})
    assert response.status_code == 302
    queued += more
    case.refresh_from_db()
    assert (case.status, case.notes.count()) == ("verifying", 1)
    assert case.checkins.get().heard_at is not None
    return queued


def test_the_web_never_needs_the_broker(
    client, caseworker, team_a, broker_down, django_capture_on_commit_callbacks
):
    """With the broker down, every save still works: the web never reaches for it."""
    client.force_login(caseworker)
    save_everything(client, team_a, django_capture_on_commit_callbacks)
    assert broker_down == []


def test_the_broker_guard_catches_a_save_that_enqueues(
    client, caseworker, team_a, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    """The test above can fail: a note that enqueued a job after its commit is caught."""
    from django.db import transaction

    from intake import services as intake_services

    real = intake_services.note_add

    def note_add_and_enqueue(**kwargs):
        note = real(**kwargs)
        transaction.on_commit(lambda: heartbeat.delay())
        return note

    monkeypatch.setattr(intake_services, "note_add", note_add_and_enqueue)
    client.force_login(caseworker)
    from kombu.exceptions import OperationalError as BrokerError

    # kombu reports a refused Redis as its own OperationalError.
    with pytest.raises((ConnectionRefusedError, BrokerError), match="broker down"):
        save_everything(client, team_a, django_capture_on_commit_callbacks)
    assert len(broker_down) == 1


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
