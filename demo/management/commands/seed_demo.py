from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Create or refresh fictional demo organisations and sign-ins (password: DEMO_PASSWORD). "
        "Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off. Demo sign-ins have a known password: "
            "never use this on a service with real data.",
        )

    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "seed_demo creates sign-ins with a known password, so it runs only with "
                "DEBUG=1 (or --force on a throwaway demo service)."
            )
        counts = seed_demo(settings.DEMO_PASSWORD)
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
