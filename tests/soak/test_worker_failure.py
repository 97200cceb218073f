"""A worker killed with SIGKILL in the middle of a large import and of an attainment
recompute: after another worker takes over, the import is whole (never half-written, never
twice) and the figures equal a clean recompute.

To land the kill inside the write, a test trigger makes the write's statement wait two
seconds (fault injection in the database; the application code is untouched)."""

import time
from datetime import date, timedelta

import pytest
from django.db import connection

from portal import rules
from portal.imports import services as imports
from portal.models import ImportJob, ServicePeriod, Teacher
from talent import presets
from talent import services as talent
from talent.models import Attainment, Target

from .. import factories
from .. import import_files as files
from .conftest import VISIBILITY, wait_for

pytestmark = [
    pytest.mark.soak,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROWS = 20_000


def roster(school_code: str, count: int) -> bytes:
    rows = []
    for i in range(count):
        birth = date(1970, 1, 1) + timedelta(days=i // 40)
        first17 = f"330302{birth:%Y%m%d}{(i % 40) // 10 + 10:02d}{(i % 10)}"
        number = first17 + rules.id_check_character(first17)
        rows.append(
            [
                school_code,
                factories.person_name(i),
                number,
                "小学",
                "语文",
                "在编",
                "是",
                "一级教师",
                "2012-09-01",
            ]
        )
    return files.csv_bytes(rows)


def stall(table: str, seconds: float):
    """A statement trigger that makes every write to ``table`` wait."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION soak_stall() RETURNS trigger AS $$
            BEGIN PERFORM pg_sleep({seconds}); RETURN NULL; END; $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS soak_stall ON {table};
            CREATE TRIGGER soak_stall BEFORE INSERT ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION soak_stall();
            """
        )


def unstall(table: str):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS soak_stall ON {table}")


def stalled_backend() -> bool:
    """A backend is inside the stalled write (its query waits in pg_sleep)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_a_killed_import_is_whole_or_absent_then_whole_once(world, workers):
    before = Teacher.objects.count()
    stall("portal_teacher", 2)
    first = workers.start("first")
    job = imports.import_job_create(
        user=world.users["school"],
        kind="roster",
        file_name="全校名单.csv",
        data=roster(world.school.code, ROWS),
        commit_when_valid=True,
    )
    wait_for(stalled_backend, timeout=120, what="the write to start")
    workers.kill(first)
    # The worker died inside the write: nothing of it may remain.
    time.sleep(0.5)
    assert Teacher.objects.count() == before
    assert ImportJob.objects.get(pk=job.pk).status == "importing"
    unstall("portal_teacher")
    time.sleep(VISIBILITY + 1)  # the broker gives the unacknowledged task back
    workers.start("second")
    done = wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).first(),
        timeout=180,
        every=0.5,
        what="the import to finish on the second worker",
    )
    assert done.status == "done", done.file_errors
    assert Teacher.objects.count() == before + ROWS
    hashes = Teacher.objects.values_list("id_number_hash", flat=True)
    assert len(set(hashes)) == len(hashes)  # nobody twice
    assert ServicePeriod.objects.filter(teacher__name__startswith="教师").count() == ROWS


def snapshot_figures():
    return sorted(
        Attainment.objects.filter(as_of=date.today()).values_list(
            "target_id", "region_id", "achieved", "denominator", "status"
        )
    )


def test_a_killed_recompute_leaves_the_figures_of_a_clean_one(world, workers):
    presets.load("ningxia", region=world.province)
    from talent.tasks import recompute_attainment

    Attainment.objects.filter(as_of=date.today()).delete()
    stall("talent_attainment", 3)
    first = workers.start("first")
    recompute_attainment.delay()
    wait_for(stalled_backend, timeout=60, what="the recompute to write")
    workers.kill(first)
    time.sleep(0.5)
    assert not Attainment.objects.filter(as_of=date.today()).exists()  # rolled back whole
    unstall("talent_attainment")
    time.sleep(VISIBILITY + 1)
    workers.start("second")
    wait_for(
        # A target past its deadline keeps its deadline's figure: only running ones get today's.
        lambda: (
            Attainment.objects.filter(as_of=date.today()).count()
            >= Target.objects.filter(deadline__gte=date.today()).count()
        ),
        timeout=120,
        every=0.5,
        what="the recompute on the second worker",
    )
    time.sleep(1)  # let a duplicate, if any, finish too
    after_kill = snapshot_figures()
    talent.attainment_recompute(on=date.today())  # a clean recompute, in this process
    assert snapshot_figures() == after_kill
