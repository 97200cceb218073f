"""Production: every secret and host comes from the environment; nothing defaults to
something unsafe."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
ID_HASH_KEY = env_str("ID_HASH_KEY")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# /healthz/ (portal/health.py) is answered before the Host check and the HTTPS redirect, so
# Docker's healthcheck and the proxy's probe reach it over plain HTTP with any Host. The
# exemption keeps it out of the redirect should the middleware ever move down the list.
MIDDLEWARE = ["portal.health.HealthCheckMiddleware", *MIDDLEWARE]  # noqa: F405
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
