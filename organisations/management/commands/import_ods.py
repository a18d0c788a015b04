"""``import_ods DIR``: load the organisations from the NHS Organisation Data Service's extracts in
a folder (organisations/ods/importing.py): etr, eccg, eother, epraccur, edispensary, epharmacyhq
and succ as ``.csv`` (or inside ODS's ``.zip``), and the PCNs as ePCN.xlsx or the epcn and
epcncorepartnerdetails reports. It prints each rejected row as ``file:line: reason`` and a
summary; ``--dry-run`` does it all and rolls it back; ``--by EMAIL`` records who imported."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from organisations.ods import OdsImportError, ods_import


class Command(BaseCommand):
    help = (
        "Load organisations, their dated links and successors from a folder of ODS extracts. "
        "Never deletes; running it again with the same files changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the folder holding the extracts (or their zips)")
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, then roll it back"
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the site administrator recorded in the audit log; without it, no one",
        )

    def handle(self, *args, directory, dry_run=False, by=None, verbosity=1, **options):
        user = self._user(by) if by else None
        with tqdm(
            desc="Reading ODS extracts", unit=" rows", disable=verbosity < 1, file=self.stderr
        ) as bar:
            try:
                summary = ods_import(by=user, directory=directory, dry_run=dry_run, tick=bar.update)
            except OdsImportError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(f"Read: {', '.join(summary.files)}")
        for line in summary.rejected:
            self.stdout.write(self.style.WARNING(f"Rejected: {line}"))
        for note in summary.notes:
            self.stdout.write(note)
        if dry_run:
            self.stdout.write(f"Dry run: {summary}. Nothing was changed.")
            return
        refreshed = " The reach table is rebuilt." if summary.reach_refreshed else ""
        self.stdout.write(self.style.SUCCESS(f"Imported: {summary}.{refreshed}"))

    def _user(self, email: str):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(email.strip())
        except User.DoesNotExist:
            raise CommandError(f"There is no user with the email address {email}") from None
        if not (user.is_active and user.is_staff):
            raise CommandError(f"{email} is not an active site administrator")
        return user
