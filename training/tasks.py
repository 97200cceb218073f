"""Background jobs of the training ledger: thin wrappers around services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal import locks

from . import services

RETRY_ON = (ConnectionError, OperationalError, InterfaceError)
LOCK = "training:recompute"


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def recompute_compliance(self) -> int:
    """The nightly refresh of every teacher's summary. Single-flight: while another run is
    going this one writes nothing and tries again a minute later; the lock dies with its
    holder, so a killed worker leaves none behind."""
    with locks.single_flight(LOCK, token=self.request.id or "eager", timeout=60 * 60) as held:
        if held:
            return services.summaries_recompute()
    if self.request.is_eager:
        return 0
    # Another run is going: run again once it is done, so this one's cause (an import, a
    # recognition) is not missed.
    raise self.retry(countdown=60, max_retries=30)
