"""What the store and the rows say about each other (`manage.py check_files`)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from evidence import store
from evidence.models import EvidenceFile

# An object this young may be an upload whose row is not committed yet.
IN_FLIGHT = timedelta(hours=1)


@dataclass(frozen=True)
class Report:
    objects_without_rows: list[str]
    rows_without_objects: list[str]  # file references
    marked_for_deletion: int

    @property
    def consistent(self) -> bool:
        return not self.objects_without_rows and not self.rows_without_objects


def compare() -> Report:
    objects = store.names()
    named: set[str] = set()
    missing: list[str] = []
    marked = 0
    rows = EvidenceFile.objects.only(
        "reference", "original_object", "clean_object", "preview_object", "deleting_since"
    )
    for row in rows.iterator(chunk_size=2000):
        names = row.object_names()
        named.update(names)
        if row.deleting_since is not None:
            marked += 1  # its objects may be gone already: the sweep deletes the row next
        elif any(name not in objects for name in names):
            missing.append(row.reference)
    return Report(sorted(objects - named), sorted(missing), marked)


def delete_orphans(report: Report) -> int:
    """Delete the objects no row names, but those young enough to be an upload in flight."""
    cutoff = timezone.now() - IN_FLIGHT
    deleted = 0
    for name in report.objects_without_rows:
        try:
            modified = store.store().get_modified_time(name)
        except (OSError, NotImplementedError):
            continue
        if modified < cutoff:
            store.delete(name)
            deleted += 1
    return deleted
