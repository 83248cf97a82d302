"""What the store and the rows say about each other: `consistency.compare()` and
`manage.py check_files`, which fails on an object without a row or a row without
its objects, and deletes only orphans older than an upload could be in flight."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from evidence import consistency, store
from evidence.models import EvidenceFile, new_object_name
from evidence.services import release_for_cases
from tests.evidence import samples
from tests.evidence.conftest import TEXT, add_file, store_root, stored

AGREE = "The file store and the file rows agree."


@pytest.fixture
def photo(case, caseworker):
    return add_file(case, caseworker, samples.jpeg(), name="injury.jpg")


@pytest.fixture
def text(case, caseworker):
    return add_file(case, caseworker, TEXT, name="statement.txt")


def check_files(*args: str) -> str:
    out = io.StringIO()
    call_command("check_files", *args, stdout=out)
    return out.getvalue()


def check_files_fails(*args: str) -> tuple[str, str]:
    """The command's output and the error it exits non-zero with."""
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("check_files", *args, stdout=out)
    return out.getvalue(), str(failed.value)


def stray(*, age_seconds: float = 0) -> str:
    """An object no row names, as a crash between storing an upload and its row leaves."""
    name = new_object_name()
    store.store().save(name, ContentFile(os.urandom(64)))
    if age_seconds:
        then = time.time() - age_seconds
        os.utime(store_root() / name, (then, then))
    return name


def test_a_consistent_store_is_reported_so(photo, text):
    # The text is its own working copy; the photo has its original, copy and preview.
    assert len(stored()) == 4
    report = consistency.compare()
    assert report == consistency.Report([], [], 0)
    assert report.consistent
    assert check_files().strip() == AGREE


def test_an_empty_store_before_the_first_file_agrees(db):
    assert not store_root().exists()
    assert consistency.compare().consistent
    assert check_files().strip() == AGREE


def test_an_object_without_a_row_is_reported_and_fails_the_command(photo):
    name = stray()
    report = consistency.compare()
    assert report.objects_without_rows == [name]
    assert report.rows_without_objects == []
    assert not report.consistent
    out, error = check_files_fails()
    assert f"object without a row: {name}" in out
    assert error == "1 objects without a row, 0 files without their objects"
    assert name in stored()  # reporting deletes nothing


def test_delete_orphans_keeps_an_object_young_enough_to_be_an_upload_in_flight(photo):
    name = stray(age_seconds=59 * 60)
    out, error = check_files_fails("--delete-orphans")
    assert "deleted 0 objects without a row" in out
    assert error.startswith("1 objects without a row")
    assert name in stored()


def test_delete_orphans_deletes_an_object_older_than_an_hour_and_nothing_else(photo, text):
    before = set(stored())
    name = stray(age_seconds=61 * 60)
    out = check_files("--delete-orphans")
    assert "deleted 1 objects without a row" in out
    assert out.strip().endswith(AGREE)
    assert set(stored()) == before  # the files' own objects stay, however old
    assert EvidenceFile.objects.count() == 2
    assert name not in stored()


def test_delete_orphans_takes_the_old_and_still_fails_on_the_young(photo):
    old, young = stray(age_seconds=2 * 3600), stray()
    out, error = check_files_fails("--delete-orphans")
    assert "deleted 1 objects without a row" in out
    assert set(consistency.compare().objects_without_rows) == {young}
    assert old not in stored() and young in stored()
    assert error.startswith("1 objects without a row")


def test_an_old_object_of_a_file_is_never_an_orphan(photo):
    hours_ago = time.time() - 5 * 3600
    for name in photo.object_names():
        os.utime(store_root() / name, (hours_ago, hours_ago))
    assert check_files("--delete-orphans").strip().endswith(AGREE)
    assert set(stored()) == set(photo.object_names())


@pytest.mark.parametrize("copy", ["original_object", "clean_object", "preview_object"])
def test_a_row_whose_object_was_deleted_is_reported_and_fails_the_command(photo, copy):
    store.delete(getattr(photo, copy))
    report = consistency.compare()
    assert report.rows_without_objects == [photo.reference]
    assert report.objects_without_rows == []
    out, error = check_files_fails("--delete-orphans")  # which cannot mend this
    assert f"file without its objects: {photo.reference}" in out
    assert error == "0 objects without a row, 1 files without their objects"
    assert EvidenceFile.objects.filter(pk=photo.pk).exists()  # the row is never deleted


def test_a_text_file_is_one_object_for_both_copies(text):
    assert text.original_object == text.clean_object
    assert consistency.compare().consistent
    store.delete(text.original_object)
    assert consistency.compare().rows_without_objects == [text.reference]


def test_rows_marked_for_deletion_wait_for_the_sweep_and_are_not_missing(case, photo):
    # A purge emptied and marked them; the store then deleted one of the two objects.
    release_for_cases([case.pk])
    store.delete(photo.clean_object)
    report = consistency.compare()
    assert report == consistency.Report([], [], 1)
    out = check_files()
    assert "1 files of purged cases wait for the sweep job" in out
    assert out.strip().endswith(AGREE)


def test_an_upload_in_the_spool_is_not_in_the_store(photo):
    store.new_spool_path().write_bytes(os.urandom(32))  # an upload being received
    assert consistency.compare().consistent
