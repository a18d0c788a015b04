from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0011_merge_drafts_of_a_period"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="assurancereport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "draft")),
                fields=("committee", "period_start", "period_end"),
                name="one_draft_report_a_period",
                violation_error_message="A draft report for this period is being prepared",
            ),
        ),
    ]
