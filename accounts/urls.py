"""Sign-in pages from django-allauth (no sign-up, no extra email addresses), its two-factor
pages (an authenticator app, security keys and recovery codes), and the account page. Each
allauth page is listed here with the methods it answers; anything else gets 405."""

from allauth.account import views as account
from allauth.mfa.base import views as mfa
from allauth.mfa.recovery_codes import views as recovery_codes
from allauth.mfa.totp import views as totp
from allauth.mfa.webauthn import views as webauthn
from django.urls import include, path, re_path

from core.http import allow

from . import mfa_views, views
from .mfa import MANAGES, OPEN, second_factor_page

GET = allow("GET")
FORM = allow("GET", "POST")
# Second-factor pages (accounts/mfa.py): those that take a factor, and signing out, are open to
# every signed-in session; those that manage factors need the second factor given (or, with
# none yet, a fresh sign-in).
OPENS = second_factor_page(OPEN)
MANAGE = second_factor_page(MANAGES)

password = [
    path("change/", FORM(account.password_change), name="account_change_password"),
    path("set/", FORM(account.password_set), name="account_set_password"),
    path("reset/", FORM(account.password_reset), name="account_reset_password"),
    path("reset/done/", GET(account.password_reset_done), name="account_reset_password_done"),
    path(
        "reset/key/done/",
        GET(account.password_reset_from_key_done),
        name="account_reset_password_from_key_done",
    ),
]

urlpatterns = [
    path("login/", FORM(account.login), name="account_login"),
    path("logout/", OPENS(FORM(account.logout)), name="account_logout"),
    path("inactive/", GET(account.account_inactive), name="account_inactive"),
    path("reauthenticate/", MANAGE(FORM(account.reauthenticate)), name="account_reauthenticate"),
    path("password/", include(password)),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        FORM(account.password_reset_from_key),
        name="account_reset_password_from_key",
    ),
    # The second-factor pages stay at this level, where the check that each is declared open
    # or managing (tests/accounts/test_mfa.py) reads them.
    path("two-factor/", MANAGE(GET(mfa.index)), name="mfa_index"),
    path("two-factor/authenticate/", FORM(mfa_views.authenticate), name="mfa_authenticate"),
    path("two-factor/reauthenticate/", OPENS(FORM(mfa.reauthenticate)), name="mfa_reauthenticate"),
    path("two-factor/totp/activate/", MANAGE(FORM(totp.activate_totp)), name="mfa_activate_totp"),
    path(
        "two-factor/totp/deactivate/",
        MANAGE(FORM(totp.deactivate_totp)),
        name="mfa_deactivate_totp",
    ),
    path(
        "two-factor/recovery-codes/",
        MANAGE(GET(recovery_codes.view_recovery_codes)),
        name="mfa_view_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/generate/",
        MANAGE(FORM(recovery_codes.generate_recovery_codes)),
        name="mfa_generate_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/download/",
        MANAGE(GET(recovery_codes.download_recovery_codes)),
        name="mfa_download_recovery_codes",
    ),
    path("two-factor/keys/", MANAGE(GET(webauthn.list_webauthn)), name="mfa_list_webauthn"),
    path("two-factor/keys/add/", MANAGE(FORM(webauthn.add_webauthn)), name="mfa_add_webauthn"),
    path(
        "two-factor/keys/reauthenticate/",
        OPENS(FORM(webauthn.reauthenticate_webauthn)),
        name="mfa_reauthenticate_webauthn",
    ),
    path(
        "two-factor/keys/<int:pk>/remove/",
        MANAGE(FORM(mfa_views.remove_webauthn)),
        name="mfa_remove_webauthn",
    ),
    path(
        "two-factor/keys/<int:pk>/edit/",
        MANAGE(FORM(webauthn.edit_webauthn)),
        name="mfa_edit_webauthn",
    ),
    path("", views.account, name="account"),
    path("registration/", views.registration, name="account_registration"),
    path("training/add/", views.training_add, name="account_training_add"),
    path("training/<int:pk>/remove/", views.training_remove, name="account_training_remove"),
    path("syllabus/", views.syllabus_record, name="account_syllabus"),
    path("syllabus/<int:pk>/remove/", views.syllabus_remove, name="account_syllabus_remove"),
]
