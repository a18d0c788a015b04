"""One person never holds the MSO and the board director posts of an organisation on the same
day (choices.SEPARATE_POSTS; services.check_separate_posts says so on the form first).

Django's constraints cannot compare two rows' dates on SQLite, so the database holds the rule
in the way each engine offers: on PostgreSQL an exclusion constraint (btree_gist), which also
holds for two transactions at once; on SQLite a trigger before each insert and update (SQLite
writes one transaction at a time).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

NAME = "appointment_separate_posts"
POSTS = "('mso', 'board-director')"

POSTGRESQL = f"""
ALTER TABLE organisations_appointment ADD CONSTRAINT {NAME}
EXCLUDE USING gist (
    organisation_id WITH =,
    user_id WITH =,
    daterange(start_on, end_on, '[]') WITH &&,
    post WITH <>
) WHERE (user_id IS NOT NULL AND post IN {POSTS})
"""

SQLITE_CHECK = f"""
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: {NAME}')
    WHERE NEW.user_id IS NOT NULL AND NEW.post IN {POSTS} AND EXISTS (
        SELECT 1 FROM organisations_appointment AS other
        WHERE other.id IS NOT NEW.id
          AND other.organisation_id = NEW.organisation_id
          AND other.user_id = NEW.user_id
          AND other.post IN {POSTS}
          AND other.post <> NEW.post
          AND other.start_on <= COALESCE(NEW.end_on, '9999-12-31')
          AND COALESCE(other.end_on, '9999-12-31') >= NEW.start_on
    );
END
"""


def add(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {NAME}_{event.lower()} BEFORE {event} "
                f"ON organisations_appointment FOR EACH ROW {SQLITE_CHECK}"
            )


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE organisations_appointment DROP CONSTRAINT {NAME}")
    elif vendor == "sqlite":
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER {NAME}_{event}")


class Migration(migrations.Migration):
    dependencies = [("organisations", "0008_changes_to_every_approved_post")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add, remove, elidable=False),
    ]
