"""Named locks that never outlive their holder.

On PostgreSQL they are session advisory locks: a worker killed with SIGKILL loses its
connection and, with it, every lock it held, so a redelivered task finds them free at once.
Elsewhere (SQLite, the newcomer's machine) they live in the cache with a timeout."""

from __future__ import annotations

import zlib
from contextlib import contextmanager

from django.core.cache import cache
from django.db import DatabaseError, connection


def _keys(name: str, item: int) -> tuple[int, int]:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF, int(item) & 0x7FFFFFFF


def acquire(name: str, item: int = 0, *, token: str, timeout: int) -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _keys(name, item))
            return bool(cursor.fetchone()[0])
    return cache.add(f"lock:{name}:{item}", token, timeout)


def release(name: str, item: int = 0, *, token: str) -> None:
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _keys(name, item))
        except DatabaseError:
            pass  # the connection is gone, and the lock with it
        return
    key = f"lock:{name}:{item}"
    if cache.get(key) == token:
        cache.delete(key)


@contextmanager
def single_flight(name: str, *, token: str, timeout: int):
    """``with single_flight("talent:attainment", ...) as held:`` — ``held`` is False when
    another run holds the lock (the caller then returns at once)."""
    held = acquire(name, token=token, timeout=timeout)
    try:
        yield held
    finally:
        if held:
            release(name, token=token)


def run_single_flight(task, name: str, work, *, timeout: int, retry_in: int = 60):
    """The body of a single-flight Celery task (``bind=True``): run ``work()`` under the
    lock ``name`` and return its result; while another run holds the lock, write nothing
    and run again ``retry_in`` seconds later (so this run's cause, an import or a decision,
    is not missed). Eager (the demo and tests): return 0 instead of retrying. The lock dies
    with its holder, so a killed worker leaves none behind."""
    with single_flight(name, token=task.request.id or "eager", timeout=timeout) as held:
        if held:
            return work()
    if task.request.is_eager:
        return 0
    raise task.retry(countdown=retry_in, max_retries=30)
