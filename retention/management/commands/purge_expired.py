from django.core.management.base import BaseCommand

from retention import services


class Command(BaseCommand):
    help = "Purge cases the retention policy says have expired (never one on legal hold)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list references and reasons; delete nothing"
        )

    def handle(self, *args, dry_run: bool, **options):
        if dry_run:
            expired = services.expired_cases()
            for item in expired:
                self.stdout.write(f"{item.reference}  {item.reason}")
            self.stdout.write(f"{len(expired)} cases would be purged.")
            return
        purged = services.purge_expired()
        for reason, count in sorted(purged.items()):
            self.stdout.write(f"{reason}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Purged {sum(purged.values())} cases."))
