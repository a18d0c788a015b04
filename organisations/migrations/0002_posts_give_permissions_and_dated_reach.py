"""Named posts give their permissions by themselves; invitations carry several roles; the
dated reach table. Existing rows are carried over:

- a membership role that is now a named post (MSO, board director, CDAO) becomes the post
  (unless the person already holds it, or the organisation has another open-ended holder of a
  one-holder post), and the person stays a member as a staff reporter;
- an invitation's role becomes its list of roles (a post role becomes "staff");
- the reach table is built from the links.
"""

import django.db.models.deletion
from django.db import migrations, models


POST_ROLES = {"mso": "mso", "board-director": "board-director", "cdao": "cdao"}
SINGLE_HOLDER_POSTS = {"mso", "board-director"}


def roles_to_posts(apps, schema_editor):
    Membership = apps.get_model("organisations", "Membership")
    Appointment = apps.get_model("organisations", "Appointment")
    Invitation = apps.get_model("organisations", "Invitation")
    for membership in Membership.objects.filter(role__in=POST_ROLES):
        post = POST_ROLES[membership.role]
        organisation_id, user_id = membership.organisation_id, membership.user_id
        holds = Appointment.objects.filter(
            organisation_id=organisation_id, post=post, user_id=user_id
        ).exists()
        taken = post in SINGLE_HOLDER_POSTS and Appointment.objects.filter(
            organisation_id=organisation_id, post=post, end_on__isnull=True
        ).exists()
        if not holds and not taken:
            Appointment.objects.create(
                organisation_id=organisation_id,
                post=post,
                user_id=user_id,
                start_on=membership.created_at.date(),
            )
        membership.delete()
        Membership.objects.get_or_create(
            organisation_id=organisation_id, user_id=user_id, role="staff"
        )
    for invitation in Invitation.objects.all():
        invitation.roles = ["staff" if invitation.role in POST_ROLES else invitation.role]
        invitation.save(update_fields=["roles"])


def build_reach(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Link = apps.get_model("organisations", "OrganisationRelationship")
    Closure = apps.get_model("organisations", "OrganisationClosure")
    edges = {}
    for child, parent, kind, start, end in Link.objects.values_list(
        "child_id", "parent_id", "kind", "start_on", "end_on"
    ):
        edges.setdefault(child, []).append((parent, kind == "part-of", start, end))
    from organisations.closure import paths_up  # a pure function of the links

    Closure.objects.bulk_create(
        Closure(
            ancestor_id=ancestor,
            descendant_id=descendant,
            area=area,
            depth=depth,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for child in Organisation.objects.values_list("pk", flat=True)
        for ancestor, descendant, area, depth, valid_from, valid_to in paths_up(child, edges)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='roles',
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(roles_to_posts, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='invitation',
            name='role',
        ),
        migrations.AddField(
            model_name='invitation',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='appointment',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='organisations.organisation'),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='organisations.organisation'),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='token_hash',
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='membership',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='organisations.organisation'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('staff', 'Staff reporter'), ('safety-team', 'Medication safety team member'), ('committee-chair', 'Committee chair'), ('committee-secretary', 'Committee secretary'), ('committee-member', 'Committee member')], max_length=32),
        ),
        migrations.AlterField(
            model_name='organisationrelationship',
            name='child',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='parent_links', to='organisations.organisation'),
        ),
        migrations.AlterField(
            model_name='organisationrelationship',
            name='parent',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='child_links', to='organisations.organisation'),
        ),
        migrations.CreateModel(
            name='OrganisationClosure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area', models.BooleanField()),
                ('depth', models.PositiveSmallIntegerField()),
                ('valid_from', models.DateField(blank=True, null=True)),
                ('valid_to', models.DateField(blank=True, null=True)),
                ('ancestor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('descendant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
            ],
            options={
                'indexes': [models.Index(fields=['ancestor', 'descendant'], name='organisatio_ancesto_d781eb_idx'), models.Index(fields=['descendant', 'ancestor'], name='organisatio_descend_cf4ac8_idx')],
            },
        ),
        migrations.AlterField(
            model_name='organisationrelationship',
            name='kind',
            field=models.CharField(choices=[('part-of', 'Part of'), ('successor', 'Succeeded by')], default='part-of', max_length=16),
        ),
        migrations.RunPython(build_reach, migrations.RunPython.noop),
    ]
