"""Reads of the training ledger: the rule set in force, one teacher's standing, region
summaries. Aggregates are grouped queries; the only loop over teachers is over rows a
grouped query already returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse

from portal.choices import RegionLevel, ServiceRole
from portal.models import Region, School, ServicePeriod, Teacher
from portal.scope import scope_queryset
from portal.selectors import service_bounds

from . import rules
from .choices import Category, ComplianceStatus, Mode, RecordStatus
from .models import BrokenRuleSet, Course, NoRuleSet, RuleSet, TrainingRecord, TrainingSummary

__all__ = ["BrokenRuleSet", "NoRuleSet"]  # re-exported: pages catch ``selectors.NoRuleSet``


def _in_force(candidates: list[RuleSet], path: list[int], on: date) -> RuleSet | None:
    """Of rule sets of the regions on ``path``, the one in force on ``on``: the lowest region
    that has one, and of its rule sets the latest already effective."""
    depth = {region_id: index for index, region_id in enumerate(path)}
    mine = [r for r in candidates if r.region_id in depth and r.effective_from <= on]
    if not mine:
        return None
    return max(mine, key=lambda r: (depth[r.region_id], r.effective_from))


def rule_set_for(region: Region, on: date) -> RuleSet:
    """The rule set in force for ``region`` on ``on``: the lowest region on the way to the
    root that has one, and of its rule sets the latest already effective."""
    path = region.path_ids
    found = _in_force(
        list(RuleSet.objects.filter(region_id__in=path, effective_from__lte=on)), path, on
    )
    if found is None:
        raise NoRuleSet(region.name)
    return found


def rule_sets_above(region: Region, since: date) -> list[RuleSet]:
    """The rule sets of the regions above ``region`` that a rule set of ``region`` effective
    from ``since`` overrides: the one in force above on that date, and every later one above
    that takes effect before ``region``'s own next rule set (a lower region's rule set
    outranks every rule set above it, whatever their dates). None for the province."""
    above = region.path_ids[:-1]
    if not above:
        return []
    candidates = list(RuleSet.objects.filter(region_id__in=above).select_related("region"))
    until = (
        RuleSet.objects.filter(region=region, effective_from__gt=since)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    dates = {since} | {
        r.effective_from
        for r in candidates
        if r.effective_from > since and (until is None or r.effective_from < until)
    }
    found: dict[int, RuleSet] = {}
    for on in sorted(dates):
        rule_set = _in_force(candidates, above, on)
        if rule_set is not None:
            found.setdefault(rule_set.pk, rule_set)
    return list(found.values())


def rule_sets_by_county(counties: list[Region], on: date) -> dict[int, RuleSet]:
    """The rule set of each county, resolved with one query for all of them."""
    ids = {i for county in counties for i in county.path_ids}
    candidates = list(RuleSet.objects.filter(region_id__in=ids, effective_from__lte=on))
    result = {}
    for county in counties:
        found = _in_force(candidates, county.path_ids, on)
        if found is not None:
            result[county.pk] = found
    return result


# --- Courses a teacher may be credited with ---------------------------------------------------


def course_regions(county: Region) -> list[int]:
    """The regions whose courses a teacher of ``county`` may be credited with: those on the
    county's path (the province, the city, the county). Every course has a region."""
    return county.path_ids


def creditable_courses(county: Region):
    """The courses a teacher of ``county`` may be credited with. Every door that takes a
    course from a user (self-report, API, import) looks it up here, so a course of any other
    region reads exactly like one that does not exist."""
    return Course.objects.filter(region_id__in=course_regions(county))


def creditable_courses_by_code(codes, counties) -> dict[int, dict[str, Course]]:
    """For an import: ``{county id: {code: course}}`` of the courses with these codes that
    each county's teachers may be credited with, in one query."""
    paths = {county.pk: set(course_regions(county)) for county in counties}
    regions = set().union(*paths.values()) if paths else set()
    found = list(
        Course.objects.filter(region_id__in=regions, code__in=set(codes)).select_related("provider")
    )
    return {
        pk: {course.code: course for course in found if course.region_id in path}
        for pk, path in paths.items()
    }


# --- One teacher ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    since: date  # first appointed principal
    exempt: bool  # appointed from the principal reserve (N §2.6): no first-year training

    def first_year_from(self, cycle: rules.Cycle) -> date | None:
        """When the first-year rule applies: to principals whose first year reaches into the
        cycle (appointed within it, or in the year before it began) and not appointed from
        the reserve."""
        if self.exempt or rules.first_year_end(self.since) < cycle.start:
            return None
        return self.since


