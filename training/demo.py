"""Demo training data for ``seed_demo``: rule sets (the national 360/24 standard for the
province, Zhejiang's credit variant for 龙港市 as an override), providers, courses from 2021,
and a ledger over two cycles (2021–2025 and 2026–2030 so far) for every demo teacher at a
pace drawn from a spread.

The named edge cases of ``portal.demo_data.edge_cases`` get fixed ledgers (``_plan``) so the
rule each of them is there for shows: the demo teacher short of this year's ethics hours,
the principal appointed this year with part of the 300 hours, the credit county's teacher
short of this year's 24 credits … (docs/demo.md).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import timezone

from portal import demo_data
from portal.models import Region, ServicePeriod, Teacher, User

from . import presets, rules, selectors, services
from .choices import Category, Level, Mode, RecordStatus, Source
from .models import Course, Provider, RuleSet, TrainingRecord

FIRST_YEAR = 2021  # the first year of the ledger: the start of the previous cycle

# The city's yearly courses: (key, title, level, category, mode, hours, month, day).
# fmt: off
COURSES = [
    ("national-ethics", "国培计划：师德师风网络培训", "national", "ethics", "online", 24, 3, 10),
    ("province-it", "浙江省中小学教师信息技术应用能力提升", "province", "it", "online", 30, 4, 10),
    ("principal", "新任校长任职资格培训", "province", "principal", "face_to_face", 120, 4, 10),
    ("city-subject", "温州市新课标学科教学研修", "city", "subject", "face_to_face", 36, 5, 10),
    ("city-head", "温州市班主任能力提升培训", "city", "head_teacher", "face_to_face", 24, 6, 10),
    ("county-ethics", "县级师德师风专题学习", "county", "ethics", "face_to_face", 12, 7, 10),
    ("county-subject", "县级学科骨干教师研修", "county", "subject", "face_to_face", 40, 8, 10),
    # 师德教育周 (N §2.2): the week before the autumn term, three days of ethics training.
    ("ethics-week", "师德教育周集中培训", "county", "ethics", "face_to_face", 18, 8, 25),
    ("school-subject", "校本研修：作业设计与评价", "school", "subject", "face_to_face", 16, 9, 10),
    ("school-ethics", "校本研修：思政课程一体化", "school", "ethics", "face_to_face", 8, 10, 10),
    ("platform", "国家智慧教育平台自主研修", "national", "platform", "online", 20, 11, 10),
]
# The credit county's own yearly courses, sized so that a teacher can earn the 72 credits a
# year of Zhejiang's 360 per five years (one record counts at most the rule's item cap).
CREDIT_COURSES = [
    ("lg-f2f", "龙港市教师专业发展集中培训", "county", "subject", "face_to_face", 120, 3, 20),
    ("lg-online", "龙港市教师网络研修", "county", "it", "online", 120, 4, 20),
    ("lg-subject", "龙港市学科教学能力提升培训", "county", "subject", "face_to_face", 90, 6, 20),
    ("lg-practice", "龙港市跟岗实践研修", "county", "subject", "practice", 60, 7, 20),
    ("lg-ethics", "龙港市师德师风专题培训", "county", "ethics", "face_to_face", 30, 8, 15),
]
# fmt: on
# One-off: the second part of the qualification training, ending on the last day of the first
# year of a principal appointed on 29 February 2024 (the anniversary maps to 28 February).
PRINCIPAL_PART_TWO = (
    "WZ2025P02",
    "2025 年新任校长任职资格培训（跟岗研修）",
    "province",
    "principal",
    "face_to_face",
    180,
    date(2025, 2, 24),
    date(2025, 2, 28),
)

# The edge cases' ledgers (``_plan``): the keys of the courses taken in a year.
STEADY = ["national-ethics", "county-subject", "ethics-week", "school-subject"]
CREDIT_STEADY = [key for key, *_rest in CREDIT_COURSES] + [
    "national-ethics",
    "county-subject",
    "ethics-week",
]
CREDIT_SHORT = ["lg-ethics", "national-ethics", "county-ethics", "ethics-week"]


def _plan(key: str, year: int, demo_year: int) -> list[str]:
    """The courses an edge case takes in ``year``; records before the teacher entered
    service, after they left or after the demo date are dropped when the ledger is written."""
    this = year == demo_year
    if key == demo_data.DEMO_TEACHER and this:
        return ["county-ethics", "province-it", "city-subject"]  # 12 of the 24 ethics hours
    if key == demo_data.PRINCIPAL_NEW and this:
        return [*STEADY, "principal"]  # 120 of the 300 hours of the first year
    if key == demo_data.PRINCIPAL_LEAP_DAY and year == 2024:
        return [*STEADY, "principal"]  # with PRINCIPAL_PART_TWO: 300 by 2025-02-28
    if key == "entrant-this-year" and this:
        return ["county-subject", "city-subject", "ethics-week"]  # 18 of 24: not owed
    if key == "credit-short-year" and this:
        return CREDIT_SHORT
    if key.startswith("credit-"):
        return CREDIT_STEADY
    return STEADY


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    services.rule_set_create(
        backdate=True,
        region=province,
        effective_from=date(2021, 1, 1),
        **presets.preset_fields("ningxia"),
    )
    credit_county = Region.objects.filter(code=demo_data.CREDIT_COUNTY).first()
    if credit_county is not None:
        services.rule_set_create(
            backdate=True,
            region=credit_county,
            effective_from=date(2021, 1, 1),
            **_at_least_the_floor(presets.preset_fields("zhejiang-credits"), province),
        )
    city = province.children.order_by("code").first()
    today = min(as_of, timezone.localdate())
    courses = _courses(city, credit_county, as_of.year)
    records = _ledgers(rng, province, courses, as_of, today)
    TrainingRecord.objects.bulk_create(records, batch_size=2000)
    _pending_for_the_demo_school(rng, today)
    count = services.summaries_recompute()
    made = sum(len(listed) for listed in courses.values())
    return f"{len(records)} training records, {made} courses, {count} summaries"


def _at_least_the_floor(fields: dict, province: Region) -> dict:
    """A preset raised where it asks less than the rule set above it (the floor check of
    ``services.rule_set_check_floor`` would refuse it): Zhejiang's credits with the
    province's 24 ethics hours a year, converted into credits."""
    above_set = selectors.rule_set_for(province, date(2021, 1, 1))
    above = above_set.as_rule()
    mine = RuleSet(region=province, effective_from=date(2021, 1, 1), **fields).as_rule()
    fields = dict(fields)
    for short in rules.floor_shortfalls(mine, above, modes=Mode.values):
        fields[short.field] = short.floor
    for name in rules.setting_shortfalls(mine, above):  # the ethics week, and the like
        fields[name] = getattr(above_set, name)
    return fields


