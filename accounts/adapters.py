from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people join MSO Portal by invitation to an organisation."""

    def is_open_for_signup(self, request):
        return False
