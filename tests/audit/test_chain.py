import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import Action, AuditEvent
from audit.services import record, verify_chain
from tests.concurrency import run_at_once


def write(n):
    return [record(Action.VIEW, object_type="case", object_ref=f"REF-{i}") for i in range(n)]


def test_an_untouched_chain_verifies(db, capsys):
    events = write(5)
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    call_command("verify_audit_chain")
    assert "Audit chain intact: 5 events." in capsys.readouterr().out


def test_a_changed_event_is_the_first_broken_link(db):
    events = write(5)
    with connection.cursor() as cursor:
        # Around the model, as someone with database access would.
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(
            "UPDATE audit_auditevent SET object_ref = 'OTHER' WHERE id = %s", [events[2].id]
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
    report = verify_chain()
    assert (report.ok, report.first_bad_id, report.checked) == (False, events[2].id, 2)
    with pytest.raises(CommandError, match=f"broken at event {events[2].id}"):
        call_command("verify_audit_chain")


def test_removed_newest_events_are_noticed(db):
    events = write(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
    assert verify_chain().reason == "the newest events are missing"


def test_the_model_refuses_change_and_deletion(db):
    (event,) = write(1)
    event.object_ref = "changed"
    for attempt in (
        event.save,
        event.delete,
        lambda: AuditEvent.objects.filter(pk=event.pk).update(object_ref="x"),
        lambda: AuditEvent.objects.all().delete(),
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert AuditEvent.objects.get().object_ref == "REF-0"


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_even_in_raw_sql(db):
    (event,) = write(1)
    for sql in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEvent.objects.get().action == "view"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    outcomes = run_at_once(lambda: write(20), times=4)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 80)