def principals(teacher_ids) -> dict[int, Principal]:
    """``{teacher id: Principal}`` of the teachers who have been principals: their first
    principal period, one query."""
    found: dict[int, Principal] = {}
    periods = (
        ServicePeriod.objects.filter(role=ServiceRole.PRINCIPAL, teacher_id__in=list(teacher_ids))
        .order_by("teacher_id", "start", "id")
        .values_list("teacher_id", "start", "from_reserve")
    )
    for teacher_id, start, from_reserve in periods:
        found.setdefault(teacher_id, Principal(start, from_reserve))
    return found


@dataclass
class TeacherTraining:
    rule_set: RuleSet
    rule: rules.Rule
    assessment: rules.Assessment
    by_year: list[tuple[int, Decimal, Decimal]]  # (year, credited, ethics)
    records: list[TrainingRecord]
    pending: int
    ethics_week: rules.EthicsWeek | None = None


def teacher_training(teacher: Teacher, *, as_of: date) -> TeacherTraining:
    """Everything "我的学时" shows, in a fixed handful of queries."""
    rule_set = rule_set_for(teacher.school.county, as_of)
    rule = rule_set.as_rule()
    cycle = rules.cycle_of(rule, as_of)
    principal = principals([teacher.pk]).get(teacher.pk)
    since = principal.first_year_from(cycle) if principal else None
    records = list(
        TrainingRecord.objects.filter(teacher=teacher)
        .select_related("course")
        .order_by("-completed_on", "-id")
    )
    approved = [r.as_item() for r in records if r.status == RecordStatus.APPROVED]
    began, left = service_bounds([teacher.pk]).get(teacher.pk, (None, None))
    totals = rules.totals_from_items(approved, rule, cycle, principal_since=since)
    assessment = rules.assess(
        totals,
        rule,
        as_of=as_of,
        is_principal=principal is not None,
        principal_since=since,
        began=began,
        left=left,
    )
    by_year = _by_year(approved, rule, cycle, as_of)
    pending = sum(1 for r in records if r.status == RecordStatus.PENDING)
    week = rules.ethics_week(
        rule,
        [_span(r) for r in records if _in_ethics_week_kind(r)],
        as_of=as_of,
        began=began,
        left=left,
    )
    return TeacherTraining(rule_set, rule, assessment, by_year, records, pending, week)


def _in_ethics_week_kind(record: TrainingRecord) -> bool:
    """Concentrated ethics training: approved, not reversed, ethics, face to face."""
    return (
        record.status == RecordStatus.APPROVED
        and record.category == Category.ETHICS
        and record.mode == Mode.FACE_TO_FACE
        and record.hours_tenths > 0
        and not record.is_reversed
    )


def _span(record: TrainingRecord) -> tuple[date, date]:
    """The days a record's training took: its course's, or the day it was completed."""
    if record.course_id and record.course.starts_on and record.course.ends_on:
        return record.course.starts_on, record.course.ends_on
    return record.completed_on, record.completed_on


@dataclass(frozen=True)
class EthicsWeekCounts:
    year: int
    start: date
    end: date
    due: int  # serving teachers in service when the week began
    met: int  # of them, those with the days of concentrated ethics training


def ethics_week_counts(user, school: School, *, as_of: date) -> EthicsWeekCounts | None:
    """How many of a school's serving teachers spent the latest ethics week's days in
    concentrated ethics training (N §2.2). A handful of queries."""
    rule = rule_set_for(school.county, as_of).as_rule()
    if not rule.ethics_week_days:
        return None
    probe = rules.ethics_week(rule, [], as_of=as_of)
    teachers = scope_queryset(user, Teacher.objects.filter(school=school, status="serving"))
    ids = list(teachers.values_list("pk", flat=True))
    bounds = service_bounds(ids)
    due = [pk for pk in ids if bounds[pk][0] is None or bounds[pk][0] <= probe.start]
    spans: dict[int, list] = {}
    records = (
        TrainingRecord.objects.filter(
            teacher_id__in=due,
            status=RecordStatus.APPROVED,
            category=Category.ETHICS,
            mode=Mode.FACE_TO_FACE,
            hours_tenths__gt=0,
            is_reversed=False,
            completed_on__gte=probe.start,
        )
        .select_related("course")
        .only("teacher_id", "completed_on", "course__starts_on", "course__ends_on")
    )
    for record in records:
        spans.setdefault(record.teacher_id, []).append(_span(record))
    met = sum(1 for pk in due if rules.ethics_week(rule, spans.get(pk, []), as_of=as_of).met)
    return EthicsWeekCounts(probe.year, probe.start, probe.end, len(due), met)


