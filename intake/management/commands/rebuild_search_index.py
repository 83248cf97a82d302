"""Compute every case's handle index and search tokens again.

    python manage.py rebuild_search_index [--new-blind-index-key] [--after ID] [--batch N]

After BLIND_INDEX_KEY changed (README, "Changing the blind-index key"), or
after the folding rules of intake/search.py changed. It reads every alias
and handle, so it runs only past the start-up key check (manage.py, not in
NO_DATA), and with the services stopped: a process still on the old key
would write old indexes meanwhile. That check refuses a BLIND_INDEX_KEY the
database does not name unless --new-blind-index-key says the change is on
purpose; the key is recorded only at the end of a run over every case, so
until then every other process still refuses to start.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.models import Action
from audit.services import record
from crypto import keycheck
from intake.models import Case, FlaggedHandle
from intake.search import reindex_cases

FIELDS = ["pk", "team_id", "alias", "contact_handle", "handle_index"]


class Command(BaseCommand):
    help = (
        "Compute every case's contact-handle index and search tokens again under the "
        "current BLIND_INDEX_KEY, in batches (after a key change). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after",
            type=int,
            default=0,
            help="resume after this case id (each progress line names the last one done)",
        )
        parser.add_argument("--batch", type=int, default=500, help="cases per transaction")
        parser.add_argument(
            "--new-blind-index-key",
            action="store_true",
            help=(
                "BLIND_INDEX_KEY was changed on purpose: index everything under it and, "
                "after a run over every case (without --after), record it as the key"
            ),
        )

    def handle(self, *args, after: int, batch: int, new_blind_index_key: bool, **options):
        if batch < 1 or after < 0:
            raise CommandError("--batch must be at least 1 and --after at least 0.")
        # manage.py checked already; call_command did not.
        try:
            keycheck.verify_at_start(blind_index_key_changing=new_blind_index_key)
        except keycheck.KeyMismatch as exc:
            raise CommandError(str(exc)) from None
        total = Case.objects.filter(pk__gt=after).count()
        done = changed = 0
        last = after
        while True:
            cases = list(Case.objects.filter(pk__gt=last).order_by("pk").only(*FIELDS)[:batch])
            if not cases:
                break
            # One transaction a batch: a run stopped midway leaves each batch
            # whole or untouched, and the next run (or --after) goes on.
            with transaction.atomic():
                changed += reindex_cases(cases)
            done += len(cases)
            last = cases[-1].pk
            self.stdout.write(f"{done}/{total} cases (resume with --after {last})")
        # A flag whose every case was purged kept only its index: nothing
        # can compute it under the new key, so it matches nothing any more.
        stale = FlaggedHandle.objects.exclude(
            handle_index__in=Case.objects.exclude(handle_index="").values("handle_index")
        ).count()
        record(
            Action.KEY_ROTATION,
            detail={"rebuilt": "blind_index", "cases": done, "flags_unmatched": stale},
        )
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {done} cases; {changed} handle indexes changed.")
        )
        if not after:
            keycheck.accept_blind_index_key()
        elif new_blind_index_key:
            # Nothing here proves the cases up to --after were done under this
            # key: taking it could leave them stale, and silently so.
            self.stdout.write(
                self.style.WARNING(
                    "BLIND_INDEX_KEY is not recorded after a run with --after: every other "
                    "process still refuses to start. Run once more without --after."
                )
            )
        if stale:
            self.stdout.write(
                self.style.WARNING(
                    f"{stale} flagged handles match no case: if the key changed, their cases "
                    "were purged and they cannot be computed again (README)."
                )
            )
