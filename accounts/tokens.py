"""The password reset link's token (ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR).

allauth's own generator writes the account's address into its email address table, unverified,
each time it makes a token; a reset asked for by anyone then left the person unable to set up a
second factor ("verify your email first"). This one makes the same token from what the account
already holds, and writes nothing: asking for a reset never changes an account.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.tokens import PasswordResetTokenGenerator


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's token (the password's hash, the last sign-in and the time), bound also to the
    account's email addresses, so a link stops working when the address changes."""

    def _make_hash_value(self, user, timestamp) -> str:
        emails = {user.email} if user.email else set()
        emails.update(EmailAddress.objects.filter(user_id=user.pk).values_list("email", flat=True))
        return super()._make_hash_value(user, timestamp) + "|".join(sorted(emails))
