from . import features


class OrganisationsConfig(features.FeatureConfig):
    name = "organisations"
    joins_the_rule_set = False  # its rules are registered where the rule set is declared
    routes = {
        "organisations/": "organisations.urls",
        "register/": "organisations.register_urls",
        "invitations/": "organisations.invitation_urls",
    }
    audited = {
        **dict.fromkeys(
            [
                "Organisation",
                "OrganisationRelationship",
                "Membership",
                "Appointment",
                "Handover",
                "HandoverItem",
                "Denominator",
            ],
            {},
        ),
        "Invitation": {"exclude_fields": ["token_hash"]},
        "ChangeRequest": {"exclude_fields": ["job_title", "pay_band"]},
    }

    def plug_in(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from accounts import mfa
        from accounts.sections import AccountSection, account_section

        from . import access, scoping
        from .models import Organisation, OrganisationRelationship

        scoping.ENGINE.access_for = access.access_for

        # Who needs a second factor is the rule set's to say (second_factor_grants).
        if _needs_second_factor not in mfa.GRANTS_NEEDING_IT:
            mfa.GRANTS_NEEDING_IT.append(_needs_second_factor)
        account_section(AccountSection("organisations/account_section.html", _account_section))

        # The dated reach table follows every change to the links, in the same transaction.
        post_save.connect(_new_organisation, sender=Organisation, dispatch_uid="closure-org")
        link = OrganisationRelationship
        pre_save.connect(_remember_child, sender=link, dispatch_uid="closure-pre-save")
        post_save.connect(_refresh_closure, sender=link, dispatch_uid="closure-save")
        post_delete.connect(_refresh_closure, sender=link, dispatch_uid="closure-delete")


def _new_organisation(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from . import closure

        closure.add_organisation(instance)


def _remember_child(sender, instance, **kwargs):
    instance._child_before = (
        sender.objects.filter(pk=instance.pk).values_list("child_id", flat=True).first()
        if instance.pk
        else None
    )


def _refresh_closure(sender, instance, **kwargs):
    from . import closure

    children = {instance.child_id, getattr(instance, "_child_before", None)} - {None}
    closure.refresh(children)


def _needs_second_factor(user) -> bool:
    from .access import access_for

    return access_for(user).requires_mfa


def _account_section(user) -> dict:
    """The person's named posts today and their roles, for their account page."""
    from .models import Appointment, Membership
    from .permissions import Perm

    return {
        "memberships": Membership.objects.visible_to(user, Perm.ORGANISATION_VIEW)
        .filter(user=user)
        .select_related("organisation"),
        "posts": Appointment.objects.visible_to(user)
        .filter(user=user)
        .current()
        .select_related("organisation"),
    }
