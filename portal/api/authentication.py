"""API tokens: one issued at each token log-in, stored as a hash of its key, refused (and
deleted) once past its absolute lifetime or its idle limit, once the user's password has
changed, or once the user is deactivated; revoked by ``DELETE /api/v1/auth/token/``.

A password change needs no hook: like Django's session auth hash, each token keeps a keyed
fingerprint of the password hash it was issued under, and any new password (the password
change page, the admin's set-password form, ``changepassword``, ``set_password`` anywhere)
no longer matches it."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from ..models import ApiToken, User

# A user may hold this many tokens at once (a script, a colleague's tool...); a log-in
# beyond it drops the oldest.
TOKENS_PER_USER = 10
# ``last_used`` is written at most this often: the idle limit is hours, not seconds.
LAST_USE_PRECISION = timedelta(minutes=1)
_FINGERPRINT_SALT = "portal.api.authentication.password_fingerprint"


def key_hash(key: str) -> str:
    """Keys are 160 random bits: a plain SHA-256 is enough to make a leaked table useless."""
    return hashlib.sha256(key.encode()).hexdigest()


def password_fingerprint(user: User, secret: str | None = None) -> str:
    return salted_hmac(
        _FINGERPRINT_SALT, user.password, secret=secret, algorithm="sha256"
    ).hexdigest()


def _password_unchanged(token: ApiToken) -> bool:
    # The current secret key, then the fallbacks: rotating the key does not log out the API.
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if constant_time_compare(
            token.password_fingerprint, password_fingerprint(token.user, secret)
        ):
            return True
    return False


def token_expired(token: ApiToken, now=None) -> bool:
    now = now or timezone.now()
    return token.created < now - timedelta(
        seconds=settings.API_TOKEN_TTL_SECONDS
    ) or token.last_used < now - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)


def token_issue(*, user: User) -> str:
    """A new token for the user; returns its key, which is stored nowhere."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        ApiToken.objects.create(
            user=user, key_hash=key_hash(key), password_fingerprint=password_fingerprint(user)
        )
        surplus = ApiToken.objects.filter(user=user).order_by("-created", "-pk")[TOKENS_PER_USER:]
        ApiToken.objects.filter(pk__in=list(surplus.values_list("pk", flat=True))).delete()
    return key


def token_revoke(*, user: User, token: ApiToken | None = None) -> int:
    """Revoke one token of the user, or all of them; returns how many went."""
    tokens = ApiToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(pk=token.pk)
    deleted, _rows = tokens.delete()
    return deleted


def purge_expired_tokens() -> int:
    now = timezone.now()
    deleted, _rows = ApiToken.objects.filter(
        Q(created__lt=now - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS))
        | Q(last_used__lt=now - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS))
    ).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, checked against the hashes of live tokens."""

    model = ApiToken

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(key_hash=key_hash(key))
        except ApiToken.DoesNotExist:
            raise AuthenticationFailed(_("Invalid token.")) from None
        now = timezone.now()
        if not token.user.is_active:
            token.delete()
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token, now):
            token.delete()
            raise AuthenticationFailed(_("The token has expired; request a new one."))
        if not _password_unchanged(token):
            token.delete()
            raise AuthenticationFailed(
                _("The password has changed since this token was issued; request a new one.")
            )
        if now - token.last_used >= LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user, token
