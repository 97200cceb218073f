"""API tokens that expire and can be revoked. DRF's own tokens never expire."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token) -> bool:
    return token.created < timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)  # refuses inactive users
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("The token has expired; request a new one."))
        return user, token


def purge_expired_tokens() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)
    deleted, _rows = Token.objects.filter(created__lt=cutoff).delete()
    return deleted
