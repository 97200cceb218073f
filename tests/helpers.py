"""Small helpers shared by tests."""

from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection, connections

from portal import locks


@contextmanager
def lock_held_elsewhere(name: str, item: int = 0):
    """Hold one of ``portal.locks`` as another process would: on PostgreSQL from a second
    connection (advisory locks are re-entrant within one session), else in the cache."""
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", locks._keys(name, item))
            yield
        finally:
            other.close()
    else:
        key = f"lock:{name}:{item}"
        cache.add(key, "elsewhere", 60)
        try:
            yield
        finally:
            cache.delete(key)
