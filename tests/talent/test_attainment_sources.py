"""One source for attainment (POLICY §5, §8): the nightly job's grouped queries
(``services.target_figures``) give, for every target, county and date, exactly what the pure
rule (``rules.target_counts`` over every row) gives — over a generated population with the
edge cases: two titles of one person, vocational and part-time teachers, titles awarded on a
window's first and last day and the day before, revoked and expired titles, leavers and
retirees, gaps and moves in service, rotations this year, last year and twice. On PostgreSQL
the benchmark's hand-written SQL (``bench/attainment_handsql.py``) must agree too."""

import random
from datetime import date, timedelta

import pytest

from portal.models import School, ServicePeriod
from talent import presets, services
from talent.models import Rotation, Studio, Target, Tier, Title

from .. import factories

DATES = [
    date(2022, 1, 1),  # Wenzhou's first day
    date(2023, 1, 1),  # Ningxia's first day; a rotation year's first day
    date(2024, 6, 1),
    date(2024, 12, 31),
    date(2025, 12, 31),  # Wenzhou's deadline
    date(2026, 6, 1),  # past it: measured on the deadline
]
STAGES_OF = {
    "kindergarten": "preschool",
    "primary": "primary",
    "junior": "junior",
    "senior": "senior",
    "vocational": "vocational",
    "special": "special",
}


