"""``read_alert_feeds [URL_OR_FILE ...]``: read the alert feeds now, as the hourly task does
(alerts/feeds.py): each new entry naming a CAS reference becomes a draft alert for the national
patient safety team to check and publish. Without arguments, the feeds of
``settings.ALERT_FEEDS``; a path to a saved feed reads that file instead. ``--dry-run`` says
what it would draft and writes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from alerts import feeds


class Command(BaseCommand):
    help = (
        "Draft alerts from the alert feeds (the MHRA's drug and device alerts, NHS England's "
        "National Patient Safety Alerts): each new entry naming a CAS reference, once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "sources", nargs="*", help="feed addresses or saved feed files (default: ALERT_FEEDS)"
        )
        parser.add_argument("--dry-run", action="store_true", help="draft nothing; say what")

    def handle(self, *args, sources=(), dry_run=False, **options):
        files = [source for source in sources if not source.startswith(("http://", "https://"))]
        urls = [source for source in sources if source not in files]
        readings = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                readings.append(feeds.read(path.read_bytes(), path.name, dry_run=dry_run))
            except ValueError as error:
                raise CommandError(f"{name}: {error}") from None
        if urls or not files:
            readings += feeds.read_feeds(urls or None, dry_run=dry_run)
        if not readings:
            self.stdout.write("No alert feeds are configured (ALERT_FEEDS).")
        for reading in readings:
            self.stdout.write(("Would draft " if dry_run else "") + reading.summary)
            for reference in reading.drafted:
                self.stdout.write(f"  {reference}")
            for note in reading.notes:
                self.stdout.write(f"  passed over: {note}" if reading.ok else f"  {note}")
        if any(not reading.ok for reading in readings):
            raise CommandError("A feed could not be read")
