"""Talent-ladder policy as pure functions (POLICY.md §1, §5, §8): who may enter a programme,
who may apply for a senior title, what a target counts and how far it is from its line. No
ORM: facts arrive as plain values.

Eligibility returns every reason a teacher is refused, in words, so a county sees at once why
a nomination cannot go ahead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from portal import rules as kernel_rules

# "N 年以上" of service at rural or weak schools: 365 days a year, cumulative across merged
# spans, day-exact (POLICY §8). The years themselves are data (a tier, a talent rule).
DAYS_PER_YEAR = 365

# 基础教育专任教师 (POLICY §8): the stages whose full-time teachers make the denominator of
# backbone shares and rotation; 中职 only where a target says so.
BASIC_EDUCATION = frozenset({"preschool", "primary", "junior", "senior", "special"})
VOCATIONAL = "vocational"


def days_for_years(years) -> int:
    """The days of service ``years`` asks for (1 → 365, 0.5 → 183)."""
    return math.ceil(Decimal(years) * DAYS_PER_YEAR)


def years_met(days: int, years) -> bool:
    """``days`` of merged service at such schools meet "``years`` 年以上"."""
    return days >= days_for_years(years)


def applies_to_stage(stages: Iterable[str], stage: str) -> bool:
    """A condition limited to ``stages`` (empty: every stage) applies to a teacher of
    ``stage``."""
    stages = frozenset(stages)
    return not stages or stage in stages


@dataclass(frozen=True)
class TeacherFacts:
    """What eligibility needs to know about a teacher on a date."""

    region_path: str  # the path of the teacher's county (``/1/5/23/``)
    stage: str
    titles_in_force: frozenset[int]  # tier ids
    ethics_veto: str | None  # the sanction in force, if any
    rural_or_weak_days: int  # days at rural or weak schools, overlaps merged
    training_credited: Decimal | None  # in the cycle, None when no rule set applies


@dataclass(frozen=True)
class ProgrammeRules:
    region_path: str  # the region that runs the programme
    stages: frozenset[str]  # empty: every stage
    draws_from: frozenset[int]  # tiers a candidate must already hold (any of them)
    requires_rural_years: Decimal  # from the target tier, 0 when not required
    min_training: Decimal | None
    tier_name: str
    prerequisite_names: tuple[str, ...] = ()
    rural_stages: frozenset[str] = frozenset()  # the stages the rural condition binds
    name: str = ""
    window_end: date | None = None
    window_start: date | None = None


def programme_closed(programme: ProgrammeRules, on: date | None) -> str | None:
    """Why a programme takes no nomination on ``on``: its window is over (POLICY §8), or has
    not begun."""
    if on is None:
        return None
    name = programme.name or programme.tier_name
    if programme.window_start is not None and on < programme.window_start:
        return _("The programme %(name)s opens on %(date)s: it takes no nominations before.") % {
            "name": name,
            "date": programme.window_start.isoformat(),
        }
    if programme.window_end is None or on <= programme.window_end:
        return None
    return _("The programme %(name)s closed on %(date)s: it takes no more nominations.") % {
        "name": name,
        "date": programme.window_end.isoformat(),
    }


def refusals(
    teacher: TeacherFacts, programme: ProgrammeRules, *, on: date | None = None
) -> list[str]:
    """Every reason ``teacher`` may not enter ``programme`` on ``on``; empty when eligible."""
    reasons: list[str] = []
    closed = programme_closed(programme, on)
    if closed:
        reasons.append(closed)
    if teacher.ethics_veto:
        reasons.append(
            _(
                "An ethics sanction is in force (%(sanction)s): the ethics veto excludes the "
                "teacher from every selection."
            )
            % {"sanction": teacher.ethics_veto}
        )
    if not teacher.region_path.startswith(programme.region_path):
        reasons.append(_("The teacher's school is outside the region that runs the programme."))
    if programme.stages and teacher.stage not in programme.stages:
        reasons.append(_("The programme is not open to the teacher's stage."))
    if programme.draws_from and not (programme.draws_from & teacher.titles_in_force):
        reasons.append(
            _("The programme draws from holders of %(tiers)s; the teacher holds none of them.")
            % {"tiers": "、".join(programme.prerequisite_names) or _("the prerequisite tier")}
        )
    if (
        programme.requires_rural_years
        and applies_to_stage(programme.rural_stages, teacher.stage)
        and not years_met(teacher.rural_or_weak_days, programme.requires_rural_years)
    ):
        reasons.append(
            _(
                "%(tier)s requires at least %(years)s year(s) (%(days)d days) at rural or weak "
                "schools; the teacher has %(have)d days."
            )
            % {
                "tier": programme.tier_name,
                "years": _fmt(programme.requires_rural_years),
                "days": days_for_years(programme.requires_rural_years),
                "have": teacher.rural_or_weak_days,
            }
        )
    if programme.min_training is not None:
        credited = teacher.training_credited
        if credited is None or credited < programme.min_training:
            reasons.append(
                _(
                    "The programme requires %(required)s training hours in the cycle; the teacher "
                    "has %(have)s."
                )
                % {"required": _fmt(programme.min_training), "have": _fmt(credited or Decimal(0))}
            )
    return reasons


# --- Applying for a senior title (高级职称) ---------------------------------------------------


@dataclass(frozen=True)
class TitleRule:
    """A region's conditions for a senior-title application, as data (``TalentRule``)."""

    name: str = ""
    rural_years: Decimal = Decimal(0)  # N §2.7: 1; 0 where the rule set has none
    rural_stages: frozenset[str] = frozenset()  # empty: every stage
    registration_bars: bool = True  # N §2.8
    outside_quota_intermediate_years: int | None = None  # Z: 15
    outside_quota_senior_years: int | None = None  # Z: 30
    principal_rural_years: Decimal = Decimal(0)  # N §2.7: 3, a preference


