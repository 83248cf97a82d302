from django.core.management.base import BaseCommand, CommandError

from audit.models import Action
from audit.services import record
from crypto import keycheck
from crypto.fields import DecryptionError
from crypto.rotation import count_rows, rotate_all, values_needing_old_keys
from evidence.keys import FileKeyError
from evidence.rotation import count_to_rewrap, rewrap_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of FIELD_ENCRYPTION_KEYS "
        "and re-wrap every file's data key under the first of FILE_ENCRYPTION_KEYS, "
        "then verify that nothing stored still needs an older key."
    )

    def handle(self, *args, **options):
        try:
            # The one way a new key is taken: after the keys read the key check.
            keycheck.check(accept_new_key=True)
        except (keycheck.KeyMismatch, DecryptionError) as exc:
            raise CommandError(f"{exc} Nothing was re-encrypted.") from None
        try:
            rotated = rotate_all(self._progress(count_rows(), "rows"))
        except DecryptionError as exc:
            raise CommandError(f"{exc} Add the missing key to FIELD_ENCRYPTION_KEYS.") from None
        self.stdout.write("")
        try:
            rewrapped = rewrap_all(self._progress(count_to_rewrap(), "file keys"))
        except FileKeyError as exc:
            raise CommandError(f"{exc} Add the missing key to FILE_ENCRYPTION_KEYS.") from None
        self.stdout.write("")
        record(Action.KEY_ROTATION, detail={"rows": rotated, "files": rewrapped})
        stale = values_needing_old_keys() + count_to_rewrap()
        if stale:
            raise CommandError(f"{stale} values still need an older key; do not retire it.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {rotated} rows and re-wrapped {rewrapped} file keys. "
                "Nothing needs an older key now: "
            )
            + "remove the old keys from FIELD_ENCRYPTION_KEYS and FILE_ENCRYPTION_KEYS "
            "and destroy them."
        )

    def _progress(self, total: int, what: str):
        width = 30

        def progress(done: int) -> None:
            filled = width * done // max(total, 1)
            bar = "#" * filled + "." * (width - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total} {what}", ending="")
            self.stdout.flush()

        return progress
