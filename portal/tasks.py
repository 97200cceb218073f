"""Background jobs of the shared kernel: thin wrappers around services. They take ids, are
queued after commit, and may run twice without doing anything twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .api.authentication import purge_expired_tokens as purge_expired_tokens_service
from .imports import services as imports

RETRY_ON = (ConnectionError, OperationalError, InterfaceError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def purge_expired_tokens() -> int:
    """Delete API tokens past their lifetime; returns how many went."""
    return purge_expired_tokens_service()


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=3)
def import_check(self, job_id: int) -> str:
    try:
        return imports.import_job_check(job_id).status
    except imports.ImportBusy:
        # A file to be written at once, but the school is busy: the write waits its turn.
        if self.request.is_eager:
            return imports.import_job_wait(job_id).status
        import_apply.apply_async((job_id,), countdown=5)
        return "waiting"


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=3)
def import_apply(self, job_id: int) -> str:
    try:
        return imports.import_job_apply(job_id).status
    except imports.ImportBusy as exc:
        if self.request.is_eager:
            # No worker to come back later: give the job back to its uploader.
            return imports.import_job_wait(job_id).status
        # Another upload for the same schools is being written: wait for it.
        raise self.retry(exc=exc, countdown=5, max_retries=360) from None


@shared_task
def purge_stale_uploads() -> int:
    return imports.purge_stale_uploads()
