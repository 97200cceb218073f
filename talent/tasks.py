"""Background jobs of the talent ladder."""

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from . import services

LOCK = "talent:attainment"


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def recompute_attainment(self) -> int:
    """Every target's snapshot for today. Single-flight: a run while another is going
    returns at once (it would write the same figures)."""
    if not cache.add(LOCK, self.request.id or "eager", 30 * 60):
        return 0
    try:
        return services.attainment_recompute()
    finally:
        cache.delete(LOCK)