def _courses(city, credit_county, last_year: int) -> dict[str, list[Course]]:
    """Every yearly course from 2021 to the demo year, by the county code whose teachers can
    take it ("" for the whole city)."""
    providers = {
        "": Provider.objects.create(
            name="温州市教师教育院", region=city, qualified=True, qualified_until=date(2028, 12, 31)
        )
    }
    catalogues = [("", "WZ", city, COURSES)]
    if credit_county is not None:
        providers[credit_county.code] = Provider.objects.create(
            name="龙港市教师发展中心",
            region=credit_county,
            qualified=True,
            qualified_until=date(2027, 12, 31),
        )
        catalogues.append((credit_county.code, "LG", credit_county, CREDIT_COURSES))
    made: dict[str, list[Course]] = {}
    for where, prefix, region, catalogue in catalogues:
        for year in range(FIRST_YEAR, last_year + 1):
            for index, (key, title, level, category, mode, hours, month, day) in enumerate(
                catalogue
            ):
                start = date(year, month, day)
                course = Course(
                    code=f"{prefix}{year}{index:03d}",
                    title=f"{year} 年{title}",
                    provider=providers[where],
                    region=region,
                    level=level,
                    category=category,
                    mode=mode,
                    hours=hours,
                    starts_on=start,
                    ends_on=start + timedelta(days=2 if hours <= 24 else 3),
                )
                course.key = key
                made.setdefault(where, []).append(course)
    code, title, level, category, mode, hours, start, end = PRINCIPAL_PART_TWO
    part_two = Course(
        code=code,
        title=title,
        provider=providers[""],
        region=city,
        level=level,
        category=category,
        mode=mode,
        hours=hours,
        starts_on=start,
        ends_on=end,
    )
    part_two.key = "principal-part-two"
    made[""].append(part_two)
    every = [course for listed in made.values() for course in listed]
    Course.objects.bulk_create(every)
    return made


