"""Statistics count no file: the tables are the same with files on the cases, and after
a purge takes cases with files."""

from django.conf import settings

from evidence import services, store
from evidence.models import EvidenceFile
from evidence.uploads import receive_bytes
from retention import services as retention
from tests.stats import history


def add_text_file(case, by, text="Saved chat, 12 March.\n"):
    return services.file_add(
        case=case,
        upload=receive_bytes("chat.txt", text.encode()),
        description="",
        by=by,
        max_pixels=settings.MAX_IMAGE_PIXELS,
    )


def test_files_change_no_table_and_a_purge_of_cases_with_files_keeps_them(
    team_a, caseworker, django_capture_on_commit_callbacks
):
    past = history.past(team_a)
    before_raw, before = history.raw(), history.published()
    for case in past[::3]:
        add_text_file(case, caseworker)
    assert EvidenceFile.objects.count() == len(past[::3])
    assert history.raw() == before_raw
    assert history.published() == before
    with django_capture_on_commit_callbacks(execute=True):
        purged = retention.purge_expired()
    assert sum(purged.values()) > 0
    assert history.raw() == before_raw
    assert history.published() == before
    # The purged cases' files went with them, rows and objects.
    live = {name for f in EvidenceFile.objects.all() for name in f.object_names()}
    assert store.names() == live
    assert not EvidenceFile.objects.filter(deleting_since__isnull=False).exists()
