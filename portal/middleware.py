import time

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation

_SESSION_STARTED = "portal_session_started"


class PrivateDataHeadersMiddleware:
    """Pages for a signed-in user carry personal data: keep them out of every cache, and
    end a session that has outlived the absolute time-out however active it was.

    "Signed in" is decided after the view, so that a request the API authenticated with a
    token counts too (DRF sets the user on the request as it authenticates); and every API
    answer is ``no-store`` whoever asked (a token log-in answers an anonymous request with a
    token)."""

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
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
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


class RefuseIDNumbersInURLs:
    """An ID number never travels in a URL: addresses land in access logs, proxies, browser
    history and Referer headers. A request whose path or query string holds one is refused
    (400) before any view runs, whichever door it knocks on; searches by ID number are POSTs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .rules import contains_id_number

        # The path and the query as Django decodes them (percent-escapes, UTF-8), so that
        # no spelling of the number slips past.
        parts = [request.path]
        for key, values in request.GET.lists():
            parts.append(key)
            parts.extend(values)
        if contains_id_number("\n".join(parts)):
            return _id_number_in_url(request)
        return self.get_response(request)


def _id_number_in_url(request):
    from django.http import HttpResponse, JsonResponse
    from django.template import loader
    from django.utils.translation import gettext as _

    message = _(
        "An ID number may not be sent in a web address, where logs and browser history keep "
        "it. Search by ID number with the search box (or, for the API, "
        "POST /api/v1/teachers/search/)."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    body = loader.get_template("400.html").render({"message": message})
    return HttpResponse(body, status=400)


class OutOfRangeIsBadRequest:
    """A number too large for the database (``?school=99999999999999999999``: SQLite's
    OverflowError, PostgreSQL's "out of range" DataError) is the client's mistake, a 400, at
    every door, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import DataError

        if not isinstance(exception, (OverflowError, DataError)):
            return None
        if isinstance(exception, DataError) and "out of range" not in str(exception):
            return None
        from django.http import HttpResponse, JsonResponse
        from django.template import loader
        from django.utils.translation import gettext as _

        message = _("A number in the request is out of range.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        body = loader.get_template("400.html").render({"message": message})
        return HttpResponse(body, status=400)
