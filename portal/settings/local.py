"""The newcomer's settings: SQLite unless DATABASE_URL is set, Celery eager, DEBUG on.
The keys below are throw-away values for a laptop, never for a real deployment."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = "django-insecure-local-only-7c1f0a3e5b"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
FIELD_ENCRYPTION_KEY = "local-only-field-encryption-key-not-for-production"
ID_HASH_KEY = "local-only-id-hash-key"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

# The API's schema and docs answer anonymous requests here (not in production).
API_DOCS_PUBLIC = True

# Serve static files from the app folders without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
