"""Prove that the configured keys read what is stored."""

from django.apps import apps
from django.db import connection

from crypto.fields import GuardedEncryptionMixin


def encrypted_fields():
    """Yield (model, [field names]) for every model with encrypted fields."""
    for model in apps.get_models():
        names = [
            f.name for f in model._meta.concrete_fields if isinstance(f, GuardedEncryptionMixin)
        ]
        if names:
            yield model, names


def verify_keys(*, sample: int | None = 3, only_existing_tables: bool = False) -> int:
    """Decrypt the oldest and newest `sample` rows of each model, or every row if None.

    Raises DecryptionError at the first value the keys cannot read. During a
    migration some tables may not exist yet: `only_existing_tables` skips them.
    """
    checked = 0
    tables = set(connection.introspection.table_names()) if only_existing_tables else None
    for model, names in encrypted_fields():
        if tables is not None and model._meta.db_table not in tables:
            continue
        rows = model.objects.only(*names)
        if sample is None:
            batches = [rows.order_by("pk").iterator(chunk_size=2000)]
        else:
            batches = [rows.order_by("pk")[:sample], rows.order_by("-pk")[:sample]]
        for batch in batches:
            for _row in batch:
                checked += 1
    return checked
