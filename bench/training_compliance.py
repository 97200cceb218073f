"""Training compliance at city scale: 100,000 teachers in 12 counties and 1,500 schools with
5,000,000 training records over one cycle (2021–2025).

    .venv/bin/python bench/training_compliance.py [--teachers 100000] [--records 5000000]
                                                  [--reuse]   # keep the generated data

Measures, in one run: the recompute of every teacher's compliance against one hand-written
SQL aggregate computing the same per-teacher figures; a teacher's own page (median server
time and query count); the city's and a county's summary pages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date

from common import city, setup_django, timed

# A name has no digits (the portal refuses one): the number in Chinese numerals.
NUMERALS = str.maketrans("0123456789", "〇一二三四五六七八九")

AS_OF = date(2025, 12, 1)


def generate(teachers: int, records: int) -> None:
    """Teachers by COPY (with real encrypted ID numbers), records generated inside
    PostgreSQL (generate_series), both with the indexes and constraints the portal has."""
    from django.db import connection

    from portal import bulk, crypto, rules
    from portal.imports import roster
    from portal.models import School, Teacher
    from training import presets, services

    city_region, _schools = city()
    schools = list(School.objects.select_related("county").order_by("id"))
    encrypt, hasher = crypto.text_encrypter(), crypto.id_hasher()
    rows = []
    for n in range(teachers):
        school = schools[n % len(schools)]
        # Every digit derived from n, so 100,000 teachers get 100,000 different numbers.
        birth = date(1966 + n % 35, 1 + (n // 35) % 12, 1 + (n // 420) % 28)
        first17 = f"{school.county.code}{birth:%Y%m%d}{(n // 11760) % 1000:03d}"
        id_number = first17 + rules.id_check_character(first17)
        rows.append(
            (
                encrypt(id_number),
                hasher(id_number),
                rules.mask_id_number(id_number),
                f"教师{str(n).translate(NUMERALS)}",
                "F" if n % 3 else "M",
                birth,
                school.pk,
                "primary",
                "语文",
                "established",
                True,
                "first",
                date(2010, 9, 1),
            )
        )
    seen, unique = set(), []
    for row in rows:
        if row[1] not in seen:
            seen.add(row[1])
            unique.append(row)
    bulk.insert_values(Teacher, roster.NEW_TEACHER_FIELDS, unique, returning=False)
    services.rule_set_create(
        backdate=True,
        region=city_region.parent,
        effective_from=date(2021, 1, 1),
        **presets.preset_fields("ningxia"),
    )
    per_teacher = records // len(unique)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM portal_teacher")
        low, high = cursor.fetchone()
        # Per teacher and slot: a date in 2021–2025, a level, a category and 1–16 hours.
        cursor.execute(
            """
            INSERT INTO training_trainingrecord
                (teacher_id, course_id, description, hours_tenths, completed_on, level,
                 category, mode, source, status, reject_reason, evidence, is_reversed,
                 reverses_id, created_by_id, created_at, reviewed_by_id, reviewed_at,
                 import_job_id, missed_tenths)
            SELECT t, NULL, 'bench', 10 + ((t * 7 + s * 13) %% 150),
                   DATE '2021-01-01' + ((t * 31 + s * 97) %% 1795),
                   (ARRAY['national','province','city','county','school'])[1 + (t + s) %% 5],
                   (ARRAY['ethics','subject','it','head_teacher','platform','other'])
                       [1 + (t * 3 + s) %% 6],
                   'face_to_face', 'import',
                   CASE WHEN (t + s) %% 20 = 0 THEN 'pending' ELSE 'approved' END,
                   '', '', false, NULL, NULL, now(), NULL, now(), NULL, 0
            FROM generate_series(%s, %s) AS t, generate_series(1, %s) AS s
            """,
            [low, high, per_teacher],
        )
        # What autovacuum would have done by the next night: fresh planner statistics.
        cursor.execute("ANALYZE")


HAND_SQL = """
SELECT r.teacher_id,
       SUM(r.hours_tenths) FILTER (WHERE r.completed_on BETWEEN %(start)s AND %(end)s),
       SUM(r.hours_tenths) FILTER (WHERE r.completed_on BETWEEN %(start)s AND %(end)s
                                   AND r.level IN ('national','province','city','county')),
       SUM(r.hours_tenths) FILTER (WHERE r.category = 'ethics'
                                   AND EXTRACT(YEAR FROM r.completed_on) = 2021),
       SUM(r.hours_tenths) FILTER (WHERE r.category = 'ethics'
                                   AND EXTRACT(YEAR FROM r.completed_on) = 2022),
       SUM(r.hours_tenths) FILTER (WHERE r.category = 'ethics'
                                   AND EXTRACT(YEAR FROM r.completed_on) = 2023),
       SUM(r.hours_tenths) FILTER (WHERE r.category = 'ethics'
                                   AND EXTRACT(YEAR FROM r.completed_on) = 2024),
       SUM(r.hours_tenths) FILTER (WHERE r.category = 'ethics'
                                   AND EXTRACT(YEAR FROM r.completed_on) = 2025)
