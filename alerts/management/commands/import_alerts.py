"""``import_alerts FILE``: the upload page's import (alerts/importing.py) from the command line.

It prints what importing the file does to each alert (new, updated with the fields that change,
unchanged) and a summary; a file with any problem imports nothing, and the command prints each
problem (by CSV line or JSON alert number) to stderr and exits non-zero. ``--dry-run`` says what
importing would do and writes nothing; ``--publish`` publishes the new alerts as they are
imported; ``--by EMAIL`` records who imported (and published) them. The layout of the file:
docs/alerts-import.md.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from alerts import importing
from alerts.permissions import Perm
from organisations.access import access_for


class Command(BaseCommand):
    help = (
        "Import national alerts from a CSV or JSON file (docs/alerts-import.md). Alerts are "
        "matched on their reference: importing a file again updates them and never duplicates "
        "them. A file with any problem imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .json file of alerts, smaller than 2 MB")
        parser.add_argument(
            "--dry-run", action="store_true", help="say what importing would do; change nothing"
        )
        parser.add_argument(
            "--publish", action="store_true", help="publish the new alerts as they are imported"
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the national patient safety team or site administrator recorded as creating (and "
            "publishing) the alerts; without it, no one is recorded",
        )

    def handle(self, *args, file, dry_run=False, publish=False, by=None, **options):
        user = self._user(by) if by else None
        path = Path(file)
        try:
            with path.open("rb") as opened:
                data = opened.read(importing.MAX_BYTES + 1)
        except FileNotFoundError:
            raise CommandError(f"There is no file {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a folder, not a file") from None
        except OSError as error:
            raise CommandError(f"The file {file} cannot be read: {error.strerror}") from None

        found = importing.plan(data, path.name)
        if found.problems:
            self._refuse(found.problems)
        for planned in found.alerts:
            changes = f" ({', '.join(planned.changes)})" if planned.changes else ""
            self.stdout.write(f"{planned.where}: {planned.reference}: {planned.outcome}{changes}")
        new = found.count("new")
        if dry_run:
            would = f", and would publish the {new} new" if publish else ""
            self.stdout.write(
                f"Dry run: importing {path.name} would make {found.summary}{would}. "
                "Nothing was changed."
            )
            return
        try:
            importing.apply(found, by=user, publish=publish)
        except ValidationError as error:
            self._refuse(error.messages)
        published = f"; the {new} new are published" if publish else ""
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {found.summary}{published}."))

    def _user(self, email: str):
        User = get_user_model()
        try:
            user = User.objects.get(email=User.objects.normalize_email(email.strip()).lower())
        except User.DoesNotExist:
            raise CommandError(f"There is no user with the email address {email}") from None
        if not user.is_active:
            raise CommandError(f"{email} cannot sign in (the account is not active)")
        if not access_for(user).has(Perm.ALERTS_PUBLISH):
            raise CommandError(
                f"{email} does not write alerts: name the national patient safety team or a "
                "site administrator"
            )
        return user

    def _refuse(self, problems: list[str]):
        for problem in problems:
            self.stderr.write(problem)
        count = len(problems)
        raise CommandError(
            f"The file cannot be imported: {count} {'problem' if count == 1 else 'problems'} "
            "(above). Nothing of it was imported."
        )
