"""pytest settings: PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI),
SQLite and eager Celery otherwise."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "django-insecure-test-only"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
FIELD_ENCRYPTION_KEY = "test-only-field-encryption-key-not-for-production"
ID_HASH_KEY = "test-only-id-hash-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run eagerly unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The API's schema and docs answer anonymous requests here (not in production).
API_DOCS_PUBLIC = True

# Serve static files from the app folders without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Uploads of one test run never meet another's.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
