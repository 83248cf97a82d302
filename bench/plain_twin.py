"""A plaintext twin of the case table, so the list can be timed without encryption.

Same columns, same indexes, same manager; the five encrypted fields become
plain text columns. Built and filled in the benchmark's own run, then dropped.
"""

from django.db import connection, models

from crypto.fields import GuardedEncryptionMixin
from intake.models import Case, CaseQuerySet

TABLE = "bench_plain_case"
_model = None


def _plain(field):
    if isinstance(field, GuardedEncryptionMixin):
        if isinstance(field, models.TextField):
            return models.TextField(blank=True)
        return models.CharField(max_length=field.max_length, blank=True)
    name, path, args, kwargs = field.deconstruct()
    if field.is_relation:
        kwargs["related_name"] = "+"
    return type(field)(*args, **kwargs)


def twin_model():
    global _model
    if _model is None:
        attrs = {field.name: _plain(field) for field in Case._meta.local_fields}
        indexes = [
            models.Index(fields=index.fields, name=f"bench_plain_{number}")
            for number, index in enumerate(Case._meta.indexes)
        ]
        meta = type(
            "Meta",
            (),
            {
                "app_label": "intake",
                "db_table": TABLE,
                "ordering": Case._meta.ordering,
                "indexes": indexes,
            },
        )
        attrs.update(__module__=__name__, Meta=meta, objects=CaseQuerySet.as_manager())
        # The row's labels, link and flags, as the list shows them: without
        # them the twin's rows would render blanks, by way of the template
        # engine's failed lookups, and the ratio would compare different pages.
        attrs.update({k: v for k, v in vars(Case).items() if isinstance(v, property)})
        _model = type("BenchPlainCase", (models.Model,), attrs)
    return _model


def build(batch: int = 2000) -> int:
    """(Re)create the twin and copy every case into it, decrypted. Return the row count."""
    twin = twin_model()
    names = [field.attname for field in Case._meta.local_fields]
    drop()
    with connection.schema_editor() as editor:
        editor.create_model(twin)
    rows = []
    copied = 0
    for case in Case.objects.order_by("pk").iterator(chunk_size=batch):
        rows.append(twin(**{name: getattr(case, name) for name in names}))
        if len(rows) == batch:
            copied += len(twin.objects.bulk_create(rows))
            rows = []
    copied += len(twin.objects.bulk_create(rows))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as seed_bench does for the real table
            cursor.execute(f"ANALYZE {TABLE}")
    return copied


def drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")  # noqa: S608 - a constant
