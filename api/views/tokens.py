"""The person's API tokens, on their account pages: made only by a session that has given its
second factor (a token outlives the session, so it is made with the strongest sign-in the
service has), shown once, and revoked with a confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.mfa import factors, prove_url, session_verified
from core.forms import show_refusal, submitted
from core.http import allow

from .. import services
from ..scopes import described, offered
from ..token_forms import TokenForm


@allow("GET")
def token_list(request):
    tokens = list(request.user.api_tokens.all())
    for token in tokens:
        token.described = described(token.scopes)
    return render(
        request,
        "api/token_list.html",
        {"tokens": tokens, "now": timezone.now(), "may_make": bool(offered(request.user))},
    )


@allow("GET", "POST")
def token_create(request):
    kinds = factors(request.user)
    if not kinds:
        return render(request, "api/token_needs_factor.html")
    if not session_verified(request):
        return redirect(prove_url(kinds, request.path))
    form = TokenForm(submitted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(by=request.user, **form.cleaned_data)
        except ValidationError as refused:
            show_refusal(form, refused, "name")
        else:
            # The secret, once: it is not kept, and this answer is never stored (no-store).
            context = {"token": token, "secret": secret, "described": described(token.scopes)}
            return render(request, "api/token_made.html", context)
    return render(request, "api/token_form.html", {"form": form})


@allow("GET", "POST")
def token_revoke(request, pk):
    token = get_object_or_404(request.user.api_tokens.all(), pk=pk)
    if request.method == "POST":
        services.token_revoke(by=request.user, token=token)
        messages.success(request, f"The token {token.name} no longer works")
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
