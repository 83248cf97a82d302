from django.core.management.base import BaseCommand, CommandError

from crypto import keycheck
from crypto.canary import verify_keys
from crypto.fields import DecryptionError


class Command(BaseCommand):
    help = "Check that the configured encryption keys decrypt stored data; fail loudly if not."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="read every encrypted row, not a sample (before retiring a key)",
        )

    def handle(self, *args, all: bool, **options):
        try:
            keycheck.check()
            checked = verify_keys(sample=None if all else 3)
        except (DecryptionError, keycheck.KeyMismatch) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Encryption keys read {checked} stored rows.")
