"""Demo data for ``seed_demo``: the Wenzhou ladder and its 2025 targets on the city, titles
awarded since 2018, the city's and each county's programmes, county targets, studios and this
year's rotations, a backbone share per county, and quarterly snapshots so the charts have a
path.

The city takes the Wenzhou preset's senior-title conditions (rural titles outside the quota
after 15 / 30 years, no review while registration is suspended); 文成县 adds the 强师计划
condition of a year at a rural or weak school for compulsory-education teachers (N §2.7, from
the Ningxia preset), so both kinds of condition show.

The named edge cases of ``portal.demo_data.edge_cases`` get exactly the titles their spec
lists (no random ones), the 市名教师 among them are put to the 省特级教师 programme through
the eligibility check (the ethics veto refuses one), and one of them rotates to a rural
school this year (docs/demo.md)."""

from __future__ import annotations

import random
from datetime import date

from portal import demo_data
from portal.models import Region, School, Teacher
from portal.rules import add_years

from . import presets, rules, services
from .models import (
    Attainment,
    Enrolment,
    Programme,
    Rotation,
    Studio,
    TalentRule,
    Target,
    Tier,
    Title,
)

RURAL_YEAR_COUNTY = "330328"  # 文成县: the 强师计划 year at a rural or weak school


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    city = province.children.order_by("code").first()
    presets.load("wenzhou", region=city)
    _rural_year_condition(city)
    tiers = {t.code: t for t in Tier.objects.filter(region=city)}
    edge = _edge_teachers(as_of)
    teachers = list(
        Teacher.objects.filter(school__county__parent=city)
        .exclude(pk__in=[t.pk for t in edge.values()])
        .order_by("id")
    )
    titles = _edge_titles(edge, tiers, city, as_of)
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
                    certificate_number=rules.certificate_number(
                        city.code, awarded.year, tier.pk, index * 10 + step
                    ),
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
        .exclude(pk__in=[t.pk for t in edge.values()])
        .select_related("school__county")
        .distinct()
        .order_by("id")[:12]
    )
    for teacher in holders:
        # Places on targeted posts count toward the programme's reserved shares.
        post = (
            "mountain_island"
            if teacher.school.county.is_mountain_island
            else "weak_rural"
            if teacher.school.is_rural and teacher.school.is_weak
            else ""
        )
        Enrolment.objects.create(programme=famous, teacher=teacher, targeted_post=post)
    _special_teacher_programme(city=city, tiers=tiers, as_of=as_of)
    _county_plans(rng=rng, city=city, tiers=tiers, as_of=as_of, edge=edge)
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


def _rural_year_condition(city) -> None:
    """文成县's own senior-title conditions: the Ningxia preset's (N §2.7 year at a rural or
    weak school for 小学 and 初中, principal candidates' 3 years preferred) with the city's
    rural titles outside the quota, which the county's own conditions replace."""
    county = city.children.filter(code=RURAL_YEAR_COUNTY).first()
    if county is None:
        return
    ladders = presets.presets()
    spec = dict(ladders["ningxia"]["talent_rule"])
    wenzhou = ladders["wenzhou"]["talent_rule"]
    spec.update({k: v for k, v in wenzhou.items() if k.startswith("outside_quota_")})
    spec["name"] = f"{county.name} 高级职称申报条件（强师计划：乡村或薄弱学校任教 1 年）"
    presets.talent_rule(spec, region=county)


def _edge_teachers(as_of: date) -> dict[str, Teacher]:
    found = {}
    for spec in demo_data.edge_cases(as_of):
        teacher = Teacher.objects.filter(name=spec.name, school__code=spec.school_code).first()
        if teacher is not None:
            found[spec.key] = teacher
    return found


def _edge_titles(edge, tiers, city, as_of) -> list[Title]:
    """The titles each edge case's spec lists, with the tier's term."""
    titles = []
    for index, spec in enumerate(demo_data.edge_cases(as_of)):
        teacher = edge.get(spec.key)
        for step, (code, awarded) in enumerate(spec.titles):
            tier = tiers.get(code)
            if teacher is None or tier is None or awarded > as_of:
                continue
            term = tier.term_years
            titles.append(
                Title(
                    teacher=teacher,
                    tier=tier,
                    awarding_region=city,
                    awarded_on=awarded,
                    valid_until=add_years(awarded, term) if term else None,
                    certificate_number=rules.certificate_number(
                        city.code, awarded.year, tier.pk, 90000 + index * 10 + step
                    ),
                )
            )
    return titles


