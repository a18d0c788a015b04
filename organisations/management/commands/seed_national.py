import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisations.national import seed_organisations, seed_register


class Command(BaseCommand):
    help = (
        "Load the fictional national organisation hierarchy (scale 1.0: 20,000 organisations "
        "in 42 ICB areas, with their dated links and the reach table) and the MSO register: "
        "named MSOs and board directors, vacancies, handovers, changes waiting. Safe to run "
        "again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 is national scale")
        parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same data")
        parser.add_argument(
            "--force", action="store_true", help="run even when DEBUG is off (never on live data)"
        )

    def handle(self, *args, scale, seed, force, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_national loads fictional data: run it with DEBUG=1 or --force")
        if not 0 < scale <= 1:
            raise CommandError("--scale must be more than 0 and at most 1")
        started = time.monotonic()
        counts = seed_organisations(scale, seed) | seed_register(seed)
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"National data ready: {summary} ({time.monotonic() - started:.1f} s)."
            )
        )
