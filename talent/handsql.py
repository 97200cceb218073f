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
  AND te.status = 'serving' {staff}
GROUP BY s.county_id
"""
FULL_TIME = """
SELECT s.county_id, COUNT(*) FROM portal_teacher te JOIN portal_school s ON s.id = te.school_id
WHERE te.status = 'serving' AND te.is_full_time {stages} GROUP BY s.county_id
"""
SCHOOL_STUDIOS = """
SELECT s.county_id, COUNT(DISTINCT st.school_id)
FROM talent_studio st JOIN portal_school s ON s.id = st.school_id
WHERE st.level = 'school' AND st.founded_on <= %s AND (st.closed_on IS NULL OR st.closed_on > %s)
GROUP BY s.county_id
"""
SCHOOLS = "SELECT county_id, COUNT(*) FROM portal_school GROUP BY county_id"
REGION_STUDIOS = """
SELECT r.id, CASE WHEN EXISTS (
    SELECT 1 FROM talent_studio st WHERE st.region_id = r.id AND st.level = %s
      AND st.founded_on <= %s AND (st.closed_on IS NULL OR st.closed_on > %s)) THEN 1 ELSE 0 END
FROM portal_region r WHERE r.level = %s
"""
ROTATORS = """
SELECT s.county_id, COUNT(DISTINCT ro.teacher_id)
FROM talent_rotation ro
JOIN portal_teacher te ON te.id = ro.teacher_id
JOIN portal_school s ON s.id = ro.from_school_id
WHERE ro.start >= %s AND ro.start <= %s
  AND te.status = 'serving' AND te.is_full_time {stages} {backbone}
GROUP BY s.county_id
"""
BACKBONE = """
  AND EXISTS (SELECT 1 FROM talent_title t WHERE t.teacher_id = te.id AND t.tier_id IN ({tiers})
    AND t.awarded_on <= %s AND (t.revoked_on IS NULL OR t.revoked_on > %s)
    AND (t.valid_until IS NULL OR t.valid_until >= %s))
"""


def _stages(target: Target) -> str:
    stages = [s for s in target.stages if s.isidentifier()]  # codes only: never user text
    return "AND te.stage IN ({})".format(",".join(f"'{s}'" for s in stages)) if stages else ""


def county_figures(target: Target, on: date) -> tuple[dict[int, int], dict[int, int]]:
    tiers = ",".join(str(int(pk)) for pk in target.tiers.values_list("pk", flat=True)) or "0"
    stages = _stages(target)
    kind = target.kind
    with connection.cursor() as cursor:

        def run(sql, params=()):
            cursor.execute(sql, list(params))
            return {key: value for key, value in cursor.fetchall() if value}

        if kind == TargetKind.NEW_TITLES:
            return run(
                NEW_TITLES.format(tiers=tiers), [target.plan_start, min(on, target.deadline), on]
            ), {}
        if kind == TargetKind.IN_FORCE:
            return run(HELD.format(tiers=tiers, staff=""), [on, on, on]), {}
        if kind == TargetKind.SHARE:
            staff = f"AND te.is_full_time {stages}"
            return (
                run(HELD.format(tiers=tiers, staff=staff), [on, on, on]),
                run(FULL_TIME.format(stages=stages)),
            )
        if kind == TargetKind.STUDIO_COVERAGE:
            if target.studio_level == "school":
                return run(SCHOOL_STUDIOS, [on, on]), run(SCHOOLS)
            cursor.execute(REGION_STUDIOS, [target.studio_level, on, on, target.studio_level])
            rows = cursor.fetchall()
            return {pk: n for pk, n in rows if n}, {pk: 1 for pk, _n in rows}
        year_start = max(date(on.year, 1, 1), target.plan_start)
        rotators = run(ROTATORS.format(stages=stages, backbone=""), [year_start, on])
        if kind == TargetKind.ROTATION:
            return rotators, run(FULL_TIME.format(stages=stages))
        backbone = BACKBONE.format(tiers=tiers)
        return run(
            ROTATORS.format(stages=stages, backbone=backbone), [year_start, on, on, on, on]
        ), rotators
