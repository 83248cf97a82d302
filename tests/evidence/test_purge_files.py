"""A purge or "forget" takes the files' objects and keys with the case; a store that
fails, or a purge killed midway, leaves rows the sweep job finishes, and never an
object without a row nor a row without its objects."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from encrypted_model_fields import fields as library

from evidence import consistency, store, tasks
from evidence.models import EvidenceFile, FileShare
from intake.models import Case
from portal import services as portal
from retention.services import FORGOTTEN, case_purge
from tests.evidence import samples
from tests.evidence.conftest import TEXT, add_file, open_referral, share, spooled, stored
from tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]
NAME = "MARKER-NAME-ZELIMKHAN.jpg"


@pytest.fixture
def files(case, caseworker, partner_org):
    """A photograph (original and cleaned copy) and a text (one object), one of them shared."""
    photo = add_file(case, caseworker, samples.jpeg(), name=NAME, description="The bruises.")
    text = add_file(case, caseworker, TEXT, name="statement.txt")
    share(photo, open_referral(case, partner_org, caseworker), caseworker)
    return [photo, text]


@pytest.fixture
def kept(team_a, caseworker):
    """Another case's file, which no purge of the first may touch."""
    other = CaseFactory(team=team_a)
    return add_file(other, caseworker, samples.png(), name="other.png")


def objects_of(*files: EvidenceFile) -> set[str]:
    return {name for f in files for name in f.object_names()}


def raw_column(file_pk: int, column: str):
    """A column as the database holds it: for an encrypted field, its token."""
    table = connection.ops.quote_name(EvidenceFile._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [file_pk])  # noqa: S608
        return cursor.fetchone()[0]


def sweep() -> tuple[int, int]:
    """Run the sweep job as the worker would; (rows deleted, rows kept for later)."""
    result = tasks.sweep()
    return result["deleted"], result["kept"]


def assert_consistent(*, marked: int = 0) -> None:
    report = consistency.compare()
    assert report.objects_without_rows == []
    assert report.rows_without_objects == []
    assert report.marked_for_deletion == marked


# --- A purge that goes through ---------------------------------------------------------


