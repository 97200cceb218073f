"""Settings of the real Celery workers the fault tests start and kill: the test settings,
on the test database and the test run's media folder (the parent test passes both), not
eager, and with a short visibility timeout so that the broker hands a dead worker's task to
the next worker within seconds instead of an hour."""

import os
from pathlib import Path

from portal.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["SOAK_DATABASE_NAME"]  # noqa: F405
MEDIA_ROOT = Path(os.environ["SOAK_MEDIA_ROOT"])
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ["SOAK_VISIBILITY"])}