FROM training_trainingrecord r
WHERE r.status = 'approved' AND r.completed_on BETWEEN %(start)s AND %(end)s
GROUP BY r.teacher_id
"""


def hand_sql() -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, {"start": date(2021, 1, 1), "end": date(2025, 12, 31)})
        return cursor.fetchall()  # every column consumed: nothing optimised away


def page_times(client, url, runs=21) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, HTTP_HOST="127.0.0.1")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, HTTP_HOST="127.0.0.1")
    return statistics.median(times) * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    args = parser.parse_args()
    setup_django(fresh=not args.reuse)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from portal.models import Region, Teacher, User
    from training import services
    from training.models import TrainingRecord, TrainingSummary

    results: dict[str, float] = {}
    if not args.reuse:
        with timed(f"generate {args.teachers:,} teachers and {args.records:,} records", results):
            generate(args.teachers, args.records)
    count = TrainingRecord.objects.count()
    print(f"{Teacher.objects.count():,} teachers, {count:,} training records")

    timezone.localdate = lambda *a, **k: AS_OF  # the benchmark's "today"
    for attempt in (1, 2):
        with timed(f"hand-written SQL aggregate (run {attempt})", results):
            figures = hand_sql()
    assert len(figures) > 0
    TrainingSummary.objects.all().delete()
    with timed("recompute, no summary yet (every summary written)", results):
        services.summaries_recompute(as_of=AS_OF)
    for attempt in (1, 2):
        with timed(f"recompute, the nightly case (run {attempt})", results):
            services.summaries_recompute(as_of=AS_OF)
    # A night after a day's work: 1 % of the teachers had a credit changed.
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute(
            "UPDATE training_trainingrecord SET hours_tenths = hours_tenths + 10 "
            "WHERE teacher_id % 100 = 0 AND status = 'approved' "
            "AND completed_on = (SELECT max(completed_on) FROM training_trainingrecord "
            "x WHERE x.teacher_id = training_trainingrecord.teacher_id)"
        )
    with timed("recompute after 1 % of the teachers' ledgers changed", results):
        services.summaries_recompute(as_of=AS_OF)
    sql = min(v for k, v in results.items() if k.startswith("hand-written"))
    first = results["recompute, no summary yet (every summary written)"]
    nightly = min(v for k, v in results.items() if k.startswith("recompute, the nightly"))
    changed = results["recompute after 1 % of the teachers' ledgers changed"]
    print(
        f"  ratio recompute / hand SQL: nightly {nightly / sql:.2f}x, after changes "
        f"{changed / sql:.2f}x, from empty {first / sql:.2f}x (bar: <= 1.5x)"
    )
    print(f"  summaries: {TrainingSummary.objects.count():,}")

    city_region = Region.objects.get(code="330300")
    county = city_region.children.order_by("code").first()
    staff = User.objects.filter(username="bench-city").first() or User.objects.create(
        username="bench-city", role="city_staff", region=city_region
    )
    teacher = Teacher.objects.order_by("id")[500]
    teacher_user = User.objects.filter(username="bench-teacher").first() or User.objects.create(
        username="bench-teacher", role="teacher", teacher=teacher
    )
    client = Client()
    client.force_login(teacher_user)
    median, queries = page_times(client, "/me/training/")
    own = TrainingRecord.objects.filter(teacher=teacher).count()
    print(
        f"  teacher's page (/me/training/, {own} records): median {median:.0f} ms, "
        f"{queries} queries (bars: < 100 ms, <= 12)"
    )
    client.force_login(staff)
    for label, url in [
        ("city summary", f"/training/regions/{city_region.pk}/"),
        ("county summary", f"/training/regions/{county.pk}/"),
    ]:
        median, queries = page_times(client, url, runs=7)
        print(f"  {label}: median {median:.0f} ms, {queries} queries (bar: < 1 s)")
    connection.close()


if __name__ == "__main__":
    sys.exit(main())
