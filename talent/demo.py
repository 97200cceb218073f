"""Demo data for ``seed_demo``: the Wenzhou ladder and its 2025 targets on the city, titles
awarded since 2022, the city's and each county's programmes, county targets, studios and this
year's rotations, and quarterly snapshots so the charts have a path."""

from __future__ import annotations

import random
from datetime import date

from portal.models import Region, Teacher

from . import presets, services
from .models import Attainment, Enrolment, Programme, Rotation, Studio, Target, Tier, Title


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    city = province.children.order_by("code").first()
    presets.load("wenzhou", region=city)
    tiers = {t.code: t for t in Tier.objects.filter(region=city)}
    teachers = list(Teacher.objects.filter(school__county__parent=city).order_by("id"))
    titles = []
    ladder = ["xinrui", "jiaotan-xinxiu", "city-famous-teacher", "province-special"]
    for index, teacher in enumerate(teachers):
        climbed = rng.choices([0, 1, 2, 3, 4], weights=[50, 25, 15, 7, 3])[0]
        for step in range(climbed):
            year = rng.randint(2018, 2026) if step == 0 else rng.randint(2019 + step * 2, 2026)
            awarded = date(year, rng.randint(1, 12), rng.randint(1, 28))
            if awarded > as_of:
                continue
            tier = tiers[ladder[step]]
            titles.append(
                Title(
                    teacher=teacher,
                    tier=tier,
                    awarding_region=city,
                    awarded_on=awarded,
                    certificate_number=f"{city.code}-{tier.code}-{awarded.year}-{index:05d}{step}",
                )
            )
    Title.objects.bulk_create(titles)
    famous = Programme.objects.create(
        name="市级名师培养计划（2022–2025）",
        region=city,
        tier=tiers["city-famous-teacher"],
        window_start=date(2022, 1, 1),
        window_end=date(2025, 12, 31),
        selection_quota=1000,
        target_titles=500,
        reserved_shares={"mountain_island": 0.233, "weak_rural": 0.382},
    )
    famous.draws_from.set([tiers["jiaotan-xinxiu"]])
    holders = (
        Teacher.objects.filter(titles__tier=tiers["jiaotan-xinxiu"])
        .exclude(titles__tier=tiers["city-famous-teacher"])
        .distinct()[:12]
    )
    for teacher in holders:
        Enrolment.objects.create(programme=famous, teacher=teacher)
    _county_plans(rng=rng, city=city, tiers=tiers, as_of=as_of)
    # Quarterly snapshots since the plan began, so the charts show the path.
    day = date(2022, 3, 1)
    while day < as_of:
        services.attainment_recompute(on=day)
        day = date(day.year + (day.month + 3 > 12), (day.month + 2) % 12 + 1, 1)
    services.attainment_recompute(on=as_of)
    return (
        f"{len(titles)} titles, {Target.objects.count()} targets, "
        f"{Attainment.objects.count()} snapshots"
    )


def _county_plans(*, rng, city, tiers, as_of) -> None:
    """Each county's matching plan (W §6.2: 教坛新秀 by the county, for 学前、义务教育 and
    特殊教育), a target of new 教坛新秀 in proportion to its teachers, studios at every
    level and this year's exchange rotations with the yearly 10 % / 20 % targets."""
    counties = list(city.children.order_by("code"))
    total = Teacher.objects.filter(school__county__parent=city).count() or 1
    for county in counties:
        staff = Teacher.objects.filter(school__county=county).count()
        target = Target.objects.create(
            plan=f"{county.name}教育人才配套计划 2022–2025",
            name=f"{county.name}新增教坛新秀",
            region=county,
            kind="new_titles",
            figure=max(1, round(150 * staff / total)),
            plan_start=date(2022, 1, 1),
            deadline=date(2025, 12, 31),
        )
        target.tiers.set([tiers["jiaotan-xinxiu"]])
        programme = Programme.objects.create(
            name=f"{county.name}教坛新秀培养计划",
            region=county,
            tier=tiers["jiaotan-xinxiu"],
            stages=["preschool", "primary", "junior", "special"],
            window_start=date(2022, 1, 1),
            window_end=date(2025, 12, 31),
            selection_quota=max(1, round(300 * staff / total)),
        )
        programme.full_clean()
        Studio.objects.create(
            name=f"{county.name}名师工作室",
            level="county",
            region=county,
            founded_on=date(2022, rng.randint(3, 9), 1),
        )
        schools = list(county.schools.order_by("code"))
        for school in rng.sample(schools, k=max(1, len(schools) * 2 // 3)):
            host = Teacher.objects.filter(school=school).order_by("id").first()
            Studio.objects.create(
                name=f"{host.name if host else school.name}名师工作室",
                level="school",
                region=county,
                school=school,
                host=host,
                founded_on=date(rng.randint(2022, 2025), 9, 1),
            )
        teachers = list(
            Teacher.objects.filter(school__county=county, stage__in=["primary", "junior"])
        )
        for teacher in rng.sample(teachers, k=len(teachers) * rng.randint(6, 13) // 100):
            others = [s for s in schools if s.pk != teacher.school_id]
            if others:
                Rotation.objects.create(
                    teacher=teacher,
                    from_school=teacher.school,
                    to_school=rng.choice(others),
                    start=date(as_of.year, 9, 1) if as_of.month >= 9 else date(as_of.year, 2, 1),
                )
    Studio.objects.create(
        name=f"{city.name}名师工作室", level="city", region=city, founded_on=date(2022, 6, 1)
    )
    plan = "县域教师交流轮岗（每年）"
    for name, kind, figure, backbone in (
        ("每年交流轮岗教师不低于 10%", "rotation", "0.10", []),
        (
            "骨干教师不低于轮岗教师的 20%",
            "rotation_backbone",
            "0.20",
            [tiers["jiaotan-xinxiu"], tiers["city-famous-teacher"], tiers["province-special"]],
        ),
    ):
        target = Target.objects.create(
            plan=plan,
            name=name,
            region=city,
            applies_to="county",
            kind=kind,
            stages=["primary", "junior"],
            figure=figure,
            plan_start=date(2022, 1, 1),
            deadline=date(2027, 12, 31),
        )
        target.tiers.set(backbone)


def reset(*, province: Region) -> None:
    from .models import EnrolmentStep

    inside = {"region__path__startswith": province.path}
    EnrolmentStep.objects.filter(
        enrolment__programme__region__path__startswith=province.subtree_prefix
    ).delete()
    Title.objects.filter(awarding_region__path__startswith=province.subtree_prefix).delete()
    Enrolment.objects.filter(programme__region__path__startswith=province.subtree_prefix).delete()
    Attainment.objects.filter(target__region__path__startswith=province.subtree_prefix).delete()
    Target.objects.filter(**inside).delete()
    Programme.objects.filter(**inside).delete()
    Rotation.objects.filter(from_school__county__path__startswith=province.subtree_prefix).delete()
    Studio.objects.filter(**inside).delete()
    Tier.objects.filter(**inside).update(prerequisite=None)
    Tier.objects.filter(**inside).delete()