@pytest.fixture
def population(world):
    rng = random.Random(13)
    presets.load("ningxia", region=world.province)
    presets.load("wenzhou", region=world.city)
    counties = [world.county, world.sibling_county, world.far_county]
    schools = list(School.objects.all())
    for county in counties:
        for kind, rural, weak in (
            ("kindergarten", True, False),
            ("junior", False, True),
            ("senior", False, False),
            ("vocational", False, False),
            ("special", True, True),
        ):
            schools.append(factories.school(county, school_type=kind, is_rural=rural, is_weak=weak))
    teachers = []
    for n in range(150):
        school = schools[n % len(schools)]
        stage = STAGES_OF.get(school.school_type, "primary")
        birth = date(1962 + rng.randrange(38), rng.randrange(1, 13), rng.randrange(1, 29))
        if n % 17 == 0:
            birth = date(1969, 1, 1) if n % 2 else date(1974, 1, 1)  # on the retirement edge
        teacher = factories.teacher(
            school,
            name=factories.person_name(n),
            stage=stage,
            started_teaching=date(2008 + rng.randrange(16), 9, 1),
            is_full_time=n % 9 != 0,
            status="left" if n % 11 == 0 else ("retired" if n % 13 == 0 else "serving"),
            id_number=factories.id_number(
                address=school.county.code, birth=birth, gender="M" if n % 2 else "F"
            ),
        )
        period = teacher.service_periods.get()
        if n % 5 == 0:  # earlier years elsewhere (a rural school), then a gap
            ServicePeriod.objects.create(
                teacher=teacher,
                school=schools[(n + 3) % len(schools)],
                role="teacher",
                stage=stage,
                start=period.start - timedelta(days=2000),
                end=period.start - timedelta(days=200),
            )
        if n % 7 == 0:  # a second role at the same school, touching the first
            ServicePeriod.objects.filter(pk=period.pk).update(
                start=min(period.start, date(2015, 9, 1)), end=date(2019, 8, 31)
            )
            ServicePeriod.objects.create(
                teacher=teacher,
                school=school,
                role="head_teacher",
                stage=stage,
                start=date(2019, 9, 1) if n % 14 else date(2019, 10, 1),  # or after a gap
            )
        if n == 6:  # exactly six years by 1 January 2024
            ServicePeriod.objects.filter(pk=period.pk).update(start=date(2018, 1, 2))
        teachers.append(teacher)
    tiers = list(Tier.objects.all())
    edges = [
        date(2021, 12, 31),
        date(2022, 1, 1),
        date(2022, 12, 31),
        date(2023, 1, 1),
        date(2025, 12, 31),
        date(2026, 1, 1),
    ]
    titles = []
    for n, teacher in enumerate(teachers):
        for k in range(rng.choice([0, 0, 1, 1, 2, 3])):
            awarded = (
                edges[(n + k) % len(edges)]
                if (n + k) % 3 == 0
                else date(2019, 1, 1) + timedelta(days=rng.randrange(2900))
            )
            revoked = awarded + timedelta(days=rng.randrange(1, 900)) if (n + k) % 8 == 0 else None
            valid_until = (
                awarded + timedelta(days=rng.randrange(300, 1500)) if (n + k) % 6 == 0 else None
            )
            titles.append(
                Title(
                    teacher=teacher,
                    tier=tiers[(n * 7 + k * 3) % len(tiers)],
                    awarding_region=world.city,
                    awarded_on=awarded,
                    valid_until=valid_until,
                    revoked_on=revoked,
                    certificate_number=f"G-{n}-{k}",
                )
            )
        if n % 10 == 1:  # two of the 名师 titles, one person
            for code in ("city-famous-teacher", "city-famous-head-teacher"):
                titles.append(
                    Title(
                        teacher=teacher,
                        tier=Tier.objects.get(region=world.city, code=code),
                        awarding_region=world.city,
                        awarded_on=date(2023, 3, 1),
                        certificate_number=f"G-{n}-{code}",
                    )
                )
    Title.objects.bulk_create(titles)
    rotations = []
    for n, teacher in enumerate(teachers):
        if n % 4:
            continue
        others = [s for s in schools if s.county_id == teacher.school.county_id]
        to = next(s for s in others if s.pk != teacher.school_id)
        for start in (date(2024, 1, 1), date(2023, 9, 1), date(2024, 12, 31))[: 1 + n % 3]:
            rotations.append(
                Rotation(teacher=teacher, from_school=teacher.school, to_school=to, start=start)
            )
    Rotation.objects.bulk_create(rotations)
    for n, school in enumerate(schools):
        if n % 2:
            Studio.objects.create(
                name=f"工作室{n}",
                level="school",
                region=school.county,
                school=school,
                founded_on=date(2022, 1, 1) + timedelta(days=200 * (n % 5)),
                closed_on=date(2024, 6, 1) if n % 3 == 0 else None,
            )
    # Targets beyond the presets: 中职 counted, rotation without eligibility conditions, a
    # county's own plan.
    backbone = Target.objects.get(region=world.province, name__contains="县级骨干")
    extra = Target.objects.create(
        plan="测试",
        name="县级骨干（含中职）",
        region=world.province,
        applies_to="county",
        kind="share",
        include_vocational=True,
        figure=backbone.figure,
        plan_start=backbone.plan_start,
        deadline=backbone.deadline,
    )
    extra.tiers.set(backbone.tiers.all())
    Target.objects.create(
        plan="测试",
        name="轮岗（不设条件，全部学段）",
        region=world.city,
        applies_to="county",
        kind="rotation",
        figure="0.1",
        plan_start=date(2023, 1, 1),
        deadline=date(2027, 12, 31),
    )
    return teachers


def differences(figures) -> list:
    found = []
    for target in Target.objects.prefetch_related("tiers").order_by("pk"):
        for day in DATES:
            on = min(day, target.deadline)
            expected = services.target_figures_by_rule(target, on)
            got = figures(target, on)
            got = tuple({k: v for k, v in part.items() if v} for part in got)
            if got != expected:
                found.append((target.name, on, got, expected))
    return found


def test_the_grouped_queries_equal_the_pure_rule(population):
    assert Target.objects.count() >= 20
    assert differences(services.target_figures) == []


@pytest.mark.postgres
def test_on_postgresql_the_grouped_queries_and_the_bench_sql_equal_the_pure_rule(population):
    from bench import attainment_handsql

    assert differences(services.target_figures) == []
    assert differences(attainment_handsql.county_figures) == []
