import time

from django.core.management.base import BaseCommand

from organisations import closure


class Command(BaseCommand):
    help = (
        "Rebuild the reach table (OrganisationClosure) from the organisation links. Run it after "
        "loading links in bulk (anything that bypasses the models' save and delete)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = closure.rebuild()
        took = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Reach table rebuilt: {rows:,} rows ({took:.1f} s)."))
