"""The yearly honours scan, a thin wrapper around the service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import services


@shared_task(
    autoretry_for=(ConnectionError, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def scan_honours(year: int | None = None, region_id: int | None = None) -> int:
    from portal.models import Region

    region = Region.objects.get(pk=region_id) if region_id else None
    return services.honours_scan(year=year or timezone.localdate().year, region=region)
