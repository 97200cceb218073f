"""Background jobs of the shared kernel: thin wrappers around services."""

from celery import shared_task

from .api.authentication import purge_expired_tokens as purge_expired_tokens_service


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def purge_expired_tokens() -> int:
    """Delete API tokens past their lifetime; returns how many went."""
    return purge_expired_tokens_service()
