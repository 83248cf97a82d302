"""The counts the key commands report: rows read, rows re-encrypted, values still stale.

The operator decides from them whether a key may be destroyed, so they are
checked exactly, on a database holding eight cases and nothing else encrypted.
"""

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.db import connection
from encrypted_model_fields import fields as library

from crypto.canary import encrypted_fields, verify_keys
from crypto.rotation import rotate_all, values_needing_old_keys
from intake.models import Case
from tests.factories import CaseFactory

CASES = 8
# alias, contact handle, safe contact, location, narrative
VALUES_PER_CASE = 5


@pytest.fixture
def eight_cases(db):
    CaseFactory.create_batch(CASES)
    populated = [m for m, _ in encrypted_fields() if m.objects.exists()]
    assert populated == [Case], "the counts below assume nothing else is encrypted"


def test_every_row_is_read_when_asked_for_all(eight_cases):
    assert verify_keys(sample=None) == CASES


def test_a_sample_reads_the_oldest_and_the_newest_three(eight_cases):
    assert verify_keys() == 6
    assert verify_keys(sample=3) == 6


def test_a_table_not_created_yet_is_skipped_only_when_asked(eight_cases, monkeypatch):
    # Mid-migration: the case table does not exist yet.
    real = connection.introspection.table_names
    monkeypatch.setattr(
        connection.introspection,
        "table_names",
        lambda *args, **kwargs: [t for t in real(*args, **kwargs) if t != "intake_case"],
    )
    assert verify_keys(sample=None, only_existing_tables=True) == 0
    assert verify_keys(sample=None) == CASES


def test_a_table_not_created_yet_does_not_stop_the_check_of_the_others(db, monkeypatch):
    from tests.factories import NoteFactory

    NoteFactory.create_batch(2)  # two notes, on two cases
    missing = Case._meta.db_table
    real = connection.introspection.table_names
    monkeypatch.setattr(
        connection.introspection,
        "table_names",
        lambda *args, **kwargs: [t for t in real(*args, **kwargs) if t != missing],
    )
    assert verify_keys(sample=None, only_existing_tables=True) == 2


def test_rotation_counts_every_row_once_and_reports_progress(eight_cases):
    seen = []
    assert rotate_all(seen.append) == CASES
    assert seen == [CASES]


def test_every_value_under_an_old_key_is_counted(eight_cases, settings, monkeypatch):
    old = list(settings.FIELD_ENCRYPTION_KEY)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = [new, *old]
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(k) for k in [new, *old]]))
    assert values_needing_old_keys() == CASES * VALUES_PER_CASE
    rotate_all()
    assert values_needing_old_keys() == 0
