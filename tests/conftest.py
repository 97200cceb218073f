"""Shared fixtures: a small world of regions, schools, teachers and one user per role,
with objects above, beside and below each user's scope."""

import os
import shutil
from dataclasses import dataclass

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from portal.choices import Role

from . import factories

# The live server (browser tests, API fuzzing) writes a response's headers and body in
# separate small packets; with Nagle's algorithm on, each response then waits for the
# client's delayed ACK (40 ms and more on loopback). gunicorn, as in production, sets
# TCP_NODELAY itself.
WSGIRequestHandler.disable_nagle_algorithm = True

# .ci/run sets this: there a test that needs PostgreSQL, Redis or Chromium must run, not skip.
REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def _missing(item) -> str | None:
    if item.get_closest_marker("postgres") and not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        return "needs PostgreSQL: set DATABASE_URL (CI does)"
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        return "needs a Redis broker: set REDIS_URL (CI does)"
    if item.get_closest_marker("browser") and not shutil.which("chromium"):
        return "needs Debian's chromium package (CI installs it)"
    if item.get_closest_marker("cjk_font"):
        from pathlib import Path

        from django.conf import settings

        if not any(Path(path).exists() for path, _index in settings.CERTIFICATE_FONTS):
            return "needs a TrueType Chinese font: apt install fonts-arphic-uming (CI does)"
    return None


def pytest_runtest_setup(item):
    reason = _missing(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}; PORTAL_REQUIRE_SERVICES=1 forbids skipping it")
    pytest.skip(reason)


@dataclass
class World:
    province: object
    city: object
    other_city: object
    county: object  # 鹿城区, the county staff's
    sibling_county: object  # 龙湾区, same city
    far_county: object  # in the other city
    school: object  # in county: the school admin's
    sibling_school: object  # in county
    neighbour_school: object  # in sibling_county
    far_school: object  # in far_county
    teacher: object  # at school: the teacher user's
    colleague: object  # at school too
    sibling_teacher: object  # at sibling_school
    neighbour_teacher: object  # at neighbour_school
    far_teacher: object  # at far_school
    users: dict


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The world, built through the services (a module may build it once: see
    ``tests/portal/test_permissions.py``)."""
    f = factories
    province = f.province()
    city = f.city(province)
    other_city = f.city(province, code="330100", name="杭州市")
    county = f.county(city)
    sibling_county = f.county(city, code="330303", name="龙湾区")
    far_county = f.county(other_city, code="330106", name="西湖区")
    school = f.school(county, name="鹿城区第一小学")
    sibling_school = f.school(county, name="鹿城区第二小学", is_rural=True)
    neighbour_school = f.school(sibling_county, name="龙湾区第一小学")
    far_school = f.school(far_county, name="西湖区第一小学")
    teacher = f.teacher(school, name="林晓")
    colleague = f.teacher(school, name="陈明")
    sibling_teacher = f.teacher(sibling_school, name="王芳")
    neighbour_teacher = f.teacher(neighbour_school, name="赵磊")
    far_teacher = f.teacher(far_school, name="孙丽")
    users = {
        "province": f.user("province", Role.PROVINCE_STAFF, region=province),
        "city": f.user("city", Role.CITY_STAFF, region=city),
        "county": f.user("county", Role.COUNTY_STAFF, region=county),
        "school": f.user("school", Role.SCHOOL_ADMIN, school=school),
        "teacher": f.user("teacher", Role.TEACHER, teacher=teacher),
        "superuser": f.user("root"),
    }
    users["superuser"].is_superuser = users["superuser"].is_staff = True
    users["superuser"].save()
    jobs = {
        "school_job": _job(users["school"], region=county, school=school),
        "county_job": _job(users["county"], region=county),
        "far_job": _job(users["province"], region=far_county),
    }
    world = World(
        province,
        city,
        other_city,
        county,
        sibling_county,
        far_county,
        school,
        sibling_school,
        neighbour_school,
        far_school,
        teacher,
        colleague,
        sibling_teacher,
        neighbour_teacher,
        far_teacher,
        users,
    )
    for name, job in jobs.items():
        setattr(world, name, job)
    _training(world)
    _talent(world)
    _honours(world)
    _pay(world)
    return world


def _pay(world) -> None:
    """A pay report and an adjustment in the county staff's county, and in the other city."""
    from datetime import date
    from decimal import Decimal

    from compensation import services as pay

    for county, prefix in ((world.county, ""), (world.far_county, "far_")):
        report, _changed = pay.pay_report_save(
            county=county,
            year=2025,
            values={"teacher_pay": Decimal(150000), "civil_servant_pay": Decimal(148000)},
            actor=None,
        )
        adjustment = pay.adjustment_create(
            county=county,
            actor=None,
            group="civil_servant",
            effective_on=date(2025, 7, 1),
            amount=Decimal(500),
        )
        setattr(world, f"{prefix}pay_report", report)
        setattr(world, f"{prefix}adjustment", adjustment)