@dataclass(frozen=True)
class TitleApplicant:
    stage: str
    ethics_veto: str | None
    registration: str  # portal.choices.Registration
    registration_label: str
    rural_or_weak_days: int  # N §2.7: rural or weak schools
    rural_years: int  # Z: completed years at rural schools (calendar, day-exact)


@dataclass
class TitleCheck:
    refusals: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def may_apply(self) -> bool:
        return not self.refusals


def senior_title_check(teacher: TitleApplicant, rule: TitleRule) -> TitleCheck:
    """May ``teacher`` apply for a senior title under ``rule``? Every reason against, and
    the facts a bureau weighs besides (rural titles outside the quota, a principal
    candidate's rural years)."""
    check = TitleCheck()
    if teacher.ethics_veto:
        check.refusals.append(
            _("An ethics sanction is in force (%(sanction)s): the ethics veto bars title review.")
            % {"sanction": teacher.ethics_veto}
        )
    if rule.registration_bars and teacher.registration != "registered":
        check.refusals.append(
            _(
                "Registration status: %(status)s. A teacher whose registration is suspended or "
                "refused is not reviewed for titles."
            )
            % {"status": teacher.registration_label}
        )
    if rule.rural_years:
        needed = days_for_years(rule.rural_years)
        if not applies_to_stage(rule.rural_stages, teacher.stage):
            check.facts.append(
                _("The year at rural or weak schools is not required at the teacher's stage.")
            )
        elif years_met(teacher.rural_or_weak_days, rule.rural_years):
            check.facts.append(
                _(
                    "%(have)d days at rural or weak schools: the %(years)s-year condition "
                    "(%(days)d days) is met."
                )
                % {
                    "have": teacher.rural_or_weak_days,
                    "years": _fmt(rule.rural_years),
                    "days": needed,
                }
            )
        else:
            check.refusals.append(
                _(
                    "A senior title requires at least %(years)s year(s) (%(days)d days) at rural "
                    "or weak schools; the teacher has %(have)d days."
                )
                % {
                    "years": _fmt(rule.rural_years),
                    "days": needed,
                    "have": teacher.rural_or_weak_days,
                }
            )
    for years, title in (
        (rule.outside_quota_intermediate_years, _("an intermediate title")),
        (rule.outside_quota_senior_years, _("a senior title")),
    ):
        if not years:
            continue
        if teacher.rural_years >= years:
            check.facts.append(
                _(
                    "%(have)d years at rural schools: may apply for %(title)s outside the "
                    "school's post-structure quota (%(years)d years)."
                )
                % {"have": teacher.rural_years, "title": title, "years": years}
            )
        else:
            check.facts.append(
                _(
                    "%(have)d years at rural schools: %(years)d give %(title)s outside the "
                    "school's post-structure quota."
                )
                % {"have": teacher.rural_years, "title": title, "years": years}
            )
    if rule.principal_rural_years:
        met = years_met(teacher.rural_or_weak_days, rule.principal_rural_years)
        check.facts.append(
            (
                _(
                    "Principal candidacy: %(have)d days at rural or weak schools, the preferred "
                    "%(years)s years (%(days)d days) reached."
                )
                if met
                else _(
                    "Principal candidacy: %(have)d days at rural or weak schools, short of the "
                    "preferred %(years)s years (%(days)d days)."
                )
            )
            % {
                "have": teacher.rural_or_weak_days,
                "years": _fmt(rule.principal_rural_years),
                "days": days_for_years(rule.principal_rural_years),
            }
        )
    return check


