"""The Celery app. Eager locally and in tests; Redis broker and result backend in
production and CI (see settings.base)."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def keep_the_settings_logging(**kwargs):
    """A worker keeps the settings' LOGGING, whose every handler masks ID numbers; without a
    receiver of this signal Celery replaces the root handlers with its own, unmasked ones."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
