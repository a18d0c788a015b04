"""The national list of high-risk medicines (incidents/medicines.py), and, on PostgreSQL, the
index that full-text search of what happened reads (incidents/queries.py builds the same
expression)."""

from django.db import migrations

SEARCH_INDEX = "incident_what_happened_search"


def seed_high_risk(apps, schema_editor):
    """The national list was once seeded here as words; it is now kept by dm+d code and keyed
    each time a dm+d release is loaded (0018_high_risk_by_dmd_code)."""


def search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON incidents_incident USING gin "
            "(to_tsvector('english'::regconfig, COALESCE(what_happened, '')))"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [
        migrations.RunPython(seed_high_risk, migrations.RunPython.noop),
        migrations.RunPython(search_index, drop_search_index),
    ]
