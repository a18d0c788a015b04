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


def _account_section(user) -> dict:
    from .models import ApiToken

    return {"working": ApiToken.objects.usable().filter(user=user).count()}
