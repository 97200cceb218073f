"""Who is asking, as far as log-in lockout and the audit log are concerned, and the
Content-Security-Policy every response carries.

The client address is ``REMOTE_ADDR`` unless the portal runs behind ``TRUSTED_PROXY_COUNT``
reverse proxies: then it is the address the outermost trusted proxy saw, counted from the
right of ``X-Forwarded-For``. Whatever a client writes at the left of that header is ignored,
so a forged ``X-Forwarded-For`` can neither reset nor dodge a lockout."""

from __future__ import annotations

from contextvars import ContextVar

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum

from . import rules


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` on every response: scripts and styles only from the
    portal itself (no inline script anywhere; inline ``style`` attributes are allowed for
    the widths of progress bars), no framing, forms posting only to the portal."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}"
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


def lockout_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME * 60))


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler (``AXES_HANDLER``) with a second, separate limit for an
    address on its own.

    ``AXES_LOCKOUT_PARAMETERS`` lock an account, and an account at an address, after
    ``AXES_FAILURE_LIMIT`` failures within the cool-off, whatever the address. An address
    alone is locked only after ``LOCKOUT_IP_FAILURE_LIMIT`` failures on any accounts, far
    above what the people of one office behind one NAT address mistype: a third party who
    makes an office's browsers fail log-ins cannot lock out the whole office, and guessing
    across many accounts from one address is still stopped."""

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0

    def address_locked(self, request) -> bool:
        return (
            settings.AXES_LOCK_OUT_AT_FAILURE
            and self.address_failures(request) >= settings.LOCKOUT_IP_FAILURE_LIMIT
        )

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the address's limit is answered as locked out, as the one
        # that reaches an account's limit is.
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and not self.is_whitelisted(request, credentials)
            and self.address_locked(request)
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def lockout_response(request, credentials, *args, **kwargs):
    """The lockout page (HTTP 429), in the user's language, saying when to try again."""
    from django.shortcuts import render

    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"cooloff_minutes": lockout_minutes()},
        status=429,
    )


# The client address of the request being served, for the audit log ("from where") of
# events recorded deep inside services and tasks started by that request.
_request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)


def current_ip() -> str | None:
    return _request_ip.get()


class RequestAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _request_ip.reset(token)


def audit_log_ins() -> None:
    """Log-ins, failed log-ins and log-outs go into the audit log (never the password):
    the staff of the account's region see who came in, from where, and the attempts on
    their accounts."""
    from django.contrib.auth import signals

    signals.user_logged_in.connect(_logged_in, dispatch_uid="portal.audit.login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="portal.audit.logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="portal.audit.login_failed")


def _logged_in(sender, request, user, **kwargs):
    from .services import audit_record

    audit_record(actor=user, action="login.success", obj=user)


def _logged_out(sender, request, user, **kwargs):
    from .services import audit_record

    if user is not None:
        audit_record(actor=user, action="logout", obj=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    from .models import User
    from .services import audit_record

    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first()
    audit_record(
        actor=None,
        action="login.failed",
        obj=account,
        detail={
            "username": username,
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )


def axes_username(request, credentials=None) -> str:
    """The username the lockout table keeps: an ID number typed as a username (or into it)
    is masked there as everywhere else; lockout still counts by the masked name."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    text = str(raw or "")[:150]
    masked = rules.mask_id_numbers(text)
    return rules.mask_id_like(masked)
