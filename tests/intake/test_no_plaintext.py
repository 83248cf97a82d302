"""Markers typed into every sensitive field never reach storage, logs or URLs in the clear."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from intake import services
from intake.models import Case

MARKERS = {
    "alias": "MRKALIAS7Q",
    "contact_handle": "@mrkhandle7q",
    "safe_contact": "MRKSAFE7Q never call",
    "location": "MRKLOCATION7Q flat 3",
    "narrative": "MRKNARRATIVE7Q detained twice",
}
NOTE_MARKER = "MRKNOTE7Q spoke at noon"


def form_data(team):
    return {
        "team": team.pk,
        "contact_channel": "telegram",
        "region": "dagestan",
        "threats": ["extortion"],
        "needs": ["evacuation"],
        "languages": ["ru"],
        "risk": "4",
        **MARKERS,
    }


def all_markers():
    # Handles are normalised for the blind index; look for that form as well.
    return [*MARKERS.values(), NOTE_MARKER, "mrkhandle7q"]


def raw_database_text() -> str:
    """Every byte the database holds: the SQLite image, or every row of every PostgreSQL table."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.serialize().decode("latin-1")
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')  # noqa: S608
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks)


def table_text(*, exclude: tuple[str, ...] = ()) -> str:
    """Every row of every table but the excluded ones, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table not in exclude:
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                chunks += [repr(row) for row in cursor.fetchall()]
    return "\n".join(chunks)


def record_and_work_a_case(client, caseworker, team_a):
    client.force_login(caseworker)
    response = client.post(reverse("intake:case_create"), form_data(team_a))
    assert response.status_code == 302
    case = Case.objects.get()
    detail = reverse("intake:case_detail", args=[case.reference])
    assert (
        client.post(reverse("intake:note_add", args=[case.reference]), {"body": NOTE_MARKER})[
            "Location"
        ]
        == detail
    )
    page = client.get(detail)
    return case, response, page


@pytest.mark.django_db(transaction=True)
def test_no_marker_is_stored_in_the_clear(client, caseworker, team_a):
    case, _, page = record_and_work_a_case(client, caseworker, team_a)
    # The case page shows them, so they were really saved and read back.
    for marker in all_markers()[:-1]:
        assert marker.encode() in page.content
    raw = raw_database_text()
    assert case.reference in raw  # the dump is real
    for marker in all_markers():
        assert marker not in raw


@pytest.mark.django_db(transaction=True)
def test_no_marker_reaches_the_logs_or_sql(client, caseworker, team_a, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        record_and_work_a_case(client, caseworker, team_a)
    finally:
        connection.force_debug_cursor = False
    text = "\n".join(r.getMessage() + str(r.__dict__.get("params", "")) for r in caplog.records)
    assert "INSERT INTO" in text  # the SQL was captured
    for marker in all_markers():
        assert marker not in text


def test_urls_and_redirects_carry_only_the_reference(client, caseworker, team_a):
    case, response, page = record_and_work_a_case(client, caseworker, team_a)
    assert response["Location"] == reverse("intake:case_detail", args=[case.reference])
    for marker in all_markers():
        assert marker not in response["Location"]
    assert "no-store" in page["Cache-Control"]


def test_an_error_page_shows_no_marker_and_the_log_holds_none(
    client, caseworker, team_a, caplog, monkeypatch
):
    def explode(**kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(services, "case_create", explode)
    client.force_login(caseworker)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    response = client.post(reverse("intake:case_create"), form_data(team_a))
    assert response.status_code == 500
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    assert "simulated failure" in logged
    for marker in all_markers():
        assert marker.encode() not in response.content
        assert marker not in logged