def _honours(world) -> None:
    """Honour types on both cities; an award for the teacher (in a batch) and one in the
    other city; a proposed candidate for the colleague."""
    from datetime import date

    from honors import presets
    from honors import services as honours
    from honors.models import Candidate, HonourType

    presets.load(region=world.city)
    presets.load(region=world.other_city)

    def candidate(teacher, region, status="proposed"):
        return Candidate.objects.create(
            honour_type=HonourType.objects.get(region=region, code="teaching-30"),
            teacher=teacher,
            year=2026,
            years=31,
            status=status,
        )

    mine = candidate(world.teacher, world.city)
    far = candidate(world.far_teacher, world.other_city)
    world.candidate = candidate(world.colleague, world.city)
    honours.candidates_review(
        candidates=Candidate.objects.filter(pk__in=[mine.pk, far.pk]),
        actor=None,
        approve=True,
        on=date(2026, 9, 1),
        as_system=True,
    )
    mine.refresh_from_db()
    far.refresh_from_db()
    world.award, world.far_award = mine.award, far.award
    world.batch, world.far_batch = mine.award.batch, far.award.batch
    world.far_honour = HonourType.objects.get(region=world.other_city, code="teaching-30")


def _talent(world) -> None:
    """The Wenzhou ladder on the city, a programme it runs, the teacher nominated into it,
    and a day's attainment snapshots."""
    from datetime import date

    from talent import presets
    from talent import services as talent
    from talent.models import Enrolment, Programme, Target, Tier, Title

    presets.load("wenzhou", region=world.city)
    tiers = {t.code: t for t in Tier.objects.filter(region=world.city)}
    world.title = Title.objects.create(
        teacher=world.teacher,
        tier=tiers["jiaotan-xinxiu"],
        awarding_region=world.city,
        awarded_on=date(2023, 3, 1),
        certificate_number="330300-jiaotan-2023-00001",
    )
    world.programme = Programme.objects.create(
        name="市级名师培养计划",
        region=world.city,
        tier=tiers["city-famous-teacher"],
        window_start=date(2022, 1, 1),
        # Open today, whenever the suite runs: a programme past its window takes no
        # nominations (tests/talent/test_policy_readings.py closes one on purpose).
        window_end=date(date.today().year + 1, 12, 31),
    )
    world.programme.draws_from.set([tiers["jiaotan-xinxiu"]])
    world.enrolment = Enrolment.objects.create(programme=world.programme, teacher=world.teacher)
    world.target = Target.objects.filter(region=world.city).order_by("pk").first()
    talent.attainment_recompute(on=date(2024, 6, 1))
    from talent.models import Attainment

    world.snapshot = Attainment.objects.get(target=world.target, region=world.city)


def _training(world) -> None:
    """The national 360/24 rule set for the province and one approved credit, with its
    certificate, for the teacher and for the far teacher."""
    from datetime import date

    from django.core.files.base import ContentFile

    from training import presets
    from training import services as training

    world.rule_set = training.rule_set_create(
        backdate=True,
        region=world.province,
        effective_from=date(2021, 1, 1),
        **presets.preset_fields("ningxia"),
    )
    from training.models import Course

    world.course = Course.objects.create(
        code="WZ2026001",
        title="温州市学科研修",
        region=world.city,
        level="city",
        category="subject",
        hours=24,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 3),
    )
    for name, teacher in (("record", world.teacher), ("far_record", world.far_teacher)):
        record = training.record_create(
            teacher=teacher,
            hours=24,
            completed_on=date(2026, 3, 1),
            level="county",
            category="ethics",
            source="staff",
            actor=world.users["superuser"],
            description="师德专题培训",
        )
        record.evidence.save("certificate.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
        setattr(world, name, record)


def _job(user, *, region, school=None):
    from portal.models import ImportJob

    return ImportJob.objects.create(
        kind="roster",
        uploaded_by=user,
        region=region,
        school=school,
        file_name="名单.xlsx",
        file_sha256="0" * 64,
        file_size=1,
    )
