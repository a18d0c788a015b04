"""The high-risk medicines list is kept by dm+d code, not by words in a name. The national
list is keyed again each time a dm+d release is loaded (incidents.medicines.refresh_national):
its word rows go. An organisation's own word that is a dm+d name written in full (a VTM's, or a
VMP's) takes that code; one that is not keeps its word as its name and no code, flagging nothing,
and the list page asks for it to be added again from the dm+d; a national word it had switched
off, which no code matches, goes. The national list is keyed again after migrating when a dm+d
release is loaded here (incidents.medicines.refresh_after_migrating). Not reversible: words
cannot be made again from codes."""

from django.db import migrations, models


def to_codes(apps, schema_editor):
    HighRiskMedicine = apps.get_model("incidents", "HighRiskMedicine")
    Vtm = apps.get_model("medicines", "Vtm")
    Vmp = apps.get_model("medicines", "Vmp")
    HighRiskMedicine.objects.filter(organisation__isnull=True).delete()
    for row in HighRiskMedicine.objects.all():
        row.name = row.term
        for level, model in (("VTM", Vtm), ("VMP", Vmp)):
            found = model.objects.filter(name__iexact=row.term).order_by("invalid", "pk").first()
            if found is not None:
                row.dmd_code, row.level, row.name = found.pk, level, found.name
                break
        if row.excluded and not row.dmd_code:
            row.delete()  # a national word switched off: the national list is codes now
            continue
        if (
            row.dmd_code
            and HighRiskMedicine.objects.filter(
                organisation=row.organisation_id, dmd_code=row.dmd_code
            )
            .exclude(pk=row.pk)
            .exists()
        ):
            row.delete()  # two words for one medicine: one row is enough
            continue
        row.save()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0017_schedule_1"),
        ("medicines", "0002_names_in_any_case"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="highriskmedicine", name="high_risk_term_once_per_list"
        ),
        migrations.RemoveConstraint(
            model_name="highriskmedicine", name="high_risk_term_once_nationally"
        ),
        migrations.AddField(
            model_name="highriskmedicine",
            name="dmd_code",
            field=models.CharField(blank=True, max_length=20, verbose_name="dm+d code"),
        ),
        migrations.AddField(
            model_name="highriskmedicine",
            name="level",
            field=models.CharField(
                blank=True,
                choices=[("VTM", "Substance (VTM)"), ("VMP", "Product (VMP)")],
                max_length=3,
            ),
        ),
        migrations.AddField(
            model_name="highriskmedicine",
            name="name",
            field=models.CharField(default="", max_length=255, verbose_name="dm+d name"),
            preserve_default=False,
        ),
        migrations.RunPython(to_codes),
        migrations.RemoveField(model_name="highriskmedicine", name="term"),
        migrations.AlterModelOptions(
            name="highriskmedicine", options={"ordering": ["group", "name"]}
        ),
        migrations.AddConstraint(
            model_name="highriskmedicine",
            constraint=models.UniqueConstraint(
                "organisation",
                "dmd_code",
                condition=models.Q(("dmd_code", ""), _negated=True),
                name="high_risk_code_once_per_list",
            ),
        ),
        migrations.AddConstraint(
            model_name="highriskmedicine",
            constraint=models.UniqueConstraint(
                "dmd_code",
                condition=models.Q(("organisation__isnull", True)),
                name="high_risk_code_once_nationally",
            ),
        ),
    ]
