"""The database connection dies under a request and under a task (the backend is
terminated, as a failover or an administrator would): the request gets a clear error and
the next one works (connection health checks), the task retries or fails clearly, and
nothing is ever half-written."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from compensation.models import PayReport
from portal.imports import services as imports
from portal.models import AuditEvent, ImportJob, Teacher

from .conftest import wait_for
from .test_worker_failure import roster, stall, stalled_backend, unstall

pytestmark = [
    pytest.mark.soak,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def terminate_stalled() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return len(cursor.fetchall())


def call(method, url, body=None, headers=None):
    """(status, text) of an HTTP request, with the standard library only."""
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - the test server on loopback
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **(headers or {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def token(live_server, username):
    import json

    from tests.factories import PASSWORD

    _status, text = call(
        "POST",
        f"{live_server.url}/api/v1/auth/token/",
        {"username": username, "password": PASSWORD},
    )
    return {"Authorization": f"Token {json.loads(text)['token']}"}


def test_a_request_whose_connection_dies_fails_clearly_and_the_next_works(world, live_server):
    headers = token(live_server, "county")
    body = {"county": world.county.pk, "year": 2024, "teacher_pay": "150000"}
    stall("compensation_payreport", 3)
    result = {}

    def post():
        result["status"], result["text"] = call(
            "POST", f"{live_server.url}/api/v1/pay-reports/", body, headers
        )

    thread = threading.Thread(target=post)
    thread.start()
    wait_for(stalled_backend, timeout=20, what="the request to reach the database write")
    assert terminate_stalled() == 1
    thread.join(timeout=30)
    assert result["status"] == 500  # a clear error, not a hang
    import json

    detail = json.loads(result["text"])["detail"]
    assert "nothing was saved" in detail or "没有保存" in detail
    assert not PayReport.objects.filter(county=world.county, year=2024).exists()
    assert not AuditEvent.objects.filter(action="pay.report_create", detail__year=2024).exists()
    unstall("compensation_payreport")
    # The next request gets a fresh connection (health checks) and succeeds.
    status, text = call("POST", f"{live_server.url}/api/v1/pay-reports/", body, headers)
    assert status == 201, text
    saved = PayReport.objects.get(county=world.county, year=2024)
    assert saved.teacher_pay == Decimal(150000)


def test_a_task_whose_connection_dies_retries_or_fails_clearly(world, workers):
    before = Teacher.objects.count()
    stall("portal_teacher", 2)
    workers.start("only")
    job = imports.import_job_create(
        user=world.users["school"],
        kind="roster",
        file_name="名单.csv",
        data=roster(world.school.code, 5_000),
        commit_when_valid=True,
    )
    wait_for(stalled_backend, timeout=120, what="the write to start")
    assert terminate_stalled() == 1
    time.sleep(0.5)
    assert Teacher.objects.count() == before  # the dead transaction left nothing
    unstall("portal_teacher")
    done = wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).first(),
        timeout=180,
        every=0.5,
        what="the import to end",
    )
    if done.status == "done":  # retried on a new connection
        assert Teacher.objects.count() == before + 5_000
    else:  # or failed, saying so, with nothing written
        assert done.file_errors and Teacher.objects.count() == before
