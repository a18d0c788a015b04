"""django-allauth's second-factor pages, where the service needs more than allauth gives:
which second factors a person has (so the sign-in step offers only those), and no removing the
last one a person's roles need."""

from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import views as base
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import views as webauthn
from django.contrib import messages
from django.shortcuts import redirect


def _kinds(user) -> set[str]:
    return set(Authenticator.objects.filter(user=user).values_list("type", flat=True))


class AuthenticateView(base.AuthenticateView):
    """The second step of signing in: a code from the app, or the security key."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kinds = _kinds(self.stage.login.user)
        context["has_app"] = Authenticator.Type.TOTP in kinds
        context["has_key"] = Authenticator.Type.WEBAUTHN in kinds
        return context


class RemoveWebAuthnView(webauthn.RemoveWebAuthnView):
    """Remove a security key, unless it is the last second factor the person's roles need."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_remove"] = get_adapter().can_delete_authenticator(self.object)
        return context

    def form_valid(self, form):
        if not get_adapter().can_delete_authenticator(self.get_object()):
            messages.error(
                request=self.request,
                message=get_adapter().error_messages["cannot_delete_authenticator"],
            )
            return redirect("mfa_list_webauthn")
        return super().form_valid(form)


authenticate = AuthenticateView.as_view()
remove_webauthn = RemoveWebAuthnView.as_view()
