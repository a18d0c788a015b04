from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from medicines.dmd import ReleaseError, import_release


class Command(BaseCommand):
    help = (
        "Load the NHSBSA dm+d XML release (VTMs, VMPs with their controlled-drug category, AMPs) "
        "from an unzipped folder. Safe to run again: only new or changed records are written."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The folder holding f_vtm2_3*.xml and the rest")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and count, and write nothing"
        )

    def handle(self, *args, directory, dry_run=False, verbosity=1, **options):
        with tqdm(
            desc="Reading dm+d", unit=" records", disable=verbosity < 1, file=self.stderr
        ) as bar:
            try:
                summary = import_release(directory, dry_run=dry_run, tick=lambda: bar.update())
            except ReleaseError as error:
                raise CommandError(str(error)) from error
        for name, counts in summary.counts.items():
            self.stdout.write(
                f"{name}: {counts.created} new, {counts.updated} changed, "
                f"{counts.unchanged} unchanged"
            )
        for filename, line, why in summary.rejected:
            self.stdout.write(self.style.WARNING(f"Rejected: {filename}, line {line}: {why}"))
        for note in summary.notes:
            self.stdout.write(note)
        done = "Nothing written (dry run)." if dry_run else "The dm+d release is loaded."
        self.stdout.write(self.style.SUCCESS(done))
