"""Two small middlewares the libraries do not cover (docs/adr/0007-headers-and-sessions.md).

- ``NoStoreMiddleware``: a page shown to a signed-in person is never kept by a browser or a
  proxy (``Cache-Control: no-store``), so the back button after signing out, or a shared
  computer, shows nothing of it.
- ``SessionLimitsMiddleware``: a session ends after ``SESSION_IDLE_SECONDS`` without a request
  and after ``SESSION_MAX_SECONDS`` in all, whatever happens in between. The last-seen time is
  written at most once a minute, so most requests do not write the session. A session to be
  written is written on a live database connection (core/saved.py): one that died after the
  request's commit would answer the saved work with an error ("session interrupted").
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.cache import add_never_cache_headers

from .saved import reconnect_if_dead

STARTED = "session_started_at"
SEEN = "session_seen_at"
SEEN_RESOLUTION = 60


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


@receiver(user_logged_in, dispatch_uid="session-started")
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[SEEN] = now


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(STARTED, now)
            seen = session.setdefault(SEEN, now)
            if now - seen > settings.SESSION_IDLE_SECONDS:
                self._end(request, "You were signed out after 30 minutes without activity.")
            elif now - started > settings.SESSION_MAX_SECONDS:
                self._end(request, "You were signed out because you signed in 12 hours ago.")
            elif now - seen >= SEEN_RESOLUTION:
                session[SEEN] = now
        response = self.get_response(request)
        if getattr(request, "session", None) is not None and request.session.modified:
            reconnect_if_dead()  # SessionMiddleware, outside this one, saves it next
        return response

    @staticmethod
    def _end(request, message):
        from .kept_typing import SIGNED_OUT

        user_id = request.user.pk
        logout(request)
        # Who it was, so that what they were typing is kept for them alone (kept_typing.py).
        request.session[SIGNED_OUT] = user_id
        messages.info(request, f"{message} Sign in again to continue.")
