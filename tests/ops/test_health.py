"""/health/ reports the database (read and write), the broker, the keys and the jobs apart."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu import Connection

from crypto import keycheck
from ops import views
from ops.models import Heartbeat
from ops.tasks import heartbeat

ALL_OK = {"database": "ok", "broker": "ok", "keys": "ok", "jobs": "ok"}


@pytest.fixture
def jobs_alive(db):
    heartbeat()


def test_everything_ok_is_200_and_says_nothing_else(client, case, jobs_alive):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert case.reference.encode() not in response.content


def test_the_heartbeat_job_is_idempotent(db):
    heartbeat()
    heartbeat()
    assert Heartbeat.objects.filter(name="jobs").count() == 1


@pytest.mark.parametrize(("age", "jobs"), [(30, "ok"), (61, "late"), (600, "late")])
def test_jobs_are_late_after_three_missed_heartbeats_not_three_minutes(client, db, age, jobs):
    Heartbeat.objects.create(name="jobs", seen_at=timezone.now() - timedelta(seconds=age))
    response = client.get("/health/")
    assert response.json()["jobs"] == jobs
    assert response.status_code == (200 if jobs == "ok" else 503)


def test_no_heartbeat_yet_is_late(client, db):
    response = client.get("/health/")
    assert (response.status_code, response.json()["jobs"]) == (503, "late")


def test_a_broker_out_of_reach_is_reported(client, jobs_alive, monkeypatch):
    class DeadBroker:
        def connection_for_write(self, **kwargs):
            return Connection("redis://127.0.0.1:9/0", **kwargs)  # nothing listens on 9

    monkeypatch.setattr(views, "current_app", DeadBroker())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "broker": "down"}


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="SQLite's switch"
)
def test_sqlite_refusing_writes_is_reported_read_only(client, jobs_alive):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        response = client.get("/health/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "database": "read-only"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_in_read_only_transactions_is_reported_read_only(client):
    heartbeat()
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        response = client.get("/health/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "database": "read-only"}


def test_a_dead_database_is_503_json_even_with_a_session_cookie(client, caseworker, monkeypatch):
    client.force_login(caseworker)

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(type(connections["default"]), "ensure_connection", down)
        patch.setattr(type(connections["default"]), "cursor", down)
        response = client.get("/health/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "database": "down",
        "broker": "ok",
        "keys": "unknown",
        "jobs": "unknown",
    }


def test_it_never_looks_up_the_session_or_the_user(client, caseworker, jobs_alive):
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/health/").status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "accounts_staffsession" not in read
    assert "accounts_user" not in read


def test_wrong_keys_are_reported(client, jobs_alive, monkeypatch):
    monkeypatch.setattr(keycheck, "check", lambda: (_ for _ in ()).throw(keycheck.KeyMismatch("x")))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "keys": "wrong"}
