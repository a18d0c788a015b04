from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    # Its pages, at these addresses (mso_portal/urls.py includes them).
    routes = {"accounts/": "accounts.urls"}
    verbose_name = "Accounts"

    def ready(self):
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from auditlog.registry import auditlog

        from .models import ProfessionalRegistration, SyllabusTraining, Training, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        # Second factors added and removed (their secrets are never recorded).
        auditlog.register(Authenticator, include_fields=["user", "type", "created_at"])
        # Address records (a site administrator clears stray ones: services.sign_in_unstick).
        auditlog.register(EmailAddress, include_fields=["user", "email", "verified", "primary"])
        auditlog.register(ProfessionalRegistration)
        auditlog.register(Training)
        auditlog.register(SyllabusTraining)