def _fmt(value: Decimal) -> str:
    return kernel_rules.fmt_decimal(value)  # the kernel's one formatter


# --- Division of labour (W §6.2) ------------------------------------------------------------

LEVEL_ORDER = ("school", "county", "city", "province", "national")


def runner_level(*, tier_runner: str, stages, stage_runners: dict) -> str:
    """The lowest region level that may run a programme toward a tier: the level that
    trains the tier, raised to the level that trains the programme's stages (every stage
    of the map when the programme names none). Empty when neither says anything."""
    levels = [tier_runner] + [stage_runners.get(stage) for stage in (stages or stage_runners)]
    known = [level for level in levels if level in LEVEL_ORDER]
    return max(known, key=LEVEL_ORDER.index) if known else ""


# --- Targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    start: date
    deadline: date


def yearly_line(line: Line, on: date) -> Line:
    """The line of a target measured afresh each year: 1 January to 31 December of ``on``'s
    year, kept inside the plan."""
    return Line(max(line.start, date(on.year, 1, 1)), min(line.deadline, date(on.year, 12, 31)))


@dataclass
class Attainment:
    achieved: Decimal
    denominator: Decimal | None
    ratio: Decimal  # achieved as a share of the figure (0–1+)
    expected: Decimal  # where the straight line from start to deadline is on the date
    status: str  # achieved / on_track / behind / over; past the deadline: met / missed
    notes: list[str] = field(default_factory=list)


def judge(
    *,
    figure: Decimal,
    achieved: Decimal,
    line: Line,
    on: date,
    denominator: Decimal | None = None,
    most: Decimal | None = None,
    final: bool = False,
) -> Attainment:
    """A target's attainment on ``on``. For a share target ``figure`` is the share (0.08)
    and ``achieved`` the count, divided by ``denominator`` here; for a count target both are
    counts. The straight line runs from zero at the plan's start to the figure at the
    deadline. ``most`` closes a range (3–6 recommended): above it is "over". ``final``: the
    deadline has passed and ``achieved`` is the figure on the deadline, so the result is
    met or missed, never on track or behind (POLICY §8)."""
    value = achieved
    if denominator is not None:
        value = achieved / denominator if denominator else Decimal(0)
    total_days = max((line.deadline - line.start).days, 1)
    elapsed = min(max((on - line.start).days, 0), total_days)
    expected = figure * Decimal(elapsed) / Decimal(total_days)
    ratio = value / figure if figure else Decimal(1)
    within = value >= figure and (most is None or value <= most)
    if final:
        status = "met" if within else "missed"
        expected = figure
    elif most is not None and value > most:
        status = "over"
    elif value >= figure:
        status = "achieved"
    elif value >= expected:
        status = "on_track"
    else:
        status = "behind"
    return Attainment(
        achieved=achieved, denominator=denominator, ratio=ratio, expected=expected, status=status
    )


# --- Who is eligible to rotate (N §2.7) -------------------------------------------------------


