"""Reads and aggregates of the shared kernel. Every query that a user triggers starts
from ``scope_queryset``; aggregates are single grouped queries, never loops."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import rules
from .choices import EmploymentStatus, RegionLevel, Role, ServiceRole, Stage
from .models import EthicsRecord, Region, School, ServicePeriod, Teacher
from .scope import scope_queryset

SERVING = Q(status=EmploymentStatus.SERVING)


def service_bounds(teacher_ids) -> dict[int, tuple[date | None, date | None]]:
    """``{teacher id: (entered service, left service)}`` (``rules.service_began`` and
    ``rules.service_left``), in one grouped query per 900 teachers."""
    from django.db.models import Max, Min

    ids = list(teacher_ids)
    result: dict[int, tuple[date | None, date | None]] = {}
    for start in range(0, len(ids), 900):
        rows = (
            Teacher.objects.filter(pk__in=ids[start : start + 900])
            .annotate(
                first=Min("service_periods__start"),
                last=Max("service_periods__end"),
                open_periods=Count("service_periods", filter=Q(service_periods__end__isnull=True)),
            )
            .values_list(
                "pk", "started_teaching", "status", "retired_on", "first", "last", "open_periods"
            )
            .order_by()
        )
        for pk, started, status, retired_on, first, last, open_periods in rows:
            result[pk] = (
                rules.service_began(started, first),
                rules.service_left(status, retired_on, last, bool(open_periods)),
            )
    return result


def ethics_vetoes(teacher_ids, on: date) -> dict[int, str]:
    """The sanction that vetoes each teacher on ``on`` (师德一票否决), in words: the one
    definition (``rules.ethics_veto``, the earliest-starting sanction in force) for every
    app, one query per 900 teachers."""
    ids = list(teacher_ids)
    by_teacher: dict[int, list[rules.Sanction]] = {}
    for start in range(0, len(ids), 900):
        for record in EthicsRecord.objects.filter(teacher_id__in=ids[start : start + 900]):
            by_teacher.setdefault(record.teacher_id, []).append(
                rules.Sanction(
                    record.get_sanction_display(), record.in_force_from, record.in_force_to
                )
            )
    vetoes = {}
    for teacher_id, sanctions in by_teacher.items():
        veto = rules.ethics_veto(sanctions, on)
        if veto is not None:
            vetoes[teacher_id] = veto.label
    return vetoes


def visible_regions(user) -> QuerySet[Region]:
    return scope_queryset(user, Region.objects.all())


def visible_schools(user) -> QuerySet[School]:
    return scope_queryset(user, School.objects.select_related("county"))


def visible_teachers(user) -> QuerySet[Teacher]:
    return scope_queryset(user, Teacher.objects.select_related("school", "school__county"))


def home_region(user) -> Region | None:
    """The region a dashboard opens on: the staff member's own, or the top of what a
    superuser sees."""
    if user.is_superuser:
        return Region.objects.filter(parent__isnull=True).order_by("code").first()
    return (
        user.region
        if user.role in (Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF)
        else None
    )


@dataclass
class Breakdown:
    """One row of a drill-down table: a child region or a school."""

    key: int
    label: str
    url: str
    schools: int = 0
    teachers: int = 0
    full_time: int = 0


@dataclass
class RegionOverview:
    region: Region
    schools: int
    teachers: int
    full_time: int
    rows: list[Breakdown] = field(default_factory=list)
    rows_are_schools: bool = False


_TEACHER_GROUP = {
    RegionLevel.PROVINCE: "school__county__parent_id",
    RegionLevel.CITY: "school__county_id",
    RegionLevel.COUNTY: "school_id",
}
_SCHOOL_GROUP = {
    RegionLevel.PROVINCE: "county__parent_id",
    RegionLevel.CITY: "county_id",
    RegionLevel.COUNTY: "id",
}


def region_overview(user, region: Region) -> RegionOverview:
    """Counts of schools, serving teachers and full-time teachers in ``region`` with a
    breakdown by the next level down (cities, counties or schools). Three queries for the
    rows and labels, whatever the size of the region."""
    schools = scope_queryset(
        user, School.objects.filter(county__path__startswith=region.subtree_prefix)
    )
    teachers = scope_queryset(
        user,
        Teacher.objects.filter(SERVING, school__county__path__startswith=region.subtree_prefix),
    )
    teacher_key = _TEACHER_GROUP[region.level]
    school_key = _SCHOOL_GROUP[region.level]
    teacher_counts = {
        row[teacher_key]: row
        for row in teachers.values(teacher_key)
        .annotate(teachers=Count("id"), full_time=Count("id", filter=Q(is_full_time=True)))
        .order_by()
    }
    school_counts = dict(schools.values_list(school_key).annotate(n=Count("id")).order_by())

    if region.level == RegionLevel.COUNTY:
        labels = schools.order_by("code").values_list("id", "name")
        url_name, rows_are_schools = "school_detail", True
    else:
        labels = region.children.order_by("code").values_list("id", "name")
        url_name, rows_are_schools = "region_detail", False

    from django.urls import reverse

    rows = []
    for key, label in labels:
        counts = teacher_counts.get(key, {})
        rows.append(
            Breakdown(
                key=key,
                label=label,
                url=reverse(url_name, args=[key]),
                schools=school_counts.get(key, 0),
                teachers=counts.get("teachers", 0),
                full_time=counts.get("full_time", 0),
            )
        )
    return RegionOverview(
        region=region,
        schools=sum(school_counts.values()),
        teachers=sum(r.get("teachers", 0) for r in teacher_counts.values()),
        full_time=sum(r.get("full_time", 0) for r in teacher_counts.values()),
        rows=rows,
        rows_are_schools=rows_are_schools,
    )


def school_counts(school: School) -> dict[str, int]:
    return Teacher.objects.filter(SERVING, school=school).aggregate(
        teachers=Count("id"), full_time=Count("id", filter=Q(is_full_time=True))
    )


# --- One teacher's record ------------------------------------------------------------


@dataclass
class ServiceSummary:
    """Years of service derived from the periods (``rules.years_and_days``)."""

    teaching: rules.Served
    rural: rules.Served
    head_teacher: rules.Served
    head_teacher_by_stage: dict[str, rules.Served]
    principal: rules.Served

    @property
    def completed_teaching_years(self) -> int:
        return self.teaching.years

    @property
    def completed_rural_years(self) -> int:
        return self.rural.years


def service_summary(periods: list[ServicePeriod], *, as_of: date) -> ServiceSummary:
    """Years derived from service periods (``school`` must be loaded with them)."""

    def served(predicate) -> rules.Served:
        intervals = [rules.Interval(p.start, p.end) for p in periods if predicate(p)]
        return rules.years_and_days(intervals, as_of=as_of)

    by_stage = {
        stage.value: served(lambda p, s=stage: p.role == ServiceRole.HEAD_TEACHER and p.stage == s)
        for stage in Stage
    }
    return ServiceSummary(
        teaching=served(lambda p: True),
        rural=served(lambda p: p.school.is_rural),
        head_teacher=served(lambda p: p.role == ServiceRole.HEAD_TEACHER),
        head_teacher_by_stage={k: v for k, v in by_stage.items() if v.years or v.days},
        principal=served(lambda p: p.role == ServiceRole.PRINCIPAL),
    )


@dataclass
class TeacherRecord:
    teacher: Teacher
    periods: list[ServicePeriod]
    ethics_records: list[EthicsRecord]
    summary: ServiceSummary
    veto: rules.Sanction | None


def teacher_record(teacher: Teacher, *, as_of: date | None = None) -> TeacherRecord:
    as_of = as_of or timezone.localdate()
    periods = list(teacher.service_periods.select_related("school", "school__county"))
    ethics = list(teacher.ethics_records.all())
    veto = rules.ethics_veto(
        (rules.Sanction(e.get_sanction_display(), e.in_force_from, e.in_force_to) for e in ethics),
        as_of,
    )
    return TeacherRecord(
        teacher=teacher,
        periods=periods,
        ethics_records=ethics,
        summary=service_summary(periods, as_of=as_of),
        veto=veto,
    )
