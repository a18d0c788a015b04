"""The REST API: version 1 of the organisation directory, the national MSO register,
incidents, alert responses and assurance reports' figures; and the tokens other systems call
it with."""

from organisations import features


class ApiConfig(features.FeatureConfig):
    name = "api"
    verbose_name = "API"
    joins_the_rule_set = False  # it grants nothing: every call is judged by the rules above
    routes = {"api/": "api.urls", "accounts/api-tokens/": "api.token_urls"}
    audited = {"ApiToken": {"exclude_fields": ["digest"]}}

    def plug_in(self):
        from accounts.sections import AccountSection, account_section

        from . import schema  # noqa: F401 (the schema's description of a token)

        account_section(AccountSection("api/account_section.html", _account_section))
        # A new password, or the last second factor removed, stops every token made before.
        from allauth.account.signals import password_changed, password_reset
        from allauth.mfa.signals import authenticator_removed

        password_changed.connect(_revoke_tokens, dispatch_uid="api-tokens-password-changed")
        password_reset.connect(_revoke_tokens, dispatch_uid="api-tokens-password-reset")
        authenticator_removed.connect(
            _revoke_tokens_without_a_factor, dispatch_uid="api-tokens-factor-removed"
        )


def _account_section(user) -> dict:
    from .models import ApiToken

    return {"working": ApiToken.objects.usable().filter(user=user).count()}


def _revoke_tokens(sender, request=None, user=None, **kwargs):
    from .services import tokens_revoke_all

    tokens_revoke_all(user=user)


def _revoke_tokens_without_a_factor(sender, request=None, user=None, **kwargs):
    from accounts.mfa import factors

    if not factors(user):
        _revoke_tokens(sender, request=request, user=user)
