"""Talent-ladder policy as pure functions (POLICY.md §1, §5): who may enter a programme, and
how far a target is from its line. No ORM: facts arrive as plain values.

Eligibility returns every reason a teacher is refused, in words, so a county sees at once why
a nomination cannot go ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

RURAL_YEARS_FOR_SENIOR = 1  # N §2.7: ≥ 1 year at a rural or weak school (data in the tier)


@dataclass(frozen=True)
class TeacherFacts:
    """What eligibility needs to know about a teacher on a date."""

    region_path: str  # the path of the teacher's county (``/1/5/23/``)
    stage: str
    titles_in_force: frozenset[int]  # tier ids
    ethics_veto: str | None  # the sanction in force, if any
    rural_or_weak_years: Decimal
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


def refusals(teacher: TeacherFacts, programme: ProgrammeRules) -> list[str]:
    """Every reason ``teacher`` may not enter ``programme``; empty when eligible."""
    reasons: list[str] = []
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
        and teacher.rural_or_weak_years < programme.requires_rural_years
    ):
        reasons.append(
            _(
                "%(tier)s requires at least %(years)s year(s) at a rural or weak school; the "
                "teacher has %(have)s."
            )
            % {
                "tier": programme.tier_name,
                "years": _fmt(programme.requires_rural_years),
                "have": _fmt(teacher.rural_or_weak_years),
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


def _fmt(value: Decimal) -> str:
    text = f"{Decimal(value).quantize(Decimal('0.1')):f}"
    return text[:-2] if text.endswith(".0") else text


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
    status: str  # achieved / on_track / behind
    notes: list[str] = field(default_factory=list)


def judge(
    *, figure: Decimal, achieved: Decimal, line: Line, on: date, denominator: Decimal | None = None
) -> Attainment:
    """A target's attainment on ``on``. For a share target ``figure`` is the share (0.08)
    and ``achieved`` the count, divided by ``denominator`` here; for a count target both are
    counts. The straight line runs from zero at the plan's start to the figure at the
    deadline."""
    value = achieved
    if denominator is not None:
        value = achieved / denominator if denominator else Decimal(0)
    total_days = max((line.deadline - line.start).days, 1)
    elapsed = min(max((on - line.start).days, 0), total_days)
    expected = figure * Decimal(elapsed) / Decimal(total_days)
    ratio = value / figure if figure else Decimal(1)
    if value >= figure:
        status = "achieved"
    elif value >= expected:
        status = "on_track"
    else:
        status = "behind"
    return Attainment(
        achieved=achieved, denominator=denominator, ratio=ratio, expected=expected, status=status
    )
