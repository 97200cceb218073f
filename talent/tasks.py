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
    with locks.single_flight(LOCK, token=self.request.id or "eager", timeout=30 * 60) as held:
        if held:
            return services.attainment_recompute()
    if self.request.is_eager:
        return 0
    # Another run is going: run again once it is done, so this one's cause (an import, a
    # recognition) is not missed.
    raise self.retry(countdown=60, max_retries=30)
