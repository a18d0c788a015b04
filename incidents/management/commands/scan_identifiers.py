from collections import Counter

from django.core.management.base import BaseCommand

from core.identifiers import KINDS
from incidents.identifiers_scan import scan


class Command(BaseCommand):
    help = (
        "Find what looks like an NHS number or a date of birth in the drafts of reports and in "
        "the incidents' free text (with their history); --redact removes each one. The report "
        "names the record, the field and the kind, never the identifier."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--redact",
            action="store_true",
            help='Replace each identifier found with "[removed]", in the record and its history.',
        )

    def handle(self, *args, redact=False, **options):
        counts = Counter()
        for finding in scan(redact=redact):
            counts[finding.model] += 1
            self.stdout.write(
                f"{finding.model} {finding.pk}, {finding.field}: {KINDS[finding.kind]}"
            )
        total = sum(counts.values())
        if not total:
            self.stdout.write(self.style.SUCCESS("No identifiers found."))
            return
        by_model = ", ".join(f"{count} in {model}" for model, count in sorted(counts.items()))
        done = "removed" if redact else "found (run again with --redact to remove them)"
        self.stdout.write(self.style.WARNING(f"{total} identifiers {done}: {by_model}."))
