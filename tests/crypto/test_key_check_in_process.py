"""The start-up and after-migrate checks, run in this process (the subprocess
tests in test_key_check.py show the same for real processes, but nothing
they run is traced back to the code under test)."""

import io
import time

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.management import call_command
from django.db import connection
from encrypted_model_fields import fields as library

from crypto import keycheck
from crypto.models import KeyCheck
from tests.factories import CaseFactory

WRONG = "FIELD_ENCRYPTION_KEYS cannot decrypt the stored key check"


def new_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def use_keys(settings, monkeypatch):
    """Configure this process with other keys, as a restart with another environment would."""

    def configure(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEY = list(keys)
        monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(k) for k in keys]))
        keycheck.forget()

    return configure


@pytest.fixture
def wrong_keys(use_keys):
    """This process now holds an unrelated key."""
    use_keys(new_key())


def checked_a_moment_ago():
    keycheck._state.update(problem=None, checked_at=time.monotonic())


def test_a_start_with_wrong_keys_stops_with_ex_config_and_says_why(db, wrong_keys, capsys):
    checked_a_moment_ago()  # the start check looks again, however recent the last one
    with pytest.raises(SystemExit) as stopped:
        keycheck.verify_or_exit("worker")
    assert stopped.value.code == 78
    assert capsys.readouterr().err.startswith(f"worker not started: {WRONG}")


def test_a_start_with_wrong_keys_raises_the_reason(db, wrong_keys):
    checked_a_moment_ago()
    with pytest.raises(keycheck.KeyMismatch, match=f"^{WRONG}"):
        keycheck.verify_at_start()


def test_a_start_with_the_right_keys_passes(db):
    keycheck.verify_or_exit("web")
    assert keycheck.problem() is None


def test_after_migrate_the_keys_are_checked_again_at_once(db, wrong_keys):
    # migrate started with a check that passed; the migration may have
    # written or changed the key check since.
    checked_a_moment_ago()
    with pytest.raises(keycheck.KeyMismatch, match=f"^{WRONG}"):
        keycheck.record_after_migrate()


def test_after_migrate_with_the_right_keys_nothing_is_raised(db):
    keycheck.record_after_migrate()
    assert keycheck._state["problem"] is None


def test_two_processes_writing_the_first_check_leave_one_row(db):
    KeyCheck.objects.all().delete()
    keycheck.record_first_check()
    keycheck.record_first_check()  # a second process, which also found none
    assert list(KeyCheck.objects.values_list("pk", flat=True)) == [1]


def test_a_key_fingerprint_never_changes_between_releases():
    # Stored fingerprints say which keys were retired: a new way of computing
    # them would make every retired key look new again.
    key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    assert keycheck.fingerprint(key) == "d50f805265fcd44d"


# --- What the operator reads, word for word ---


def refusal() -> str:
    with pytest.raises(keycheck.KeyMismatch) as caught:
        keycheck.check()
    return str(caught.value)


def test_wrong_keys_are_told_to_restore_the_right_ones(db, wrong_keys):
    assert refusal() == (
        "FIELD_ENCRYPTION_KEYS cannot decrypt the stored key check: the keys are wrong "
        "or one is missing. Restore the keys this database was written with; "
        "nothing was read or saved."
    )


def test_a_retired_key_put_first_is_told_it_never_encrypts_again(db, settings, use_keys):
    old = list(settings.FIELD_ENCRYPTION_KEY)
    new = new_key()
    use_keys(new, *old)
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    use_keys(*old, new)
    assert refusal() == (
        "The first key in FIELD_ENCRYPTION_KEYS was retired by a key rotation. "
        "Put the current key first; an old key never encrypts again."
    )


def test_a_new_key_put_first_is_told_the_one_way_it_is_taken(db, settings, use_keys):
    use_keys(new_key(), *settings.FIELD_ENCRYPTION_KEY)
    assert refusal() == (
        "The first key in FIELD_ENCRYPTION_KEYS has never encrypted this database. "
        "A new key is taken only by `manage.py rotate_encryption_keys` "
        "(README: Rotating the encryption key); until then put the current key first."
    )


def test_the_first_check_does_not_read_tables_a_migration_has_not_created_yet(
    db, use_keys, settings, monkeypatch
):
    # A case the new keys cannot read, in a table that (as far as the check
    # can tell) does not exist yet: migrate is still creating tables.
    CaseFactory()
    KeyCheck.objects.all().delete()
    use_keys(new_key())
    real = connection.introspection.table_names
    monkeypatch.setattr(
        connection.introspection,
        "table_names",
        lambda *args, **kwargs: [t for t in real(*args, **kwargs) if t != "intake_case"],
    )
    keycheck.record_first_check()
    assert KeyCheck.objects.count() == 1


# --- When a running process looks again ---


def test_a_check_is_due_exactly_check_every_seconds_after_the_last(db, wrong_keys, monkeypatch):
    monkeypatch.setattr(keycheck.time, "monotonic", lambda: 1000.0)
    keycheck._state.update(problem=None, checked_at=1000.0 - keycheck.CHECK_EVERY)
    assert keycheck.problem().startswith(WRONG)


def test_a_problem_found_earlier_is_cleared_once_the_keys_read_the_check(db):
    # The database was restored with its key check while the process ran.
    keycheck._state.update(problem="found a minute ago", checked_at=None)
    assert keycheck.problem() is None
    assert keycheck._state["problem"] is None


def test_between_checks_a_running_process_does_not_query_again(db, django_assert_num_queries):
    keycheck.forget()
    assert keycheck.problem() is None  # looks now: nothing checked yet
    with django_assert_num_queries(0):
        assert keycheck.problem() is None


def test_while_the_keys_are_wrong_a_save_names_the_model_it_refused(db, wrong_keys):
    assert keycheck.problem(force=True)
    with pytest.raises(keycheck.KeyMismatch) as caught:
        CaseFactory()
    assert str(caught.value).startswith(f"Case was not saved: {WRONG}")


def test_forgetting_clears_what_was_found_so_nothing_is_refused_meanwhile():
    keycheck._state.update(problem="found before the rotation", checked_at=time.monotonic())
    keycheck.forget()
    keycheck.refuse_write("Case")  # raises if the old problem were kept
    assert keycheck._state == {
        "problem": None,
        "checked_at": None,
        "blind_index_key_changing": False,  # only the rebuild's own start sets it
    }
