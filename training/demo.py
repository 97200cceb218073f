"""Demo training data for ``seed_demo``: rule sets (the national 360/24 standard for the
province, Zhejiang's credit variant for one county as an override), providers, courses, and a
ledger for every demo teacher that gives a realistic mix of on-track, behind and at-risk."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from portal.models import Region, Teacher, User

from . import presets, services
from .choices import Category, Level, Mode, RecordStatus, Source
from .models import Course, Provider, TrainingRecord

COURSES = [
    ("国培计划：乡村教师师德专题培训", Level.NATIONAL, Category.ETHICS, Mode.ONLINE, 24),
    ("浙江省中小学教师信息技术应用能力提升", Level.PROVINCE, Category.IT, Mode.ONLINE, 30),
    ("温州市新课标学科教学研修", Level.CITY, Category.SUBJECT, Mode.FACE_TO_FACE, 36),
    ("温州市班主任能力提升培训", Level.CITY, Category.HEAD_TEACHER, Mode.FACE_TO_FACE, 24),
    ("县级师德师风专题学习", Level.COUNTY, Category.ETHICS, Mode.FACE_TO_FACE, 12),
    ("县级学科骨干教师研修", Level.COUNTY, Category.SUBJECT, Mode.FACE_TO_FACE, 40),
    ("校本研修：作业设计与评价", Level.SCHOOL, Category.SUBJECT, Mode.FACE_TO_FACE, 16),
    ("校本研修：思政课程一体化", Level.SCHOOL, Category.ETHICS, Mode.FACE_TO_FACE, 8),
    ("国家智慧教育平台自主研修", Level.NATIONAL, Category.PLATFORM, Mode.ONLINE, 20),
    ("新任校长任职资格培训", Level.PROVINCE, Category.PRINCIPAL, Mode.FACE_TO_FACE, 120),
]


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    services.rule_set_create(
        region=province, effective_from=date(2021, 1, 1), **presets.preset_fields("ningxia")
    )
    longgang = Region.objects.filter(code="330383").first()
    if longgang is not None:
        services.rule_set_create(
            region=longgang,
            effective_from=date(2021, 1, 1),
            **presets.preset_fields("zhejiang-credits"),
        )
    city = province.children.order_by("code").first()
    provider = Provider.objects.create(
        name="温州市教师教育院", region=city, qualified=True, qualified_until=date(2028, 12, 31)
    )
    courses = []
    for year in (2023, 2024, 2025, 2026):
        for index, (title, level, category, mode, hours) in enumerate(COURSES):
            start = date(year, 3 + index % 8, 10)
            courses.append(
                Course(
                    code=f"WZ{year}{index:03d}",
                    title=f"{year} 年{title}",
                    provider=provider,
                    region=city,
                    level=level,
                    category=category,
                    mode=mode,
                    hours=hours,
                    starts_on=start,
                    ends_on=start + timedelta(days=3),
                )
            )
    Course.objects.bulk_create(courses)
    records = _ledgers(rng, courses, as_of)
    TrainingRecord.objects.bulk_create(records, batch_size=2000)
    _pending_for_the_demo_school(rng)
    count = services.summaries_recompute()
    return f"{len(records)} training records, {len(courses)} courses, {count} summaries"


def _ledgers(rng, courses, as_of) -> list[TrainingRecord]:
    """Per teacher: the last cycle mostly done, this cycle at a pace drawn from a spread so
    the dashboards show every status."""
    today = min(as_of, timezone.localdate())
    records = []
    now = timezone.now()
    for teacher in Teacher.objects.only("id").order_by("id"):
        pace = rng.choice([0.2, 0.5, 0.8, 1.0, 1.0, 1.2, 1.5])  # × the straight line
        used: set[int] = set()
        for year in (2023, 2024, 2025, 2026):
            year_courses = [c for c in courses if c.starts_on.year == year]
            target = 72 * pace if year < 2026 else 72 * pace * (today.timetuple().tm_yday / 365)
            done = 0
            # Ethics first, most years.
            if rng.random() < 0.85 or (year < 2026 and rng.random() < 0.95):
                ethics = [c for c in year_courses if c.category == Category.ETHICS]
                for course in ethics[: rng.choice([1, 2, 2, 3])]:
                    done += _add(records, teacher, course, used, today, now)
            while done < target:
                course = rng.choice(year_courses)
                if course.pk in used or course.category == Category.PRINCIPAL:
                    if len(used) > 30:
                        break
                    used.add(course.pk)
                    continue
                done += _add(records, teacher, course, used, today, now)
    return records


def _add(records, teacher, course, used, today, now) -> float:
    if course.pk in used or course.ends_on > today:
        used.add(course.pk)
        return 0
    used.add(course.pk)
    records.append(
        TrainingRecord(
            teacher=teacher,
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
    return float(course.hours)


def _pending_for_the_demo_school(rng) -> None:
    """A few self-reports waiting for the demo school administrator's review."""
    school_admin = User.objects.filter(username="school").select_related("school").first()
    if school_admin is None:
        return
    teachers = Teacher.objects.filter(school=school_admin.school).order_by("id")[:6]
    for index, teacher in enumerate(teachers):
        TrainingRecord.objects.create(
            teacher=teacher,
            description=["县级读书分享会", "市级公开课观摩", "心理健康教育讲座"][index % 3],
            hours_tenths=rng.choice([30, 60, 80]),
            completed_on=date(2026, 10, 10 + index),
            level=Level.COUNTY,
            category=Category.ETHICS if index % 2 else Category.SUBJECT,
            mode=Mode.FACE_TO_FACE,
            source=Source.SELF,
            status=RecordStatus.PENDING,
        )


def reset(*, province: Region) -> None:
    """Remove the demo's training data before ``seed_demo --reset`` rebuilds it."""
    in_region = {"teacher__school__county__path__startswith": province.path}
    from .models import RuleSet, TrainingSummary

    TrainingSummary.objects.filter(**in_region).delete()
    records = TrainingRecord.objects.filter(**in_region)
    records.filter(reverses__isnull=False).delete()
    records.delete()
    Course.objects.filter(region__path__startswith=province.subtree_prefix).delete()
    Provider.objects.filter(region__path__startswith=province.subtree_prefix).delete()
    RuleSet.objects.filter(region__path__startswith=province.subtree_prefix).delete()