def test_a_purge_deletes_the_files_objects_and_rows_with_the_case(
    case, files, kept, django_capture_on_commit_callbacks
):
    assert set(stored()) == objects_of(*files, kept)
    assert len(objects_of(*files)) == 4  # a photo's original, copy and preview; a text
    assert FileShare.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert case_purge(case_id=case.pk, reason=FORGOTTEN) == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert list(EvidenceFile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not FileShare.objects.exists()
    assert set(stored()) == objects_of(kept)  # the other case's objects stay
    assert spooled() == {}
    assert_consistent()


def test_the_purge_empties_the_rows_before_the_store_is_asked(
    case, files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_purge(case_id=case.pk, reason=FORGOTTEN)
    # Committed, the store not yet asked: the keys are already gone with the case.
    assert len(callbacks) == 1
    for row in EvidenceFile.objects.filter(pk__in=[f.pk for f in files]):
        assert row.case_id is None and row.deleting_since is not None
        assert bytes(row.wrapped_key) == b"" and row.key_id == ""
        assert (row.name, row.description, row.kind, row.sha256) == ("", "", "", "")
    assert set(stored()) == objects_of(*files)
    callbacks[0]()
    assert not EvidenceFile.objects.exists()
    assert stored() == {}


def test_forget_on_the_portal_deletes_the_files_too(
    case, files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert portal.forget(case=case, duress=False) is True
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not EvidenceFile.objects.exists()
    assert stored() == {}
    assert spooled() == {}


def test_forget_under_duress_keeps_the_files(case, files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert portal.forget(case=case, duress=True) is True  # what the real one would hear
    assert set(EvidenceFile.objects.live().values_list("pk", flat=True)) == {f.pk for f in files}
    assert set(stored()) == objects_of(*files)


# --- A store that refuses -------------------------------------------------------------


def test_a_store_that_refuses_leaves_the_rows_emptied_and_marked_until_the_sweep(
    case, files, kept, monkeypatch, django_capture_on_commit_callbacks
):
    real_delete = store.delete

    def store_down(name):
        raise OSError("the store is down")

    monkeypatch.setattr(store, "delete", store_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_purge(case_id=case.pk, reason=FORGOTTEN) == 1
    assert not Case.objects.filter(pk=case.pk).exists()  # the case goes anyway
    rows = EvidenceFile.objects.filter(pk__in=[f.pk for f in files])
    assert rows.count() == 2
    for row in rows:
        assert row.deleting_since is not None and row.case_id is None
        assert bytes(row.wrapped_key) == b"" and row.key_id == ""
        token = raw_column(row.pk, "name")
        assert NAME not in token and "statement" not in token
        assert library.decrypt_str(token) == ""
        assert library.decrypt_str(raw_column(row.pk, "description")) == ""
    assert set(stored()) == objects_of(*files, kept)
    # Objects that rows still name: neither an orphan nor a missing file.
    assert_consistent(marked=2)
    # The store refuses still: the job keeps every row for next time.
    assert sweep() == (0, 2)
    assert rows.count() == 2
    monkeypatch.setattr(store, "delete", real_delete)
    assert sweep() == (2, 0)
    assert list(EvidenceFile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert set(stored()) == objects_of(kept)
    assert_consistent()


def test_a_store_that_refuses_one_object_keeps_only_that_row(
    case, files, monkeypatch, django_capture_on_commit_callbacks
):
    photo, text = files
    real_delete = store.delete

    def refuses_the_photo(name):
        if name in objects_of(photo):
            raise OSError("this object is locked")
        real_delete(name)

    monkeypatch.setattr(store, "delete", refuses_the_photo)
    with django_capture_on_commit_callbacks(execute=True):
        case_purge(case_id=case.pk, reason=FORGOTTEN)
    assert list(EvidenceFile.objects.values_list("pk", flat=True)) == [photo.pk]
    assert set(stored()) == objects_of(photo)
    assert_consistent(marked=1)


# --- A purge killed midway ---------------------------------------------------------------

# Run in a process of its own: the purge of one case, with the store (or the
# purge) made to stop at one point and wait there to be killed.
CHILD = """
import os, sys, time
from pathlib import Path

import django

django.setup()

from evidence import store
from retention import services

stopped = Path(os.environ["PURGE_STOPPED"])


def stop_here(what):
    stopped.write_text(what)
    time.sleep(120)  # SIGKILLed here, long before this ends
    sys.exit("not killed")


point = os.environ["PURGE_KILLED_AT"]
if point == "in_the_transaction":
    release = services.release_for_cases

    def release_then_stop(case_ids):
        ids = release(case_ids)
        stop_here("released, not committed")
        return ids

    services.release_for_cases = release_then_stop
else:
    delete = store.delete

    def delete_then_stop(name):
        if point == "after_the_first_object":
            delete(name)
        stop_here(name)

    store.delete = delete_then_stop
from intake.models import Case

case = Case.objects.get(reference=sys.argv[1])
services.case_purge(case_id=case.pk, reason=services.FORGOTTEN)
sys.exit("the purge ended without stopping")
"""


class SharedDatabase:
    """The test database where another process reaches it, for the time that process runs.

    PostgreSQL's test database is one that any process may connect to. SQLite's
    is in this process's memory (Django's default for tests): it is copied to a
    file for the child, and the file, as the killed child left it, copied back.
    """

    def __init__(self, folder: Path):
        self.file = folder / "shared.sqlite3"

    def url(self) -> str:
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            host, port = db["HOST"] or "localhost", db["PORT"] or 5432
            return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"
        assert connection.vendor == "sqlite", connection.vendor
        connection.ensure_connection()
        target = sqlite3.connect(self.file)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{self.file}"

    def take_back(self) -> None:
        if connection.vendor != "sqlite":
            return
        source = sqlite3.connect(self.file)  # replays what the child committed to its WAL
        source.backup(connection.connection)
        source.close()


def purge_killed(case, point: str, tmp_path: Path, settings) -> str:
    """Purge `case` in a child process, SIGKILL it at `point`; return what it stopped at."""
    var = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"]).parent
    shared = SharedDatabase(tmp_path)
    stopped = tmp_path / "stopped"
    env = {
        **os.environ,
        "CORRIDOR_VAR_DIR": str(var),  # its var/files and var/spool are this test's store
        "DATABASE_URL": shared.url(),
        "PURGE_KILLED_AT": point,
        "PURGE_STOPPED": str(stopped),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if connection.vendor == "postgresql" and connection.settings_dict.get("PASSWORD"):
        env["DATABASE_PASSWORD"] = connection.settings_dict["PASSWORD"]
    env.pop("CELERY_BROKER_URL", None)  # nothing is sent: the filesystem broker, under var
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, case.reference],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not stopped.exists():
            if child.poll() is not None:
                pytest.fail(f"the purge process ended by itself: {child.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("the purge process never reached the point to kill it at")
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)  # kill -9: no cleanup, no exception handler runs
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        child.stdout.close()
        child.stderr.close()
    shared.take_back()
    return stopped.read_text()


@pytest.fixture
def files_in_var(settings, tmp_path_factory):
    """The store and spool at var/files and var/spool, where the child's settings put them."""
    var = tmp_path_factory.mktemp("var")
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            **settings.STORAGES["evidence"],
            "OPTIONS": {**settings.STORAGES["evidence"]["OPTIONS"], "location": str(var / "files")},
        },
    }
    settings.FILE_SPOOL_DIR = var / "spool"
    return var


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["before_the_first_object", "after_the_first_object"])
def test_a_purge_killed_after_its_commit_leaves_rows_the_sweep_finishes(
    point, files_in_var, team_a, caseworker, tmp_path, settings
):
    case = CaseFactory(team=team_a)
    mine = [
        add_file(case, caseworker, samples.jpeg(), name=NAME),
        add_file(case, caseworker, samples.png(), name="second.png"),
    ]
    kept = add_file(CaseFactory(team=team_a), caseworker, TEXT, name="other.txt")
    references = [f.reference for f in mine]
    assert set(stored()) == objects_of(*mine, kept)

    stopped_at = purge_killed(case, point, tmp_path, settings)

    # The purge had committed: the case is gone, its files emptied and marked.
    assert not Case.objects.filter(pk=case.pk).exists()
    rows = EvidenceFile.objects.filter(reference__in=references)
    assert rows.count() == 2
    assert all(bytes(r.wrapped_key) == b"" and r.deleting_since is not None for r in rows)
    assert stopped_at in objects_of(*mine)
    if point == "after_the_first_object":
        # That one went; the sweep's other threads may have deleted others meanwhile.
        assert stopped_at not in stored()
        assert objects_of(kept) <= set(stored()) <= objects_of(*mine, kept)
    else:
        assert set(stored()) == objects_of(*mine, kept)
    assert_consistent(marked=2)  # what is left is named by rows waiting for the sweep

    assert sweep() == (2, 0)

    assert_consistent()
    assert not EvidenceFile.objects.filter(reference__in=references).exists()
    assert set(stored()) == objects_of(kept)
    assert spooled() == {}


@pytest.mark.django_db(transaction=True)
def test_a_purge_killed_inside_its_transaction_leaves_the_case_whole(
    files_in_var, team_a, caseworker, tmp_path, settings, client_for
):
    case = CaseFactory(team=team_a)
    photo = add_file(case, caseworker, samples.jpeg(), name=NAME)

    assert purge_killed(case, "in_the_transaction", tmp_path, settings) == (
        "released, not committed"
    )

    # Rolled back with the process: the case, the row and its key, every object.
    assert Case.objects.filter(pk=case.pk).exists()
    row = EvidenceFile.objects.live().get(pk=photo.pk)
    assert row.name == NAME and bytes(row.wrapped_key) == bytes(photo.wrapped_key)
    assert set(stored()) == objects_of(photo)
    assert_consistent()
    response = client_for(caseworker).get(f"/files/{photo.reference}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert sweep() == (0, 0)