def _special_teacher_programme(*, city, tiers, as_of) -> None:
    """The city's 省特级教师 programme of this year, drawing from 市名教师: every holder
    is put through the eligibility check, so those under an ethics sanction or without a
    year at a rural or weak school (where the tier asks one) are refused and stay out."""
    programme = Programme(
        name=f"省特级教师培养计划（{as_of.year}–{as_of.year + 1}）",
        region=city,
        tier=tiers["province-special"],
        window_start=date(as_of.year, 1, 1),
        window_end=date(as_of.year + 1, 12, 31),
        selection_quota=300,
        target_titles=100,
    )
    programme.full_clean()
    programme.save()
    programme.draws_from.set([tiers["city-famous-teacher"]])
    holders = Teacher.objects.filter(
        school__county__parent=city, titles__tier=tiers["city-famous-teacher"]
    ).distinct()
    services.enrolments_nominate_eligible(
        programme=programme, teachers=holders, actor=None, on=as_of
    )


def _backbone_share(*, city, tiers) -> None:
    """Each county's share of backbone teachers (a share target as N §2.5 sets them; the
    figure is the demo's) in the Wenzhou ladder's terms: the holders of 教坛新秀 or above
    among the full-time teachers of basic education (学前, 小学, 初中, 普通高中, 特殊教育;
    中职 not, POLICY §8)."""
    target = Target.objects.create(
        plan="骨干教师队伍建设（演示：教坛新秀及以上计为骨干）",
        name="骨干教师（教坛新秀及以上）占基础教育专任教师 25%",
        region=city,
        applies_to="county",
        kind="share",
        stages=["preschool", "primary", "junior", "senior", "special"],
        figure="0.25",
        plan_start=date(2022, 1, 1),
        deadline=date(2027, 12, 31),
    )
    target.tiers.set(
        [
            tiers[code]
            for code in (
                "jiaotan-xinxiu",
                "city-famous-teacher",
                "city-famous-head-teacher",
                "city-famous-principal",
                "province-special",
                "province-professor",
                "province-jiaotan-xinxiu",
                "excellent",
            )
            if code in tiers
        ]
    )


def _county_plans(*, rng, city, tiers, as_of, edge) -> None:
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
            Teacher.objects.filter(
                school__county=county, stage__in=["primary", "junior"], status="serving"
            )
            .exclude(pk__in=[t.pk for t in edge.values()])
            .order_by("id")
        )
        start = date(as_of.year, 9, 1) if as_of.month >= 9 else date(as_of.year, 2, 1)
        for teacher in rng.sample(teachers, k=len(teachers) * rng.randint(6, 13) // 100):
            others = [s for s in schools if s.pk != teacher.school_id]
            if others:
                Rotation.objects.create(
                    teacher=teacher,
                    from_school=teacher.school,
                    to_school=rng.choice(others),
                    start=start,
                )
        rotator = edge.get("backbone-rotator")
        if rotator is not None and rotator.school.county_id == county.pk:
            Rotation.objects.create(
                teacher=rotator,
                from_school=rotator.school,
                to_school=School.objects.get(code=demo_data.school_code(county.code, 6)),
                start=start,
            )
    Studio.objects.create(
        name=f"{city.name}名师工作室", level="city", region=city, founded_on=date(2022, 6, 1)
    )
    plan = "县域教师交流轮岗（每年）"
    # Who may rotate, as the preset reads it (same school 6 years, more than 5 from retiring).
    preset = next(
        (t for t in presets.presets()["ningxia"]["targets"] if t["kind"] == "rotation"), {}
    )
    eligible = {k: v for k, v in preset.items() if k.startswith(("rotation_", "retirement_"))}
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
            **eligible,
        )
        target.tiers.set(backbone)
    _backbone_share(city=city, tiers=tiers)


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
    TalentRule.objects.filter(**inside).delete()
    Tier.objects.filter(**inside).update(prerequisite=None)
    Tier.objects.filter(**inside).delete()
