"""Jobs on a real Redis broker: the message carries the task name and ids only."""

import json
import uuid

import pytest
from django.conf import settings

from config import celery_app
from ops.tasks import heartbeat


@pytest.mark.redis
def test_a_task_reaches_redis_as_a_json_message_without_payload():
    import redis

    queue = f"test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        heartbeat.apply_async(queue=queue)
        raw = client.lrange(queue, 0, -1)
        assert len(raw) == 1
        message = json.loads(raw[0])
        assert message["headers"]["task"] == "ops.tasks.heartbeat"
        assert message["content-type"] == "application/json"
        assert json.loads(__import__("base64").b64decode(message["body"]))[0] == []
    finally:
        client.delete(queue)


def test_the_broker_accepts_json_only():
    # Pickle in a broker is code execution for whoever can write to Redis.
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_serializer == "json"


def test_tasks_are_acknowledged_after_they_run():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
