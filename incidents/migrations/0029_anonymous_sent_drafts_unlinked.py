"""What was kept of anonymous reports' sent drafts was keyed by the person and the draft: a key
someone holding the service's secret could work out again, beside a row written in the same
transaction as the report. They are removed; an anonymous send is now kept under a hash of a
token only the reporter's page held (incidents.receipt_again, ADR 18)."""

from django.db import migrations


def remove(apps, schema_editor):
    apps.get_model("incidents", "SentDraft").objects.filter(incident__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0028_sent_drafts")]
    operations = [migrations.RunPython(remove, migrations.RunPython.noop, elidable=True)]
