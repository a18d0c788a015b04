"""On PostgreSQL, a trigram index (pg_trgm) on the upper-case name of each level, for the search
as a name is typed (medicines/search.py): PostgreSQL runs ``name__icontains`` as
``UPPER(name::text) LIKE UPPER('%word%')``, which this index answers without reading every row
(a full release has about 150,000 AMPs). ADR 22.

Nothing on SQLite, which has no such index; so the indexes are not in the models' Meta, and
the models' state is unchanged."""

from django.db import migrations

INDEXES = {"vtm": "vtm_name_trigram", "vmp": "vmp_name_trigram", "amp": "amp_name_trigram"}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Trusted since PostgreSQL 13: the database's owner may create it without being superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    quote = schema_editor.quote_name
    for model, name in INDEXES.items():
        table = apps.get_model("medicines", model)._meta.db_table
        # The expression as Django's lookup writes it (UPPER("name"::text)), so the planner
        # matches them.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin ((UPPER({quote('name')}::text)) gin_trgm_ops)"
        )


def remove_indexes(apps, schema_editor):
    # The extension stays: it may serve others, and dropping it is no part of going back.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES.values():
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("medicines", "0002_names_in_any_case"),
    ]

    operations = [
        migrations.RunPython(add_indexes, remove_indexes),
    ]
