"""Personal data at rest: ID numbers are encrypted (AES-256-GCM with a random nonce) and
looked up by a keyed hash (HMAC-SHA256), so a dump of the table shows neither the number
nor a hash an attacker could compute from a list of plausible numbers. Uploaded files that
hold ID numbers are encrypted the same way while they wait to be imported."""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A version prefix leaves room for key rotation: a new key gets a new prefix.
_PREFIX = b"g1"
_NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _cipher(key: str) -> AESGCM:
    if len(key) < 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must have at least 32 characters")
    # Any long random string will do (secrets.token_urlsafe(48)); AES-256 wants 32 bytes.
    return AESGCM(hashlib.sha256(key.encode()).digest())


def encrypt_bytes(data: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _PREFIX + nonce + _cipher(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, data, None)


def decrypt_bytes(token: bytes) -> bytes:
    if not token.startswith(_PREFIX):
        raise ImproperlyConfigured("Unknown encryption format")
    nonce = token[len(_PREFIX) : len(_PREFIX) + _NONCE_BYTES]
    try:
        return _cipher(settings.FIELD_ENCRYPTION_KEY).decrypt(
            nonce, token[len(_PREFIX) + _NONCE_BYTES :], None
        )
    except InvalidTag as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY does not match the stored data") from exc


def encrypt_text(value: str) -> str:
    return base64.urlsafe_b64encode(encrypt_bytes(value.encode())).decode()


def decrypt_text(token: str) -> str:
    return decrypt_bytes(base64.urlsafe_b64decode(token.encode())).decode()


@lru_cache(maxsize=4)
def _hmac(key: str):
    if not key:
        raise ImproperlyConfigured("ID_HASH_KEY is not set")
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def lookup_hash(value: str) -> str:
    keyed = _hmac(settings.ID_HASH_KEY).copy()
    keyed.update(value.encode())
    return keyed.hexdigest()


def text_encrypter():
    """``encrypt_text`` with the key read once, for loops over many rows."""
    cipher = _cipher(settings.FIELD_ENCRYPTION_KEY)

    def encrypt(value: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        token = _PREFIX + nonce + cipher.encrypt(nonce, value.encode(), None)
        return base64.urlsafe_b64encode(token).decode()

    return encrypt


def id_hasher():
    """``lookup_hash`` with the key read once, for loops over many rows."""
    base = _hmac(settings.ID_HASH_KEY)

    def lookup(value: str) -> str:
        keyed = base.copy()
        keyed.update(value.encode())
        return keyed.hexdigest()

    return lookup