@dataclass(frozen=True)
class RotationRule:
    """符合交流条件: at the same school ``years_at_school`` consecutive years or more, and more
    than ``years_to_retirement`` years from retirement (None: no such condition)."""

    years_at_school: int | None = None
    years_to_retirement: int | None = None
    retirement_age_men: int = 60
    retirement_age_women: int = 55

    @property
    def conditional(self) -> bool:
        return self.years_at_school is not None or self.years_to_retirement is not None


@dataclass(frozen=True)
class Period:
    school_id: int
    start: date
    end: date | None


def years_at_current_school(periods: Iterable[Period], on: date) -> int:
    """Whole years (calendar, day-exact) of the unbroken stay, up to ``on``, at the school
    the teacher is at on ``on``: periods at that school that overlap or touch are one stay;
    a gap ends it. 0 when no period covers ``on``."""
    periods = list(periods)
    best = 0
    for school in {
        p.school_id for p in periods if p.start <= on and (p.end is None or p.end >= on)
    }:
        spans = kernel_rules.merge_intervals(
            (kernel_rules.Interval(p.start, p.end) for p in periods if p.school_id == school),
            as_of=on,
        )
        last = kernel_rules.last_full_day(on)
        for start, end in spans:
            if end == last:  # the stay runs up to ``on`` (days served before it)
                best = max(best, kernel_rules.span_years_days(start, last)[0])
    return best


def rotation_eligible(
    *, periods: Iterable[Period], birth_date: date, gender: str, on: date, rule: RotationRule
) -> bool:
    """May the teacher be counted among those eligible to rotate on ``on``?"""
    if rule.years_at_school is not None and (
        years_at_current_school(periods, on) < rule.years_at_school
    ):
        return False
    if rule.years_to_retirement is not None:
        age = rule.retirement_age_men if gender == "M" else rule.retirement_age_women
        retires = kernel_rules.add_years(birth_date, age)
        if kernel_rules.add_years(on, rule.years_to_retirement) >= retires:
            return False
    return True


# --- What a target counts (the one definition; the nightly job's grouped queries equal it) --


@dataclass(frozen=True)
class Goal:
    """A target as the counting rule reads it."""

    kind: str
    tiers: frozenset[int]
    plan_start: date
    deadline: date
    stages: frozenset[str] = frozenset()  # empty: every stage of basic education
    include_vocational: bool = False
    studio_level: str = ""


@dataclass(frozen=True)
class StaffRow:
    """A teacher as attainment sees them (current school, status and stage)."""

    id: int
    county_id: int
    serving: bool
    full_time: bool
    stage: str
    eligible_to_rotate: bool = True  # ``rotation_eligible`` on the year's first day


@dataclass(frozen=True)
class TitleRow:
    teacher_id: int
    tier_id: int
    awarded_on: date
    valid_until: date | None = None
    revoked_on: date | None = None


@dataclass(frozen=True)
class RotationRow:
    teacher_id: int
    from_county_id: int
    start: date


@dataclass(frozen=True)
class StudioRow:
    level: str
    region_id: int
    school_id: int | None
    school_county_id: int | None
    founded_on: date
    closed_on: date | None = None


def counted_stages(goal: Goal) -> frozenset[str]:
    """The stages whose full-time teachers a share or a rotation target counts: 基础教育专任
    教师 (with 中职 where the target says so), narrowed to the target's stages."""
    stages = BASIC_EDUCATION | ({VOCATIONAL} if goal.include_vocational else frozenset())
    return stages & goal.stages if goal.stages else stages


def rotation_year_start(goal: Goal, on: date) -> date:
    """Rotation is measured afresh each year: from 1 January, or the plan's start if later.
    Eligibility to rotate is judged on this day."""
    return max(date(on.year, 1, 1), goal.plan_start)


def title_counts(title: TitleRow, on: date) -> bool:
    """Awarded by ``on`` and not revoked by then."""
    return title.awarded_on <= on and (title.revoked_on is None or title.revoked_on > on)


def title_in_force(title: TitleRow, on: date) -> bool:
    return title_counts(title, on) and (title.valid_until is None or title.valid_until >= on)