def _ledgers(rng, province, courses, as_of, today) -> list[TrainingRecord]:
    """Per teacher, within their years of service: the edge cases by their plan; the others
    at a pace drawn from a spread (× the straight line of their rule set), ethics first most
    years. In the first year of a cycle nobody is complete or at risk yet: the dashboards
    show on track and behind, the ledgers' bars the previous cycle."""
    edge = {(spec.name, spec.school_code): spec.key for spec in demo_data.edge_cases(as_of)}
    inside = {"path__startswith": province.subtree_prefix}
    counties = list(Region.objects.filter(level="county", **inside))
    rule_sets = selectors.rule_sets_by_county(counties, today)
    unit_rules = {pk: rule_set.as_rule() for pk, rule_set in rule_sets.items()}
    county_codes = {county.pk: county.code for county in counties}
    principal_since = dict(
        ServicePeriod.objects.filter(
            role="principal", teacher__school__county__path__startswith=province.subtree_prefix
        )
        .values("teacher_id")
        .annotate(since=Min("start"))
        .values_list("teacher_id", "since")
    )
    spans = {"first": Min("service_periods__start"), "last": Max("service_periods__end")}
    bounds = (
        Teacher.objects.filter(school__county__path__startswith=province.subtree_prefix)
        .annotate(**spans)
        .values_list(
            "pk", "name", "school__code", "school__county_id", "started_teaching", "status",
            "retired_on", "first", "last",
        )
        .order_by("pk")
    )  # fmt: skip
    now = timezone.now()
    records: list[TrainingRecord] = []
    for pk, name, school, county_id, started, status, retired_on, first, last in bounds:
        began = min(d for d in (started, first) if d) if (started or first) else None
        left = None if status == "serving" else (retired_on or last)
        window = (began or date.min, min(left or today, today))
        available = courses.get("", []) + courses.get(county_codes.get(county_id, ""), [])
        key = edge.get((name, school))
        if key:
            for year in range(FIRST_YEAR, as_of.year + 1):
                wanted = set(_plan(key, year, as_of.year))
                for course in available:
                    if course.starts_on.year == year and course.key in wanted:
                        _add(records, pk, course, window, now)
            if key == demo_data.PRINCIPAL_LEAP_DAY:
                part_two = next(c for c in available if c.key == "principal-part-two")
                _add(records, pk, part_two, window, now)
            continue
        rule = unit_rules.get(county_id)
        if rule is None:
            continue
        per_year = rule.required_per_cycle / rule.cycle_years
        pace = Decimal(str(rng.choice([0.2, 0.5, 0.8, 1.0, 1.0, 1.2, 1.5])))
        since = principal_since.get(pk)
        for year in range(FIRST_YEAR, as_of.year + 1):
            year_courses = [
                c for c in available if c.starts_on.year == year and c.key != "principal-part-two"
            ]
            share = Decimal(1) if year < as_of.year else Decimal(today.timetuple().tm_yday) / 365
            target = per_year * pace * share
            done = Decimal(0)
            if since and since.year == year and rng.random() < 0.7:
                principal = [c for c in year_courses if c.category == Category.PRINCIPAL]
                for course in principal:
                    done += _add(records, pk, course, window, now, rule)
            if rng.random() < 0.85 or (year < as_of.year and rng.random() < 0.95):
                ethics = [c for c in year_courses if c.category == Category.ETHICS]
                for course in rng.sample(ethics, k=min(len(ethics), rng.choice([1, 2, 2, 3]))):
                    done += _add(records, pk, course, window, now, rule)
            others = [
                c for c in year_courses if c.category not in (Category.ETHICS, Category.PRINCIPAL)
            ]
            rng.shuffle(others)
            for course in others:
                if done >= target:
                    break
                done += _add(records, pk, course, window, now, rule)
    return records


def _add(records, teacher_id, course, window, now, rule=None) -> Decimal:
    """Credit ``course`` when it ended within the teacher's service (and by the demo date);
    returns what it counts for under ``rule`` (0 when not credited)."""
    began, until = window
    if not (began <= course.ends_on <= until):
        return Decimal(0)
    records.append(
        TrainingRecord(
            teacher_id=teacher_id,
            course=course,
            hours_tenths=int(course.hours * 10),
            completed_on=course.ends_on,
            level=course.level,
            category=course.category,
            mode=course.mode,
            source=Source.IMPORT,
            status=RecordStatus.APPROVED,
            reviewed_at=now,
        )
    )
    if rule is None:
        return Decimal(course.hours)
    return rules.record_value(Decimal(course.hours), course.mode, rule)


def _pending_for_the_demo_school(rng, today) -> None:
    """A few self-reports waiting for the demo school administrator's review, the last the
    demo teacher's own (made through the service, as a teacher's report is)."""
    school_admin = User.objects.filter(username="school").select_related("school").first()
    if school_admin is None:
        return
    own = User.objects.filter(username="teacher", teacher__isnull=False).first()
    teachers = list(
        Teacher.objects.filter(school=school_admin.school, status="serving")
        .exclude(pk=own.teacher_id if own else None)
        .order_by("id")[:5]
    )
    reports = [("县级读书分享会", 6), ("市级公开课观摩", 3), ("心理健康教育讲座", 8)]
    for index, teacher in enumerate(teachers):
        title, hours = reports[index % 3]
        services.record_create(
            teacher=teacher,
            description=title,
            hours=hours,
            completed_on=today - timedelta(days=10 + index),
            level=Level.COUNTY,
            category=Category.ETHICS if index % 2 else Category.SUBJECT,
            mode=Mode.FACE_TO_FACE,
            source=Source.SELF,
        )
    if own is not None and own.teacher.school_id == school_admin.school_id:
        services.record_create(
            teacher=own.teacher,
            description="师德师风读书分享会",
            hours=rng.choice([4, 6]),
            completed_on=today - timedelta(days=5),
            level=Level.SCHOOL,
            category=Category.ETHICS,
            mode=Mode.FACE_TO_FACE,
            source=Source.SELF,
            actor=own,
        )


def reset(*, province: Region) -> None:
    """Remove the demo's training data before ``seed_demo --reset`` rebuilds it."""
    in_region = {"teacher__school__county__path__startswith": province.path}
    from .models import TrainingSummary

    TrainingSummary.objects.filter(**in_region).delete()
    records = TrainingRecord.objects.filter(**in_region)
    records.filter(reverses__isnull=False).delete()
    records.delete()
    Course.objects.filter(region__path__startswith=province.subtree_prefix).delete()
    Provider.objects.filter(region__path__startswith=province.subtree_prefix).delete()
    RuleSet.objects.filter(region__path__startswith=province.subtree_prefix).delete()
