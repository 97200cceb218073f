"""The attainment figures written by hand in SQL, independent of the ORM code that the
nightly job uses: the benchmark times the job against it and a test requires the same
figures. PostgreSQL and SQLite both run it."""

from __future__ import annotations

from datetime import date

from django.db import connection

from .models import Target, TargetKind

NEW_TITLES = """
SELECT s.county_id, COUNT(*)
FROM talent_title t
JOIN portal_teacher te ON te.id = t.teacher_id
JOIN portal_school s ON s.id = te.school_id
WHERE t.tier_id IN ({tiers}) AND t.awarded_on >= %s AND t.awarded_on <= %s
  AND (t.revoked_on IS NULL OR t.revoked_on > %s)
GROUP BY s.county_id
"""
HELD = """
SELECT s.county_id, COUNT(DISTINCT t.teacher_id)
FROM talent_title t
JOIN portal_teacher te ON te.id = t.teacher_id
JOIN portal_school s ON s.id = te.school_id
WHERE t.tier_id IN ({tiers}) AND t.awarded_on <= %s
  AND (t.revoked_on IS NULL OR t.revoked_on > %s)
  AND (t.valid_until IS NULL OR t.valid_until >= %s)
  AND te.status = 'serving' {full_time}
GROUP BY s.county_id
"""
FULL_TIME = """
SELECT s.county_id, COUNT(*) FROM portal_teacher te JOIN portal_school s ON s.id = te.school_id
WHERE te.status = 'serving' AND te.is_full_time GROUP BY s.county_id
"""


def county_figures(target: Target, on: date) -> tuple[dict[int, int], dict[int, int]]:
    tiers = ",".join(str(int(pk)) for pk in target.tiers.values_list("pk", flat=True)) or "0"
    with connection.cursor() as cursor:
        if target.kind == TargetKind.NEW_TITLES:
            cursor.execute(
                NEW_TITLES.format(tiers=tiers), [target.plan_start, min(on, target.deadline), on]
            )
        else:
            full_time = "AND te.is_full_time" if target.kind == TargetKind.SHARE else ""
            cursor.execute(HELD.format(tiers=tiers, full_time=full_time), [on, on, on])
        numerators = dict(cursor.fetchall())
        denominators = {}
        if target.kind == TargetKind.SHARE:
            cursor.execute(FULL_TIME)
            denominators = dict(cursor.fetchall())
    return numerators, denominators
