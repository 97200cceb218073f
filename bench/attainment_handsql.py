"""The attainment figures written by hand in SQL, independent of the portal's code: the
benchmark's baseline (``bench/attainment.py`` times the nightly job against it and counts the
snapshots that differ). PostgreSQL only, as the benchmark.

It follows the same reading as ``talent.rules.target_counts`` (POLICY §8): people, not
titles; backbone shares over 基础教育专任教师 (中职 where the target says so); rotation over
the teachers eligible to rotate (consecutive years at the same school by the year's first day,
years before retirement), merged service spans computed with window functions.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from talent.models import Target, TargetKind

BASIC_EDUCATION = ("preschool", "primary", "junior", "senior", "special")

NEW_TITLES = """
SELECT s.county_id, COUNT(DISTINCT t.teacher_id)
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
# The teachers eligible to rotate on %(day)s: serving full-time teachers of the counted
# stages, at the school they are at on that day for %(years)s consecutive years or more
# (service periods at one school that overlap or touch are one stay: gaps and islands), and
# more than %(margin)s years from retirement.
ELIGIBLE = """
WITH staff AS (
    SELECT te.id, s.county_id, te.birth_date, te.gender
    FROM portal_teacher te JOIN portal_school s ON s.id = te.school_id
    WHERE te.status = 'serving' AND te.is_full_time {stages}
), periods AS (
    SELECT sp.teacher_id, sp.school_id, sp.start,
           LEAST(COALESCE(sp."end", %(day)s::date), %(day)s::date) AS fin
    FROM portal_serviceperiod sp JOIN staff ON staff.id = sp.teacher_id
    WHERE sp.start <= %(day)s::date
), ordered AS (
    SELECT *, MAX(fin) OVER (PARTITION BY teacher_id, school_id ORDER BY start, fin
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM periods
), islands AS (
    SELECT *, SUM(CASE WHEN before IS NULL OR start > before + 1 THEN 1 ELSE 0 END)
                  OVER (PARTITION BY teacher_id, school_id ORDER BY start, fin) AS island
    FROM ordered
), stays AS (
    SELECT teacher_id, MIN(start) AS since, MAX(fin) AS until
    FROM islands GROUP BY teacher_id, school_id, island
)
SELECT staff.id, staff.county_id FROM staff
WHERE ({years}::int IS NULL OR EXISTS (
        SELECT 1 FROM stays WHERE stays.teacher_id = staff.id AND stays.until = %(day)s::date
          AND (stays.since + make_interval(years => {years}))::date <= %(day)s::date + 1))
  AND ({margin}::int IS NULL OR (%(day)s::date + make_interval(years => {margin}))::date
        < (staff.birth_date + make_interval(years => CASE WHEN staff.gender = 'M'
                                                   THEN {men} ELSE {women} END))::date)
"""
ROTATORS = """
SELECT DISTINCT s.county_id, ro.teacher_id
FROM talent_rotation ro JOIN portal_school s ON s.id = ro.from_school_id
WHERE ro.start >= %s AND ro.start <= %s
"""
BACKBONE = """
SELECT DISTINCT t.teacher_id FROM talent_title t
WHERE t.tier_id IN ({tiers}) AND t.awarded_on <= %s
  AND (t.revoked_on IS NULL OR t.revoked_on > %s)
  AND (t.valid_until IS NULL OR t.valid_until >= %s)
"""


def _stages(target: Target) -> str:
    counted = set(BASIC_EDUCATION) | ({"vocational"} if target.include_vocational else set())
    if target.stages:
        counted &= set(target.stages)
    stages = sorted(s for s in counted if s.isidentifier())  # codes only: never user text
    return "AND te.stage IN ({})".format(",".join(f"'{s}'" for s in stages) or "NULL")


def _number(value) -> str:
    return "NULL" if value is None else str(int(value))


def county_figures(target: Target, on: date) -> tuple[dict[int, int], dict[int, int]]:
    if on > target.deadline:
        on = target.deadline  # the final figure is the one on the deadline
    tiers = ",".join(str(int(pk)) for pk in target.tiers.values_list("pk", flat=True)) or "0"
    stages = _stages(target)
    kind = target.kind
    with connection.cursor() as cursor:

        def run(sql, params=()):
            cursor.execute(sql, params)
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
        cursor.execute(
            ELIGIBLE.format(
                stages=stages,
                years=_number(target.rotation_years_at_school),
                margin=_number(target.rotation_years_to_retirement),
                men=int(target.retirement_age_men),
                women=int(target.retirement_age_women),
            ),
            {"day": year_start},
        )
        pool = dict(cursor.fetchall())
        cursor.execute(ROTATORS, [year_start, on])
        rotations = [(county, teacher) for county, teacher in cursor.fetchall() if teacher in pool]
        rotators: dict[int, int] = {}
        for county, _teacher in rotations:
            rotators[county] = rotators.get(county, 0) + 1
        if kind == TargetKind.ROTATION:
            denominators: dict[int, int] = {}
            for county in pool.values():
                denominators[county] = denominators.get(county, 0) + 1
            return rotators, denominators
        cursor.execute(BACKBONE.format(tiers=tiers), [on, on, on])
        holders = {row[0] for row in cursor.fetchall()}
        held: dict[int, int] = {}
        for county, teacher in rotations:
            if teacher in holders:
                held[county] = held.get(county, 0) + 1
        return held, rotators
