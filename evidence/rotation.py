"""Re-wrap every file's data key under the first of FILE_ENCRYPTION_KEYS.

No file is re-encrypted: a file's data key does not change, only the key
wrapping it. Afterwards no row needs an older file key, and destroying it
makes every backup of the database taken under it unable to open a file.
"""

from collections.abc import Callable

from django.db import transaction

from evidence import keys
from evidence.models import EvidenceFile

BATCH_SIZE = 500


def _stale():
    return EvidenceFile.objects.live().exclude(key_id=keys.current_key_id())


def count_to_rewrap() -> int:
    return _stale().count()


@transaction.atomic
def _rewrap_batch(pks: list[int]) -> None:
    # Live still: a purge may have emptied a row since it was listed.
    rows = (
        EvidenceFile.objects.live()
        .select_for_update()
        .filter(pk__in=pks)
        .only("reference", "wrapped_key", "key_id")
    )
    for row in rows:
        row.wrapped_key, row.key_id = keys.rewrap(
            row.wrapped_key, kid=row.key_id, bound_to=row.reference
        )
    EvidenceFile.objects.bulk_update(rows, ["wrapped_key", "key_id"])


def rewrap_all(progress: Callable[[int], None] = lambda done: None) -> int:
    """Re-wrap every data key not under the first file key; return how many."""
    done = 0
    while pks := list(_stale().order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]):
        _rewrap_batch(pks)
        done += len(pks)
        progress(done)
    return done
