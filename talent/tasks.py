"""Background jobs of the talent ladder."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal import locks

from . import services

LOCK = "talent:attainment"


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def recompute_attainment(self) -> int:
    """Every target's snapshot for today. Single-flight: while another run is going this one
    writes nothing and tries again a minute later. The lock dies with its holder (a killed
    worker leaves none behind), and the write is one transaction: all or nothing."""
    return locks.run_single_flight(self, LOCK, services.attainment_recompute, timeout=30 * 60)
