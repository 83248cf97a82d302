"""An alias that is a marker, recorded, searched for and opened: in the clear nowhere.

Not in the token table, the audit trail, the logs (SQL and its parameters
included) or the sessions; not even as the keyed token of a searched word
in the trail, which would let anyone with the key test a guess.
"""

import logging

import pytest
from django.db import connection
from django.urls import reverse
from django.views.debug import ExceptionReporter

from accounts.models import StaffSession
from accounts.sessions import SessionStore
from audit.models import Action, AuditEvent
from crypto.blind_index import blind_index
from intake.models import Case, SearchToken
from intake.search import word_token, words
from tests.intake.search_helpers import search
from tests.intake.test_no_plaintext import form_data, raw_database_text

pytestmark = pytest.mark.django_db(transaction=True)

ALIAS = "Zmrkalias Rusmrkan"
# What the alias becomes on its way to a token: each form must stay out too.
FORMS = [ALIAS, "Zmrkalias", "zmrkalias", "Rusmrkan", "rusmrkan", "ZMRKALIAS"]


def record_search_and_open(client, caseworker, team_a):
    client.force_login(caseworker)
    response = client.post(
        reverse("intake:case_create"), {**form_data(team_a), "alias": ALIAS}, follow=True
    )
    assert response.status_code == 200
    case = Case.objects.get()
    results = search(client, "ZMRKALIAS")
    assert [c.reference for c in results.context["page"].object_list] == [case.reference]
    assert ALIAS in results.content.decode()  # really recorded, searched and shown
    assert client.get(case.page_url).status_code == 200
    return case


def every_form(case) -> list[str]:
    folded = words(ALIAS)
    assert folded == ["zmrkalias", "rusmrkan"]
    hashed = [word_token(case.team_id, word) for word in folded]
    return [*FORMS, *folded, *hashed]


def test_the_token_table_holds_no_marker_and_the_trail_no_term(client, caseworker, team_a):
    case = record_search_and_open(client, caseworker, team_a)
    tokens = list(SearchToken.objects.values_list("token", "case_id"))
    assert len(tokens) == 2
    for token, _case_id in tokens:
        for marker in FORMS:
            assert marker.lower() not in token.lower()
    trail = "\n".join(
        repr((e.action, e.object_type, e.object_ref, e.detail, e.ip_hash))
        for e in AuditEvent.objects.order_by("id")
    )
    assert case.reference in trail
    assert AuditEvent.objects.filter(action=Action.SEARCH).get().detail == {"results": 1}
    for marker in every_form(case) + [blind_index("ZMRKALIAS")]:
        assert marker not in trail


def test_the_database_holds_no_marker_in_the_clear(client, caseworker, team_a):
    case = record_search_and_open(client, caseworker, team_a)
    raw = raw_database_text()
    assert case.reference in raw and word_token(case.team_id, "rusmrkan") in raw
    for marker in FORMS:
        assert marker not in raw
        assert marker.lower() not in raw


def test_no_log_record_or_sql_parameter_holds_the_marker(client, caseworker, team_a, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # every SQL statement with its parameters
    try:
        record_search_and_open(client, caseworker, team_a)
    finally:
        connection.force_debug_cursor = False
    text = "\n".join(r.getMessage() + str(r.__dict__.get("params", "")) for r in caplog.records)
    assert "intake_searchtoken" in text  # the search's SQL was captured
    for marker in FORMS:
        assert marker not in text
        assert marker.lower() not in text


def test_no_session_holds_the_marker(client, caseworker, team_a):
    record_search_and_open(client, caseworker, team_a)
    sessions = list(StaffSession.objects.all())
    assert sessions
    decoded = "\n".join(
        s.session_data + repr(SessionStore().decode(s.session_data)) for s in sessions
    )
    assert "_auth_user_id" in decoded
    for marker in FORMS:
        assert marker not in decoded
        assert marker.lower() not in decoded


def test_an_error_while_searching_shows_and_logs_no_term(
    client, caseworker, team_a, caplog, monkeypatch
):
    from intake import search_views

    def explode(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(search_views, "search_cases", explode)
    client.force_login(caseworker)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    response = search(client, "Zmrkalias")
    assert response.status_code == 500
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    assert "simulated failure" in logged
    assert b"Zmrkalias" not in response.content
    assert "Zmrkalias" not in logged
    # The report an administrator would be mailed (POST, frames and all).
    [failure] = [r for r in caplog.records if r.exc_info and hasattr(r, "request")]
    report = ExceptionReporter(failure.request, *failure.exc_info).get_traceback_text()
    assert "simulated failure" in report and "/cases/search/" in report
    assert "Zmrkalias" not in report
