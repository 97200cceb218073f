"""The newcomer's settings: SQLite unless DATABASE_URL is set, Celery eager. DEBUG is off
unless DEBUG=1 is set: the demo shows the portal's own Chinese 404 and 500 pages, and no
traceback reaches a browser (errors go to the console log). The keys below are throw-away
values for a laptop, never for a real deployment."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = "django-insecure-local-only-7c1f0a3e5b"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
FIELD_ENCRYPTION_KEY = "local-only-field-encryption-key-not-for-production"
ID_HASH_KEY = "local-only-id-hash-key"
# No browsable API, not even locally: its forms list every row a foreign key could point
# at (every teacher of every province in a select), whatever the caller's scope. Swagger UI
# at /api/docs/ serves to try the API.

# The API's schema and docs answer anonymous requests here (not in production).
API_DOCS_PUBLIC = True

# Serve static files from the app folders without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
