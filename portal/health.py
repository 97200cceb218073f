"""``/healthz/``: can this web process reach what its requests need, the database and the
Celery broker (Redis)?

200 ``{"status": "ok", "checks": {"database": "ok", "broker": "ok"}}`` only when both
answer; 503 with the one that did not marked ``"unavailable"`` otherwise. The body names
no host, version, URL or error text; the reason goes to the log.

The production settings put :class:`HealthCheckMiddleware` first, so the path is answered
before Django validates the Host header (``ALLOWED_HOSTS``) or redirects plain HTTP to
HTTPS: Docker's healthcheck and a proxy's probe reach the app directly, over plain HTTP,
with whatever Host they send. The URL in ``portal/urls.py`` serves the same view in the
local and test settings."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.urls import path

logger = logging.getLogger(__name__)

PATH = "/healthz/"
# Seconds the broker check waits to connect and for the answer to PING.
BROKER_TIMEOUT = 3


def database_answers() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
        logger.warning("health check: database unavailable (%s: %s)", type(exc).__name__, exc)
        return False
    return True


def broker_answers() -> bool:
    """PING the Redis broker on a new connection. A broker that is not Redis (the local and
    test settings' in-process ``memory://``, tasks run eagerly) has nothing to reach."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return True
    import redis

    client = None
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
        )
        answered = bool(client.ping())
    except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
        logger.warning("health check: broker unavailable (%s: %s)", type(exc).__name__, exc)
        return False
    finally:
        if client is not None:
            client.close()
    return answered


def healthz(request):
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"status": "method not allowed"}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    checks = {"database": database_answers(), "broker": broker_answers()}
    healthy = all(checks.values())
    response = JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if healthy else 503,
    )
    # Answered ahead of the middleware that sets these on every other response.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HealthCheckMiddleware:
    """Answers ``/healthz/`` itself, ahead of the Host check and the HTTPS redirect; every
    other request goes on down the stack untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)


# Included at ``healthz/`` by portal/urls.py.
urlpatterns = [path("", healthz, name="healthz")]
