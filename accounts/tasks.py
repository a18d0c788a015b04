"""Email for people's accounts, sent by a worker after the page has answered."""

from allauth.account.forms import default_token_generator
from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.internal.userkit import filter_users_by_email
from celery import shared_task


@shared_task(acks_late=True)
def send_password_reset(email: str) -> None:
    """Email the accounts with this address a link to choose a new password; an address with
    no account gets nothing (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS). Asked for with every address, so
    the page does the same work whether or not an account has it."""
    users = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
    request_password_reset(None, email, users, default_token_generator)
