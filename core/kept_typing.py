"""What someone typed when their session had ended is kept for them.

A nurse who takes longer than the idle limit over a report is signed out
(``SessionLimitsMiddleware``); the press of their button then reaches a page that needs a
signed-in person. For a view marked ``@keeps_typing``, ``LoginRequiredMiddleware`` here keeps
what was posted in the browser's session, with who had been signed in, before it sends them to
sign in. Once the same person is back, the view takes it up (``typed_before_sign_in``); anyone
else signing in on that browser (a shared ward computer) never sees it. An answer that holds a
patient's identifier (core.identifiers) is not kept: it is typed again.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

from . import identifiers

SIGNED_OUT = "signed_out_user"
KEPT = "kept_typing"
CONTROLS = {"csrfmiddlewaretoken"}


def keeps_typing(view):
    """Mark a view whose posted text is kept across a sign-in (see above)."""
    view.keeps_typing = True
    return view


def posted(post) -> dict[str, list[str]]:
    """What was typed, as a JSON-able dict of lists, without the form's token (nor NULs)."""
    return {
        key: [value.replace("\x00", "") for value in post.getlist(key)]
        for key in post
        if key not in CONTROLS
    }


class LoginRequiredMiddleware(DjangoLoginRequired):
    def handle_no_permission(self, request, view_func):
        signed_out = request.session.get(SIGNED_OUT)
        if request.method == "POST" and signed_out and getattr(view_func, "keeps_typing", False):
            typed = posted(request.POST)
            for name in identifiers.found_in_typed(typed):
                del typed[name]
            request.session[KEPT] = {"user": signed_out, "path": request.path, "data": typed}
        return super().handle_no_permission(request, view_func)


def typed_before_sign_in(request) -> dict[str, list[str]] | None:
    """What the signed-in person posted to this page before they were signed out, once."""
    kept = request.session.get(KEPT)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[KEPT]
    request.session.pop(SIGNED_OUT, None)
    return kept["data"] if kept.get("user") == request.user.pk else None