def _by_year(approved, rule: rules.Rule, cycle: rules.Cycle, as_of: date):
    """Credit and ethics per calendar year, from the previous cycle's first year to this
    one: the history a teacher wants to see next to this cycle's bar."""
    first = cycle.start.year - rule.cycle_years
    credited = {year: Decimal(0) for year in range(first, as_of.year + 1)}
    ethics = dict(credited)
    for item in approved:
        year = item.completed_on.year
        category = item.category
        if year in credited:
            value = rules.record_value(item.hours, item.mode, rule, item.missed)
            credited[year] += value
            if category == Category.ETHICS:
                ethics[year] += value
    return [(year, credited[year], ethics[year]) for year in credited]


# --- Region summaries (read the summary table) ------------------------------------------------


@dataclass
class ComplianceRow:
    key: int
    label: str
    url: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, status: str) -> float:
        return self.counts.get(status, 0) / self.total if self.total else 0.0


_GROUP = {
    RegionLevel.PROVINCE: "teacher__school__county__parent_id",
    RegionLevel.CITY: "teacher__school__county_id",
    RegionLevel.COUNTY: "teacher__school_id",
}


def region_compliance(user, region: Region) -> tuple[ComplianceRow, list[ComplianceRow]]:
    """Counts of serving teachers by status for the region and each part of it (cities,
    counties or schools): one grouped query on the summary table, one for the labels."""
    key = _GROUP[region.level]
    summaries = scope_queryset(
        user,
        TrainingSummary.objects.filter(
            teacher__school__county__path__startswith=region.subtree_prefix,
            teacher__status="serving",
        ),
    )
    counts: dict[int, dict[str, int]] = {}
    for row in summaries.values(key, "status").annotate(n=Count("id")).order_by():
        counts.setdefault(row[key], {})[row["status"]] = row["n"]
    if region.level == RegionLevel.COUNTY:
        labels = scope_queryset(user, School.objects.filter(county=region)).order_by("code")
        url_name = "training_school"
    else:
        labels = region.children.order_by("code")
        url_name = "training_region"
    rows = [
        ComplianceRow(pk, name, reverse(url_name, args=[pk]), _every_status(counts.get(pk, {})))
        for pk, name in labels.values_list("id", "name")
    ]
    total: dict[str, int] = {}
    for row in rows:
        for status, n in row.counts.items():
            total[status] = total.get(status, 0) + n
    whole = ComplianceRow(region.pk, region.name, "", _every_status(total))
    return whole, rows


STATUS_ORDER = [
    ComplianceStatus.COMPLETE,
    ComplianceStatus.ON_TRACK,
    ComplianceStatus.BEHIND,
    ComplianceStatus.AT_RISK,
]


def teachers_by_status(
    user,
    *,
    region: Region | None = None,
    school: School | None = None,
    statuses=("behind", "at_risk"),
):
    summaries = TrainingSummary.objects.filter(status__in=statuses, teacher__status="serving")
    if region is not None:
        summaries = summaries.filter(
            teacher__school__county__path__startswith=region.subtree_prefix
        )
    if school is not None:
        summaries = summaries.filter(teacher__school=school)
    return (
        scope_queryset(user, summaries)
        .select_related("teacher", "teacher__school")
        .order_by("teacher__school__code", "teacher__name")
    )


def pending_records(user, school: School | None = None):
    records = TrainingRecord.objects.filter(status=RecordStatus.PENDING)
    if school is not None:
        records = records.filter(teacher__school=school)
    return (
        scope_queryset(user, records)
        .select_related("teacher", "course")
        .order_by("created_at", "id")
    )


def school_status_counts(user, school: School) -> dict[str, int]:
    rows = (
        scope_queryset(
            user, TrainingSummary.objects.filter(teacher__school=school, teacher__status="serving")
        )
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _every_status({row["status"]: row["n"] for row in rows})


def _every_status(counts: dict[str, int]) -> dict[str, int]:
    """Every status present, zero where no teacher has it (pages and the API show all four)."""
    return {status: counts.get(status, 0) for status in ComplianceStatus.values}
