"""Hostile workbooks on a real Celery worker (prefork pool, PostgreSQL, Redis): the reader's
child process dies or is refused, the worker does not, and its next import goes through."""

import pytest
from django.conf import settings
from django.utils import translation

from portal.imports import readers
from portal.imports import services as imports
from portal.models import ImportJob

from .. import factories
from .. import import_files as files
from ..portal import test_import_sandbox as hostile
from .conftest import wait_for

pytestmark = [
    pytest.mark.soak,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def finished(job_id):
    return ImportJob.objects.filter(
        pk=job_id, status__in=["preview", "refused", "failed", "done"]
    ).first()


def submit(world, data, name):
    return imports.import_job_create(
        user=world.users["school"], kind="roster", file_name=name, data=data
    )


def test_hostile_workbooks_are_refused_and_the_worker_lives_on(world, workers):
    worker = workers.start("sandbox")
    # Refused by the checks before the reader builds anything.
    far, number = hostile.single_quoted_far_cell()
    job = submit(world, far, "far.xlsx")
    done = wait_for(lambda: finished(job.pk), timeout=120, every=0.2, what="the first job")
    assert done.status == "refused" and str(number) in done.file_errors[0], done.file_errors
    # Past the checks (a cell that a value's content hides from them), the reader itself
    # asks for gigabytes and aborts: its child dies, the job is refused with the limits.
    hidden = hostile.one_sheet(
        '<row r="1048576"><c r="A1"><v>1</c></row><row r="1"><c></v></c>'
        + "<c><v>1</v></c>" * 150
        + "</row>"
    )
    job = submit(world, hidden, "hidden.xlsx")
    done = wait_for(lambda: finished(job.pk), timeout=120, every=0.2, what="the second job")
    assert done.status == "refused", (done.status, done.file_errors)
    with translation.override(settings.LANGUAGE_CODE):
        assert done.file_errors == [readers.limits_message()]
    assert done.unfinished_runs == 0
    # The same worker process reads the next file.
    good = files.xlsx_bytes(
        [[world.school.code, "林晓", factories.id_number(), "小学", "语文", "在编", "是"]]
    )
    job = submit(world, good, "good.xlsx")
    done = wait_for(lambda: finished(job.pk), timeout=120, every=0.2, what="the third job")
    assert done.status == "preview", done.file_errors
    assert worker.poll() is None  # the worker is alive
