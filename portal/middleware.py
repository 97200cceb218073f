import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

_SESSION_STARTED = "portal_session_started"


class PrivateDataHeadersMiddleware:
    """Pages for a signed-in user carry personal data: keep them out of every cache, and
    end a session that has outlived the absolute time-out however active it was."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            started = request.session.setdefault(_SESSION_STARTED, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        response = self.get_response(request)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
