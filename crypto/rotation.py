"""Re-encrypt every encrypted value under the newest key, so older keys can be retired.

FIELD_ENCRYPTION_KEYS lists the keys newest first: the first encrypts, all
decrypt. After a rotation nothing needs an older key, and destroying it
makes every backup taken under it unreadable.
"""

from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection, transaction

from crypto.canary import encrypted_fields

BATCH_SIZE = 500


def count_rows() -> int:
    return sum(model.objects.count() for model, _ in encrypted_fields())


@transaction.atomic
def _rotate_batch(model, names, pks) -> None:
    # Reading decrypts under any configured key; saving encrypts again under
    # the first. Locked, so an edit made meanwhile waits for the batch.
    # One UPDATE a row: bulk_update cannot encrypt (see crypto.fields).
    for row in model.objects.select_for_update().filter(pk__in=pks).only(*names):
        row.save(update_fields=names)


def rotate_all(progress: Callable[[int], None] = lambda done: None) -> int:
    """Re-encrypt every row of every model with encrypted fields; return the row count."""
    done = 0
    for model, names in encrypted_fields():
        last = 0
        while True:
            pks = list(
                model.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not pks:
                break
            _rotate_batch(model, names, pks)
            last = pks[-1]
            done += len(pks)
            progress(done)
    return done


def values_needing_old_keys() -> int:
    """Count stored values the newest key alone cannot decrypt."""
    newest = Fernet(settings.FIELD_ENCRYPTION_KEY[0])
    stale = 0
    for model, names in encrypted_fields():
        columns = [model._meta.get_field(n).column for n in names]
        table = connection.ops.quote_name(model._meta.db_table)
        select = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            # Names come from the models, quoted by the backend: no input reaches them.
            cursor.execute(f"SELECT {select} FROM {table}")  # noqa: S608  # nosec B608
            for row in cursor:
                for token in row:
                    if token is None:
                        continue
                    try:
                        newest.decrypt(token.encode())
                    except InvalidToken:
                        stale += 1
    return stale
