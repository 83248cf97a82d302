from datetime import timedelta

from django.utils import timezone

from ops.models import Heartbeat
from ops.tasks import heartbeat


def test_it_answers_without_sign_in_and_reveals_nothing(client, case):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "jobs": "late"}
    assert case.reference.encode() not in response.content


def test_the_heartbeat_job_marks_jobs_alive_and_is_idempotent(client, db):
    heartbeat()
    heartbeat()
    assert Heartbeat.objects.count() == 1
    assert client.get("/health/").json()["jobs"] == "ok"


def test_a_stale_heartbeat_is_reported_late(client, db):
    Heartbeat.objects.create(name="jobs", seen_at=timezone.now() - timedelta(minutes=10))
    assert client.get("/health/").json()["jobs"] == "late"
