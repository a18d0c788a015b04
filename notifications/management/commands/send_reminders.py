from datetime import timedelta

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = (
        "One sweep of the reminder engine: write every reminder due today, and email those "
        "waiting, in this process. Safe to run at any time and as often as you like: nothing is "
        "sent twice. With --digests, also send the daily emails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--digests", action="store_true", help="send the daily emails too")

    def handle(self, *args, digests=False, **options):
        written = services.sweep()
        sent = services.deliver_pending(inline=True, older_than=timedelta(0))
        daily = services.send_digests() if digests else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Reminders: {written} new, {sent} emailed from the queue, {daily} daily emails."
            )
        )
