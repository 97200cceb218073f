"""Fault tests: real Celery workers on Redis and PostgreSQL, started as processes so they can
be killed with SIGKILL. Run by ``make soak`` (and CI), not by ``make test``."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 4  # seconds before the broker hands an unacknowledged task to another worker

pytestmark = [pytest.mark.soak, pytest.mark.postgres, pytest.mark.redis]


class Workers:
    """Start and kill worker processes (each in its own process group)."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.soak.worker_settings",
            "SOAK_DATABASE_NAME": connection.settings_dict["NAME"],
            "SOAK_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SOAK_VISIBILITY": str(VISIBILITY),
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=WARNING",
                f"--hostname={name}@%h",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(settings):
    """Producer side on the real broker; whatever a test started is killed at the end."""
    from portal.celery import app

    app.conf.update(
        task_always_eager=False,
        broker_url=os.environ["REDIS_URL"],
        result_backend=os.environ["REDIS_URL"],
        broker_transport_options={"visibility_timeout": VISIBILITY},
    )
    app.control.purge()
    pool = Workers()
    try:
        yield pool
    finally:
        pool.stop_all()
        app.control.purge()
        app.conf.update(task_always_eager=True)


def wait_for(condition, *, timeout: float, every: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
