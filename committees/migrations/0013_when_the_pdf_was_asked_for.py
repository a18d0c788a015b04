from django.db import migrations, models
from django.db.models import F


def since_approval(apps, schema_editor):
    """A PDF waiting or being made before this was kept has waited since its report was
    approved: one lost long ago shows as not made, to be asked for again."""
    reports = apps.get_model("committees", "AssuranceReport")
    reports.objects.filter(pdf="", pdf_state__in=["queued", "making"]).update(
        pdf_state_since=F("approved_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0012_one_draft_report_a_period"),
    ]

    operations = [
        migrations.AddField(
            model_name="assurancereport",
            name="pdf_state_since",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(since_approval, migrations.RunPython.noop),
    ]
