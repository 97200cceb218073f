"""Background jobs of the training ledger: thin wrappers around services."""

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from . import services

RETRY_ON = (ConnectionError, OperationalError, InterfaceError)
LOCK = "training:recompute"


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def recompute_compliance(self) -> int:
    """The nightly refresh of every teacher's summary. Single-flight: a second run while one
    is going does nothing (it would only write the same figures)."""
    if not cache.add(LOCK, self.request.id or "eager", 60 * 60):
        return 0
    try:
        return services.summaries_recompute()
    finally:
        cache.delete(LOCK)
