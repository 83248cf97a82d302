from django.core.management.base import BaseCommand, CommandError

from audit.models import Action
from audit.services import record
from crypto import keycheck
from crypto.fields import DecryptionError
from crypto.rotation import count_rows, rotate_all, values_needing_old_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of FIELD_ENCRYPTION_KEYS, "
        "then verify that no stored value still needs an older key."
    )

    def handle(self, *args, **options):
        try:
            # The one way a new key is taken: after the keys read the key check.
            keycheck.check(accept_new_key=True)
        except (keycheck.KeyMismatch, DecryptionError) as exc:
            raise CommandError(f"{exc} Nothing was re-encrypted.") from None
        total = count_rows()
        width = 30

        def progress(done: int) -> None:
            filled = width * done // max(total, 1)
            bar = "#" * filled + "." * (width - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total} rows", ending="")
            self.stdout.flush()

        try:
            rotated = rotate_all(progress)
        except DecryptionError as exc:
            raise CommandError(f"{exc} Add the missing key to FIELD_ENCRYPTION_KEYS.") from None
        self.stdout.write("")
        record(Action.KEY_ROTATION, detail={"rows": rotated})
        stale = values_needing_old_keys()
        if stale:
            raise CommandError(f"{stale} values still need an older key; do not retire it.")
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {rotated} rows. Nothing needs an older key now: ")
            + "remove the old keys from FIELD_ENCRYPTION_KEYS and destroy them."
        )
