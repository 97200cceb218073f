import time

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation

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


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the user chose another language (the language
    cookie set by the switcher): a bureau's office computer with an English browser still gets
    the Chinese interface. API clients may also ask through ``Accept-Language``."""

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported and request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