def target_counts(
    goal: Goal,
    on: date,
    *,
    staff: dict[int, StaffRow],
    titles: Iterable[TitleRow] = (),
    rotations: Iterable[RotationRow] = (),
    studios: Iterable[StudioRow] = (),
    schools: dict[int, int] | None = None,
    units: Iterable[int] = (),
) -> tuple[dict[int, int], dict[int, int]]:
    """What ``goal`` counts on ``on``, and for a share its denominator, per county (or per
    unit of studio coverage). People, not titles: a teacher holding two of the tiers counts
    once (POLICY §8). ``staff`` holds every teacher the titles and rotations name;
    ``schools`` maps each school to its county; ``units`` are the regions of the studio
    level."""
    numerators: dict[int, set] = {}
    denominators: dict[int, set] = {}

    def add(into, key, item):
        into.setdefault(key, set()).add(item)

    stages = counted_stages(goal)

    def is_staff(row: StaffRow) -> bool:
        return row.serving and row.full_time and row.stage in stages

    if goal.kind == "new_titles":
        until = min(on, goal.deadline)
        for title in titles:
            if (
                title.tier_id in goal.tiers
                and goal.plan_start <= title.awarded_on <= until
                and (title.revoked_on is None or title.revoked_on > on)
            ):
                add(numerators, staff[title.teacher_id].county_id, title.teacher_id)
        return _sizes(numerators), {}
    if goal.kind in ("in_force", "share"):
        for title in titles:
            teacher = staff[title.teacher_id]
            if title.tier_id not in goal.tiers or not title_in_force(title, on):
                continue
            if not teacher.serving or (goal.kind == "share" and not is_staff(teacher)):
                continue
            add(numerators, teacher.county_id, teacher.id)
        if goal.kind == "in_force":
            return _sizes(numerators), {}
        for teacher in staff.values():
            if is_staff(teacher):
                add(denominators, teacher.county_id, teacher.id)
        return _sizes(numerators), _sizes(denominators)
    if goal.kind == "studio_coverage":
        open_ = [
            s
            for s in studios
            if s.level == goal.studio_level
            and s.founded_on <= on
            and (s.closed_on is None or s.closed_on > on)
        ]
        if goal.studio_level == "school":
            for studio in open_:
                add(numerators, studio.school_county_id, studio.school_id)
            for school, county in (schools or {}).items():
                add(denominators, county, school)
            return _sizes(numerators), _sizes(denominators)
        units = list(units)
        covered = {s.region_id for s in open_}
        return {u: 1 for u in units if u in covered}, dict.fromkeys(units, 1)
    # Rotation: the eligible teachers (of the counted stages, judged on the year's first day)
    # who began a rotation this year, by the county they rotate from; for the backbone
    # share, those of them holding a tier in force.
    pool = {t.id: t for t in staff.values() if is_staff(t) and t.eligible_to_rotate}
    start = rotation_year_start(goal, on)
    rotators: dict[int, set] = {}
    for rotation in rotations:
        if rotation.teacher_id in pool and start <= rotation.start <= on:
            add(rotators, rotation.from_county_id, rotation.teacher_id)
    if goal.kind == "rotation":
        for teacher in pool.values():
            add(denominators, teacher.county_id, teacher.id)
        return _sizes(rotators), _sizes(denominators)
    holders = {t.teacher_id for t in titles if t.tier_id in goal.tiers and title_in_force(t, on)}
    for county, teachers in rotators.items():
        held = teachers & holders
        if held:
            numerators[county] = held
    return _sizes(numerators), _sizes(rotators)


def _sizes(groups: dict[int, set]) -> dict[int, int]:
    return {key: len(items) for key, items in groups.items() if items}


def certificate_number(region_code: str, year: int, tier_id: int, sequence: int) -> str:
    """A title's certificate number as Chinese certificates write them: the awarding region's
    division code, the year, a numeric tier code and the sequence, all digits
    (``330300-2026-0012-00001``); never longer than the field (40)."""
    return f"{region_code}-{year}-{tier_id:04d}-{sequence:05d}"
