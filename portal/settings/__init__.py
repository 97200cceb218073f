"""Settings are split by purpose: base (shared), local (newcomer, SQLite, eager Celery),
test (pytest) and production (everything from the environment, strictly)."""
