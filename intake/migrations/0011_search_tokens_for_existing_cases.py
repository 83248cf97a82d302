"""Search tokens for the cases recorded before search existed.

Without them an upgraded installation would find only the cases recorded
or edited after the upgrade, and nobody would notice what it misses. The
words are the running code's (intake.search), as `rebuild_search_index`
computes them: a token must equal what a search computes today. Reading
the aliases needs the encryption keys; wrong ones stop the migration, as
they stop every command that reads data.
"""

from django.db import migrations

BATCH = 1000


def index_existing_cases(apps, schema_editor):
    from intake.search import tokens_for

    case_model = apps.get_model("intake", "Case")
    token_model = apps.get_model("intake", "SearchToken")
    last = 0
    while True:
        batch = list(
            case_model.objects.filter(pk__gt=last).order_by("pk").only("pk", "team_id", "alias")[
                :BATCH
            ]
        )
        if not batch:
            return
        rows = [
            token_model(case_id=case.pk, token=token)
            for case in batch
            for token in tokens_for(case.team_id, case.alias)
        ]
        # A second run (or a case a newer process indexed already) adds nothing twice.
        token_model.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0010_search_tokens_merges_transfers"),
    ]

    operations = [migrations.RunPython(index_existing_cases, migrations.RunPython.noop)]
