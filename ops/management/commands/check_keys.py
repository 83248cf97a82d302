from django.core.management.base import BaseCommand, CommandError

from crypto.canary import verify_keys
from crypto.fields import DecryptionError


class Command(BaseCommand):
    help = "Check that the configured encryption keys decrypt stored data; fail loudly if not."

    def handle(self, *args, **options):
        try:
            checked = verify_keys()
        except DecryptionError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Encryption keys read {checked} stored rows.")
