"""Drafts of a committee's assurance report prepared twice for a period (the same committee,
first and last day) are merged, so that the next migration can allow one draft a period
whatever a database holds. Of each such set the oldest draft is kept: it is the one people
were sent to and wrote in, and its address does not change. Each section's narrative that only
a later draft has is copied into it; where both have different text, the later text is added
below the kept one, under a line saying where it came from, for the chair to edit: nothing
written is lost. The later drafts are then deleted (a draft has no figures kept, no PDF and no
alert responses carried to the board)."""

from django.db import migrations, models

DRAFT = "draft"
FROM_ANOTHER = "(From a second draft of this period's report:)"


def merge_drafts_of_a_period(apps, schema_editor):
    AssuranceReport = apps.get_model("committees", "AssuranceReport")
    twice = (
        AssuranceReport.objects.filter(state=DRAFT)
        .values("committee_id", "period_start", "period_end")
        .annotate(drafts=models.Count("pk"))
        .filter(drafts__gt=1)
    )
    for period in list(twice):
        drafts = list(
            AssuranceReport.objects.filter(
                state=DRAFT,
                committee_id=period["committee_id"],
                period_start=period["period_start"],
                period_end=period["period_end"],
            ).order_by("created_at", "pk")
        )
        kept, later = drafts[0], drafts[1:]
        narratives = dict(kept.narratives or {})
        for draft in later:
            for section, text in (draft.narratives or {}).items():
                text = (text or "").strip()
                mine = (narratives.get(section) or "").strip()
                if not text or text == mine:
                    continue
                narratives[section] = f"{mine}\n\n{FROM_ANOTHER}\n{text}" if mine else text
        kept.narratives = narratives
        kept.save(update_fields=["narratives"])
        AssuranceReport.objects.filter(pk__in=[draft.pk for draft in later]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0010_link_tabled_and_reported_alerts"),
    ]

    operations = [
        migrations.RunPython(merge_drafts_of_a_period, migrations.RunPython.noop),
    ]
