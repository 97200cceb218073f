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
    return locks.run_single_flight(self, LOCK, services.summaries_recompute, timeout=60 * 60)
