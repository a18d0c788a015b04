import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.national.alerts import not_loaded as alerts_not_loaded
from demo.national.alerts import seed_alerts
from demo.national.committees import seed_committees
from demo.national.denominators import seed_denominators
from demo.national.incidents import not_loaded as incidents_not_loaded
from demo.national.incidents import seed_incidents
from demo.national.loaded import said
from demo.national.ods_files import write_ods_files
from demo.national.organisations import seed_organisations, seed_people, seed_register
from organisations.ods import OdsImportError, ods_import


class Command(BaseCommand):
    help = (
        "Load fictional national data (scale 1.0: 20,000 organisations in 42 ICB areas with "
        "their dated links and reach table; the MSO register with vacancies, handovers and "
        "changes waiting; 120,000 people; 2,000,000 incidents over five years; 300 alerts with "
        "every applicable organisation's response; every trust's committee with a year of "
        "meetings). Incidents and alerts need PostgreSQL (--no-incidents, --no-alerts to leave "
        "them out). Safe to run again: what is there is kept; the incidents are loaded again "
        "when their number changes and the alerts on a later day, in place of those loaded "
        "before. It refuses a database holding incidents or alerts it did not load (the "
        "demo's, or people's), which that would replace: load it into a database of its own. "
        "--ods DIR loads the organisations from a folder of ODS extracts instead of making "
        "them up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 is national scale")
        parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same data")
        parser.add_argument(
            "--force", action="store_true", help="run even when DEBUG is off (never on live data)"
        )
        parser.add_argument("--no-incidents", action="store_true", help="leave out incidents")
        parser.add_argument("--no-alerts", action="store_true", help="leave out alerts")
        parser.add_argument(
            "--ods",
            metavar="DIR",
            help="load the organisations from the ODS extracts in DIR (as import_ods does)",
        )
        parser.add_argument(
            "--write-ods",
            metavar="DIR",
            help="only write fictional ODS extracts of this scale into DIR, to load with --ods "
            "or import_ods",
        )

    def handle(self, *args, scale, seed, force, no_incidents, no_alerts, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_national loads fictional data: run it with DEBUG=1 or --force")
        if not 0 < scale <= 1:
            raise CommandError("--scale must be more than 0 and at most 1")
        if options.get("write_ods"):
            written = write_ods_files(options["write_ods"], scale, seed)
            summary = ", ".join(f"{name} {rows:,} rows" for name, rows in written.items())
            self.stdout.write(self.style.SUCCESS(f"ODS extracts written: {summary}."))
            return
        held = {}
        if not no_incidents:
            held |= incidents_not_loaded()
        if not no_alerts:
            held |= alerts_not_loaded()
        if held:
            raise CommandError(
                f"This database holds what seed_national did not load: {said(held)} (the "
                "demo's, or people's). Loading the national incidents and alerts would replace "
                "them, so nothing was loaded. Load the national data into a database of its "
                "own (DATABASE_URL), or leave out what would replace them with --no-incidents "
                "or --no-alerts."
            )
        started = time.monotonic()
        organisations = lambda: seed_organisations(scale, seed)  # noqa: E731
        if options.get("ods"):
            organisations = lambda: self._from_ods(options["ods"])  # noqa: E731
        steps = [
            ("organisations", organisations),
            ("register", lambda: seed_register(seed)),
            ("people", lambda: seed_people(scale, seed)),
            ("incidents", None if no_incidents else lambda: seed_incidents(scale, seed)),
            ("alerts", None if no_alerts else lambda: seed_alerts(seed=seed)),
            ("committees", lambda: seed_committees(seed)),
            ("denominators", lambda: seed_denominators(seed)),
        ]
        counts = {}
        for name, step in steps:
            if step is None:
                continue
            begun = time.monotonic()
            counts |= step()
            self.stdout.write(f"{name}: {time.monotonic() - begun:.1f} s")
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"National data ready: {summary} ({time.monotonic() - started:.1f} s)."
            )
        )

    def _from_ods(self, directory) -> dict[str, int]:
        try:
            summary = ods_import(directory=directory)
        except OdsImportError as error:
            raise CommandError(str(error)) from None
        for line in summary.rejected:
            self.stdout.write(self.style.WARNING(f"Rejected: {line}"))
        self.stdout.write(f"ODS extracts: {summary}")
        return {"organisations from ODS": summary.created + summary.updated + summary.unchanged}
