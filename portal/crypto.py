"""Personal data at rest: ID numbers are encrypted (Fernet: AES-128-CBC + HMAC-SHA256)
and looked up by a keyed hash (HMAC-SHA256), so a dump of the table shows neither the
number nor a hash an attacker could compute from a list of plausible numbers."""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    if not key:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set")
    if len(key) < 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must have at least 32 characters")
    # Any long random string will do (secrets.token_urlsafe(48)); Fernet wants 32 bytes.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def encrypt_text(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY does not match the stored data") from exc


def lookup_hash(value: str) -> str:
    key = settings.ID_HASH_KEY
    if not key:
        raise ImproperlyConfigured("ID_HASH_KEY is not set")
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def encrypt_bytes(data: bytes) -> bytes:
    """For uploaded files kept until they are imported: they hold ID numbers in clear."""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token)
