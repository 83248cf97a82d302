from django.core.management.base import BaseCommand, CommandError

from evidence.consistency import compare, delete_orphans


class Command(BaseCommand):
    help = (
        "Compare the file store with the file rows: objects no row names, and rows whose "
        "objects are missing. Exits 1 if either is found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="Delete the objects no row names (older than an hour: not an upload in flight).",
        )

    def handle(self, *args, **options):
        report = compare()
        for name in report.objects_without_rows:
            self.stdout.write(f"object without a row: {name}")
        for reference in report.rows_without_objects:
            self.stdout.write(f"file without its objects: {reference}")
        if report.marked_for_deletion:
            self.stdout.write(
                f"{report.marked_for_deletion} files of purged cases wait for the sweep job"
            )
        if options["delete_orphans"] and report.objects_without_rows:
            deleted = delete_orphans(report)
            self.stdout.write(f"deleted {deleted} objects without a row")
            report = compare()
        if not report.consistent:
            raise CommandError(
                f"{len(report.objects_without_rows)} objects without a row, "
                f"{len(report.rows_without_objects)} files without their objects"
            )
        self.stdout.write(self.style.SUCCESS("The file store and the file rows agree."))
