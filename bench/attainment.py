"""Target attainment at city scale: the 100,000 teachers of the training benchmark plus
~30,000 titles, a service period each (for the rotation eligibility), studios in two schools
of three and this year's rotations; every target of the Wenzhou and Ningxia presets
recomputed for the city and its 12 counties, against the same figures computed by
hand-written SQL (``bench/attainment_handsql.py``) in the same run.

    .venv/bin/python bench/training_compliance.py   # once, to build the database
    .venv/bin/python bench/attainment.py
"""

from __future__ import annotations

import sys
import time
from datetime import date

from common import setup_django, timed

ON = date(2025, 12, 1)


def titles(count: int) -> None:
    from django.db import connection

    from portal.models import Region, ServicePeriod, Teacher
    from talent import presets
    from talent.models import Tier, Title

    city = Region.objects.get(code="330300")
    presets.load("wenzhou", region=city)
    presets.load("ningxia", region=city)
    Title.objects.all().delete()
    tier_ids = list(Tier.objects.filter(region=city).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO talent_title (teacher_id, tier_id, awarding_region_id, awarded_on,
                certificate_number, valid_until, revoked_on, revoke_reason, enrolment_id)
            SELECT t.id, (%s::bigint[])[1 + (t.id %% array_length(%s::bigint[], 1))], %s,
                   DATE '2018-01-01' + (t.id * 37 %% 2800)::int,
                   'B-' || t.id, NULL,
                   CASE WHEN t.id %% 97 = 0 THEN DATE '2024-06-01' END, '', NULL
            FROM portal_teacher t WHERE t.id %% 10 < 3 LIMIT %s
            """,
            [tier_ids, tier_ids, city.pk, count],
        )
        cursor.execute("ANALYZE talent_title")
        # Rotation counts the teachers eligible to rotate (6 years at the same school): every
        # teacher without a service period gets one at their school, one in seven of them
        # only since 2021.
        ServicePeriod.objects.bulk_create(
            (
                ServicePeriod(
                    teacher_id=pk,
                    school_id=school,
                    role="teacher",
                    stage=stage,
                    start=date(2021, 3, 1) if pk % 7 == 0 else started or date(2010, 9, 1),
                )
                for pk, school, stage, started in Teacher.objects.filter(
                    service_periods__isnull=True
                ).values_list("pk", "school_id", "stage", "started_teaching")
            ),
            batch_size=5000,
        )
        cursor.execute("ANALYZE portal_serviceperiod")
        # Studios: every county, and two schools in three; rotations: about 8 % of the
        # primary and junior teachers, to the next school of their county, this autumn.
        cursor.execute("DELETE FROM talent_studio")
        cursor.execute("DELETE FROM talent_rotation")
        cursor.execute(
            """
            INSERT INTO talent_studio (name, track, level, region_id, school_id, host_id,
                founded_on, closed_on)
            SELECT '县级工作室 ' || r.code, 'teacher', 'county', r.id, NULL::bigint, NULL::bigint,
                   DATE '2022-06-01', NULL::date
            FROM portal_region r WHERE r.level = 'county'
            UNION ALL
            SELECT '校级工作室 ' || s.code, 'teacher', 'school', s.county_id, s.id, NULL::bigint,
                   DATE '2022-09-01' + (s.id % 900)::int,
                   CASE WHEN s.id % 31 = 0 THEN DATE '2024-01-01' END
            FROM portal_school s WHERE s.id % 3 <> 0
            """
        )
        cursor.execute(
            """
            INSERT INTO talent_rotation (teacher_id, from_school_id, to_school_id, start, "end")
            SELECT t.id, t.school_id, n.id, DATE '2025-09-01', NULL
            FROM portal_teacher t
            JOIN LATERAL (SELECT s2.id FROM portal_school s2 JOIN portal_school s1
                          ON s1.id = t.school_id AND s2.county_id = s1.county_id
                          WHERE s2.id <> t.school_id ORDER BY s2.id LIMIT 1) n ON TRUE
            WHERE t.stage IN ('primary', 'junior') AND t.id % 12 = 0
            """
        )
        cursor.execute("ANALYZE talent_studio")
        cursor.execute("ANALYZE talent_rotation")


def hand(regions) -> dict:
    import attainment_handsql as handsql

    from talent.models import SHARE_KINDS, Target

    figures = {}
    for target in Target.objects.prefetch_related("tiers"):
        numerators, denominators = handsql.county_figures(target, ON)
        for region in regions:
            inside = [r.pk for r in regions if r.path.startswith(region.subtree_prefix)]
            figures[(target.pk, region.pk)] = (
                sum(numerators.get(pk, 0) for pk in inside),
                sum(denominators.get(pk, 0) for pk in inside)
                if target.kind in SHARE_KINDS
                else None,
            )
    return figures


def main() -> None:
    setup_django(fresh=False)
    from portal.models import Region
    from talent import services
    from talent.models import Attainment, Title

    results: dict[str, float] = {}
    with timed("generate titles", results):
        titles(30_000)
    from talent.models import Rotation, Studio

    print(
        f"{Title.objects.count():,} titles, {Studio.objects.count():,} studios, "
        f"{Rotation.objects.count():,} rotations"
    )
    regions = list(Region.objects.all())
    for attempt in (1, 2):
        with timed(f"hand-written SQL, every target, every region (run {attempt})", results):
            expected = hand(regions)
    for attempt in (1, 2):
        with timed(f"attainment_recompute (run {attempt})", results):
            written = services.attainment_recompute(on=ON)
    mismatches = 0
    for snapshot in Attainment.objects.filter(as_of=ON):
        achieved, denominator = expected[(snapshot.target_id, snapshot.region_id)]
        if snapshot.achieved != achieved or (
            snapshot.denominator is not None and snapshot.denominator != denominator
        ):
            mismatches += 1
    sql = min(v for k, v in results.items() if k.startswith("hand-written"))
    ours = min(v for k, v in results.items() if k.startswith("attainment_recompute"))
    print(f"  {written} snapshots, {mismatches} differ from the hand-written SQL")
    print(f"  ratio recompute / hand SQL: {ours / sql:.2f}x (bar: <= 2x)")
    time.sleep(0)


if __name__ == "__main__":
    sys.exit(main())
