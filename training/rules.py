"""Training-hour policy as pure functions (POLICY.md §2): cycles, credit conversion and caps,
and the assessment of one teacher's ledger. No ORM, no settings: a rule set arrives as a
``Rule`` and figures as plain numbers, so tests drive every function from tables.

All amounts are in the rule set's unit (学时 or 学分) as ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from portal.rules import add_years, fmt_decimal

ZERO = Decimal(0)
ONE_PLACE = Decimal("0.1")
VALUE_PLACES = Decimal("0.000001")  # what one record counts, in credits


def first_year_end(appointed: date) -> date:
    """The last day of a principal's first year: the first anniversary of the appointment
    (29 February → 28 February), inclusive (POLICY §8)."""
    return add_years(appointed, 1)


RECORD_HOURS = (Decimal("0.1"), Decimal(500))  # one record, on every door


COURSE_GRACE = timedelta(days=31)  # a certificate dated up to a month after the course ends


def record_problems(
    *, hours: Decimal, completed_on: date, course=None, missed: Decimal = ZERO
) -> list[tuple[str, str]]:
    """What is wrong with a record's figures, as (field, message): hours between 0.1 and 500
    on every door; for a course, no more hours than the course has and a date within the
    course (its level, category and mode are the course's, never typed)."""
    problems = []
    low, high = RECORD_HOURS
    if course is not None and course.ends_on and completed_on > course.ends_on + COURSE_GRACE:
        problems.append(
            (
                "completed_on",
                _(
                    "The course “%(course)s” ended on %(end)s; a completion date more than "
                    "%(days)d days later is not its."
                )
                % {
                    "course": course.title,
                    "end": course.ends_on.isoformat(),
                    "days": COURSE_GRACE.days,
                },
            )
        )
    if (
        course is not None
        and course.hours
        and Decimal(hours) <= course.hours < Decimal(missed) + Decimal(hours)
    ):
        problems.append(
            (
                "missed",
                _("Hours attended and missed add up to more than the course's %(hours)s.")
                % {"hours": fmt(Decimal(course.hours))},
            )
        )
    if not low <= Decimal(hours) <= high:
        problems.append(
            (
                "hours",
                _("Hours must be a number between %(low)s and %(high)s.")
                % {"low": low, "high": high},
            )
        )
    if course is not None:
        if course.hours and Decimal(hours) > course.hours:
            problems.append(
                (
                    "hours",
                    _("The course “%(course)s” has %(hours)s hours; no more can be credited.")
                    % {"course": course.title, "hours": fmt(Decimal(course.hours))},
                )
            )
        if course.starts_on and completed_on < course.starts_on:
            problems.append(
                (
                    "completed_on",
                    _("The course “%(course)s” starts on %(start)s; it cannot be completed before.")
                    % {"course": course.title, "start": course.starts_on.isoformat()},
                )
            )
    return problems


def provider_problem(
    *, provider: str, qualified: bool, qualified_until: date | None, on: date
) -> str | None:
    """Training providers need a qualification (资质认定, N §2.4): a course counts only when
    its provider was qualified on the day the training was completed (the last day of the
    qualification included)."""
    if qualified and (qualified_until is None or on <= qualified_until):
        return None
    if qualified:
        return _(
            "%(provider)s was qualified to provide training only until %(until)s; training "
            "completed on %(on)s is not credited."
        ) % {"provider": provider, "until": qualified_until.isoformat(), "on": on.isoformat()}
    return _(
        "%(provider)s is not a qualified training provider (资质认定); its courses are not "
        "credited."
    ) % {"provider": provider}


@dataclass(frozen=True)
class Rule:
    unit: str  # "hours" (学时) or "credits" (学分)
    cycle_years: int
    cycle_start_year: int
    required_per_cycle: Decimal
    ethics_per_year: Decimal
    min_county_or_above: Decimal = ZERO
    # Credits only: hours of training that make one credit, by mode (集中 6, 网络 8 …).
    hours_per_credit: Mapping[str, Decimal] = field(default_factory=dict)
    item_cap: Decimal | None = None  # the most one record can count for
    category_caps: Mapping[str, Decimal] = field(default_factory=dict)  # per cycle
    usual_per_year: Decimal | None = None  # the pace a teacher can usually keep
    principal_first_year: Decimal = ZERO  # qualification training in the first year
    principal_per_cycle: Decimal | None = None  # serving principals, instead of the above
    # Every year, of all training (Zhejiang's "每年不少于 24 学分"), beside the ethics minimum.
    min_per_year: Decimal = ZERO
    # Caps per category per calendar year (degree study "capped per year"), applied before
    # the per-cycle caps of ``category_caps``.
    year_category_caps: Mapping[str, Decimal] = field(default_factory=dict)
    # A record that missed at least this share of its course's hours counts nothing (1/5).
    missed_share_voids: Decimal | None = None
    # Whether a year the teacher entered (or left) service part-way counts for the yearly
    # minimums (N §2.1 在职教师每年; POLICY §8: by default it does not).
    entry_year_counts: bool = False
    leaving_year_counts: bool = False
    # 师德教育周 (N §2.2): days of concentrated ethics training in the week before the autumn
    # term (0: not required), and the day the autumn term starts.
    ethics_week_days: int = 0
    autumn_term_starts: tuple[int, int] = (9, 1)  # (month, day)

    @property
    def unit_label(self) -> str:
        return _("hours") if self.unit == "hours" else _("credits")

    def usual_pace(self) -> Decimal:
        return self.usual_per_year or (self.required_per_cycle / self.cycle_years) * Decimal("1.5")


@dataclass(frozen=True)
class Cycle:
    start: date
    end: date  # inclusive

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def label(self) -> str:
        return f"{self.start.year}–{self.end.year}"


def cycle_of(rule: Rule, on: date) -> Cycle:
    """The cycle containing ``on``: cycles of ``cycle_years`` calendar years counted from
    ``cycle_start_year`` (2021 → 2021–2025, 2026–2030 …, and backwards likewise)."""
    offset = (on.year - rule.cycle_start_year) // rule.cycle_years
    first = rule.cycle_start_year + offset * rule.cycle_years
    return Cycle(date(first, 1, 1), date(first + rule.cycle_years - 1, 12, 31))


def voided(hours: Decimal, missed: Decimal, rule: Rule) -> bool:
    """A record of ``hours`` attended that missed ``missed`` hours of its course counts
    nothing when the missed share reaches the rule's (POLICY §7: missing ≥ 1/5 of a course's
    hours earns no credit). Exactly at the share is void."""
    share = rule.missed_share_voids
    if share is None or not missed or missed <= 0:
        return False
    return Decimal(missed) >= share * (abs(Decimal(hours)) + Decimal(missed))


def record_value(hours: Decimal, mode: str, rule: Rule, missed: Decimal = ZERO) -> Decimal:
    """What one record counts for in the rule's unit: nothing when too much of the course was
    missed; otherwise hours as they are, or credits by the mode's conversion; then the
    per-item cap. A reversal (negative hours) takes back exactly what its original counted."""
    if voided(hours, missed, rule):
        return ZERO
    sign = -1 if hours < 0 else 1
    amount = abs(Decimal(hours))
    if rule.unit == "credits":
        per_credit = rule.hours_per_credit.get(mode) or rule.hours_per_credit.get("default")
        if not per_credit:
            raise ValueError(f"no credit conversion for mode {mode!r}")
        amount = amount / Decimal(per_credit)
        # Six places, rounded half away from zero: sums are then exact, in Python and in
        # the SQL of ``training/sql.py`` alike.
        amount = amount.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)
    if rule.item_cap is not None:
        amount = min(amount, rule.item_cap)
    return sign * amount


@dataclass
class Totals:
    """A teacher's approved training in one cycle, in the rule's unit."""

    by_category: dict[str, Decimal] = field(default_factory=dict)
    county_or_above: Decimal = ZERO
    by_year: dict[int, Decimal] = field(default_factory=dict)
    ethics_by_year: dict[int, Decimal] = field(default_factory=dict)
    principal_first_year: Decimal = ZERO
    # Only the categories the rule caps per year, by (category, year).
    by_category_year: dict[tuple[str, int], Decimal] = field(default_factory=dict)


def capped_total(
    by_category: Mapping[str, Decimal],
    caps: Mapping[str, Decimal],
    year_caps: Mapping[str, Decimal] | None = None,
    by_category_year: Mapping[tuple[str, int], Decimal] | None = None,
) -> Decimal:
    """The cycle's total: a category capped per year counts each year up to that cap, then
    each category capped per cycle up to its cap."""
    amounts = dict(by_category)
    for category, cap in (year_caps or {}).items():
        amounts[category] = sum(
            (min(v, cap) for (c, _y), v in (by_category_year or {}).items() if c == category),
            ZERO,
        )
    return sum(
        (min(amount, caps[c]) if c in caps else amount for c, amount in amounts.items()),
        ZERO,
    )


def cycle_credited(totals: Totals, rule: Rule) -> Decimal:
    """What counts toward the cycle's requirement, after every cap."""
    return capped_total(
        totals.by_category, rule.category_caps, rule.year_category_caps, totals.by_category_year
    )


def year_credited(totals: Totals, rule: Rule, year: int) -> Decimal:
    """What counts in one calendar year toward the yearly minimum: the year's training with
    the per-year caps applied."""
    amount = totals.by_year.get(year, ZERO)
    for category, cap in rule.year_category_caps.items():
        spent = totals.by_category_year.get((category, year), ZERO)
        amount += min(spent, cap) - spent
    return amount


def first_due_year(began: date | None, rule: Rule) -> int | None:
    """The first calendar year whose yearly minimums apply to a teacher who entered service
    on ``began``: the entry year itself when served whole (from 1 January) or when the rule
    set counts it, else the next (POLICY §8)."""
    if began is None:
        return None
    if rule.entry_year_counts or (began.month, began.day) == (1, 1):
        return began.year
    return began.year + 1


def last_due_year(left: date | None, rule: Rule) -> int | None:
    """The last calendar year whose yearly minimums apply to a teacher who left on ``left``."""
    if left is None:
        return None
    if rule.leaving_year_counts or (left.month, left.day) == (12, 31):
        return left.year
    return left.year - 1


def due_years(
    rule: Rule, cycle: Cycle, as_of: date, began: date | None = None, left: date | None = None
) -> list[int]:
    """The years of the cycle, up to ``as_of``'s, in which the teacher was in service and
    so owes the yearly minimums; a year before entering is never missing."""
    first, last = first_due_year(began, rule), last_due_year(left, rule)
    return [
        y
        for y in cycle.years
        if y <= as_of.year and (first is None or y >= first) and (last is None or y <= last)
    ]


@dataclass
class Assessment:
    status: str  # complete / on_track / behind / at_risk
    required: Decimal
    credited: Decimal  # after caps
    remaining: Decimal
    expected: Decimal  # on the straight line from the cycle's start to its end, today
    county_or_above: Decimal
    ethics_this_year: Decimal
    ethics_required: Decimal
    ethics_short_years: list[int]
    principal_first_year_short: Decimal
    explanations: list[str]
    cycle: Cycle
    this_year_credited: Decimal = ZERO  # toward the yearly minimum of all training
    this_year_required: Decimal = ZERO
    year_short_years: list[int] = field(default_factory=list)  # years under the yearly minimum

    @property
    def share(self) -> float:
        return float(min(self.credited / self.required, 1)) if self.required else 1.0

    @property
    def ethics_share(self) -> float:
        if not self.ethics_required:
            return 1.0
        return float(min(self.ethics_this_year / self.ethics_required, 1))


def _fmt(amount: Decimal) -> str:
    return fmt_decimal(amount)  # the kernel's one formatter


fmt = _fmt  # figures in messages outside this module


def assess(
    totals: Totals,
    rule: Rule,
    *,
    as_of: date,
    is_principal: bool = False,
    principal_since: date | None = None,
    began: date | None = None,  # entered service (the yearly minimums start after it)
    left: date | None = None,  # left service (they stop with it)
    explain: bool = True,  # False where only the status is wanted: no sentence is built
) -> Assessment:
    """Where a teacher stands in the cycle containing ``as_of``, with every shortfall
    explained in a sentence.

    - complete: the cycle's requirement, the county-or-above minimum, every yearly minimum
      (ethics, and all training where the rule set asks it) of the years in service so far,
      and a new principal's first-year training are met;
    - on track: at or above the straight line from the cycle's start to its end;
    - behind: below that line, but the rest can be done at the usual pace;
    - at risk: the rest cannot be done by the cycle's end at the usual pace, or a past
      year's minimum or a principal's finished first year fell short (it cannot be made up).
    """
    cycle = cycle_of(rule, as_of)
    unit = rule.unit_label if explain else ""
    required = rule.required_per_cycle
    if is_principal and rule.principal_per_cycle is not None:
        required = rule.principal_per_cycle
    credited = cycle_credited(totals, rule)
    remaining = max(required - credited, ZERO)
    span = (cycle.end - cycle.start).days + 1
    elapsed = min(max((as_of - cycle.start).days + 1, 0), span)
    fraction = Decimal(elapsed) / Decimal(span)
    expected = required * fraction
    years_left = Decimal((cycle.end - as_of).days) / Decimal("365.25")
    explanations: list[str] = []

    if remaining > 0:
        explain and explanations.append(
            _(
                "Cycle %(cycle)s: %(done)s of %(required)s %(unit)s, %(left)s still needed by "
                "%(end)s."
            )
            % {
                "cycle": cycle.label(),
                "done": _fmt(credited),
                "required": _fmt(required),
                "unit": unit,
                # What the page shows adds up: the rounded figure done + what is left.
                "left": _fmt(required - credited.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)),
                "end": cycle.end.isoformat(),
            }
        )
    for category, cap in rule.category_caps.items():
        amount = totals.by_category.get(category, ZERO)
        if amount > cap:
            explain and explanations.append(
                _(
                    "Only %(cap)s %(unit)s of “%(category)s” count in a cycle; %(over)s %(unit)s "
                    "above that are not counted."
                )
                % {
                    "cap": _fmt(cap),
                    "unit": unit,
                    "category": _category_label(category),
                    "over": _fmt(amount - cap),
                }
            )
    county_short = max(rule.min_county_or_above - totals.county_or_above, ZERO)
    if county_short > 0:
        explain and explanations.append(
            _(
                "At least %(minimum)s %(unit)s must be at county level or above; %(done)s so far, "
                "%(left)s still needed."
            )
            % {
                "minimum": _fmt(rule.min_county_or_above),
                "unit": unit,
                "done": _fmt(totals.county_or_above),
                "left": _fmt(county_short),
            }
        )

    ethics_short_years = []
    years_due = due_years(rule, cycle, as_of, began, left)
    for year in years_due:
        done = totals.ethics_by_year.get(year, ZERO)
        if done < rule.ethics_per_year:
            ethics_short_years.append(year)
            explain and explanations.append(
                _(
                    "%(year)s ethics and political study: %(done)s/%(required)s %(unit)s, "
                    "%(left)s still needed."
                )
                % {
                    "year": year,
                    "done": _fmt(done),
                    "required": _fmt(rule.ethics_per_year),
                    "unit": unit,
                    "left": _fmt(rule.ethics_per_year - done),
                }
            )

    year_short_years = []
    if rule.min_per_year:
        for year in years_due:
            done = year_credited(totals, rule, year)
            if done < rule.min_per_year:
                year_short_years.append(year)
                explain and explanations.append(
                    _(
                        "%(year)s: %(done)s/%(required)s %(unit)s of training, %(left)s still "
                        "needed (every year counts on its own)."
                    )
                    % {
                        "year": year,
                        "done": _fmt(done),
                        "required": _fmt(rule.min_per_year),
                        "unit": unit,
                        "left": _fmt(rule.min_per_year - done),
                    }
                )

    principal_short = ZERO
    first_year_over = first_year_behind = False
    if principal_since is not None and rule.principal_first_year:
        deadline = first_year_end(principal_since)
        first_year_over = as_of > deadline
        principal_short = max(rule.principal_first_year - totals.principal_first_year, ZERO)
        if principal_short > 0 and not first_year_over:
            # Within the first year: judged against its own straight line too.
            year_span = (deadline - principal_since).days + 1
            year_elapsed = min(max((as_of - principal_since).days + 1, 0), year_span)
            line = rule.principal_first_year * (Decimal(year_elapsed) / Decimal(year_span))
            first_year_behind = totals.principal_first_year + Decimal("0.05") < line
        if principal_short > 0:
            explain and explanations.append(
                _(
                    "Principal qualification training: %(done)s of %(required)s %(unit)s in the "
                    "first year after appointment (by %(deadline)s), %(left)s still needed."
                )
                % {
                    "done": _fmt(totals.principal_first_year),
                    "required": _fmt(rule.principal_first_year),
                    "unit": unit,
                    "deadline": deadline.isoformat(),
                    "left": _fmt(principal_short),
                }
            )

    past_short = [y for y in ethics_short_years + year_short_years if y < as_of.year]
    to_do = max(remaining, county_short)
    if to_do == 0 and not ethics_short_years and not year_short_years and principal_short == 0:
        status = "complete"
    elif (
        to_do > rule.usual_pace() * years_left
        or past_short
        or (principal_short > 0 and first_year_over)
    ):
        # Too much left for the time left, or a past year's minimum or a principal's first
        # year, which can no longer be made up.
        status = "at_risk"
    elif (
        credited + Decimal("0.05") >= expected
        and totals.county_or_above + Decimal("0.05") >= rule.min_county_or_above * fraction
        and not first_year_behind
    ):
        status = "on_track"
    else:
        status = "behind"
    return Assessment(
        status=status,
        required=required,
        credited=credited,
        remaining=remaining,
        expected=expected,
        county_or_above=totals.county_or_above,
        ethics_this_year=totals.ethics_by_year.get(as_of.year, ZERO),
        ethics_required=rule.ethics_per_year,
        ethics_short_years=ethics_short_years,
        principal_first_year_short=principal_short,
        explanations=explanations,
        cycle=cycle,
        this_year_credited=year_credited(totals, rule, as_of.year),
        this_year_required=rule.min_per_year,
        year_short_years=year_short_years,
    )


# --- The floor set by the regions above (F8) ------------------------------------------------

# What a region may not set below the rule set in force above it.
FLOORED = (
    "required_per_cycle",
    "ethics_per_year",
    "min_county_or_above",
    "principal_first_year",
    "principal_per_cycle",
    "min_per_year",
)
ONE = Decimal(1)


@dataclass(frozen=True)
class Shortfall:
    field: str
    figure: Decimal  # this rule's, in its unit
    parent_figure: Decimal  # the rule above's, in its unit
    floor: Decimal  # the least this rule may set, in its own unit (rounded up to 0.1)


def hours_per_unit(rule: Rule, modes) -> dict[str, Decimal]:
    """Hours of training one unit of the rule stands for, per mode: 1 for hours, the
    conversion for credits (a mode without one is left out)."""
    if rule.unit != "credits":
        return dict.fromkeys(modes, ONE)
    result = {}
    for mode in modes:
        per = rule.hours_per_credit.get(mode) or rule.hours_per_credit.get("default")
        if per:
            result[mode] = Decimal(per)
    return result


def _floored_figure(rule: Rule, field: str) -> Decimal:
    if field == "principal_per_cycle" and rule.principal_per_cycle is None:
        return rule.required_per_cycle  # serving principals then follow the cycle's figure
    return getattr(rule, field)


def floor_shortfalls(rule: Rule, parent: Rule, *, modes) -> list[Shortfall]:
    """Where ``rule`` asks less than ``parent``, the rule in force for the region above.

    A figure is compared as training: ``rule`` may not be met by any mix of modes with less
    training than ``parent`` asks. In one unit with one conversion that is the figure itself
    (exactly equal is allowed). Across units or conversions it is mode by mode: ``figure ×
    hours per unit (here) ≥ parent figure × hours per unit (above)`` for every mode, so 360
    hours above need 60 credits of 6 hours here, and 360 credits of up to 20 hours above
    need 7,200 hours here. Caps are not compared: they are each region's own policy.
    """
    mine, theirs = hours_per_unit(rule, modes), hours_per_unit(parent, modes)
    pairs = [(mine[m], theirs[m]) for m in modes if m in mine and m in theirs] or [(ONE, ONE)]
    shortfalls = []
    for name in FLOORED:
        figure, parent_figure = _floored_figure(rule, name), _floored_figure(parent, name)
        if all(figure * here >= parent_figure * above for here, above in pairs):
            continue
        floor = max(parent_figure * above / here for here, above in pairs)
        floor = floor.quantize(ONE_PLACE, rounding=ROUND_CEILING)
        shortfalls.append(Shortfall(name, figure, parent_figure, floor))
    return shortfalls


def setting_shortfalls(rule: Rule, parent: Rule) -> list[str]:
    """The settings (not amounts) by which ``rule`` is more lenient than ``parent``, the rule
    set in force above: the field names of a longer cycle, a faster "usual pace" (fewer
    teachers at risk), fewer ethics-week days, a missed share that voids less (or none), an
    entry or leaving year that does not count where it does above."""
    fields = []
    if rule.cycle_years > parent.cycle_years:
        fields.append("cycle_years")
    elif (rule.cycle_start_year - parent.cycle_start_year) % rule.cycle_years:
        # Cycles that do not line up with those above restart the count elsewhere.
        fields.append("cycle_start_year")
    # The usual pace as a share of the cycle's requirement (unit-free): a faster one leaves
    # fewer teachers "at risk".
    if rule.usual_pace() * parent.required_per_cycle > (
        parent.usual_pace() * rule.required_per_cycle
    ):
        fields.append("usual_per_year")
    if rule.ethics_week_days < parent.ethics_week_days:
        fields.append("ethics_week_days")
    if parent.missed_share_voids is not None and (
        rule.missed_share_voids is None or rule.missed_share_voids > parent.missed_share_voids
    ):
        fields.append("missed_share_voids")
    if parent.entry_year_counts and not rule.entry_year_counts:
        fields.append("entry_year_counts")
    if parent.leaving_year_counts and not rule.leaving_year_counts:
        fields.append("leaving_year_counts")
    return fields


def _category_label(code: str) -> str:
    from .choices import Category

    try:
        return str(Category(code).label)
    except ValueError:
        return code


# --- 师德教育周: the ethics week before the autumn term (N §2.2) ----------------------------


@dataclass(frozen=True)
class EthicsWeek:
    year: int
    start: date  # the seven days before the autumn term starts
    end: date
    required: int  # days
    attended: int  # days

    @property
    def met(self) -> bool:
        return self.attended >= self.required


def ethics_week_span(year: int, rule: Rule) -> tuple[date, date]:
    month, day = rule.autumn_term_starts
    term = date(year, month, day)
    return term - timedelta(days=7), term - timedelta(days=1)


def ethics_week(
    rule: Rule,
    spans: Iterable[tuple[date, date]],
    *,
    as_of: date,
    began: date | None = None,
    left: date | None = None,
) -> EthicsWeek | None:
    """The latest ethics week that has begun by ``as_of`` and the days of it the teacher
    spent in concentrated (face-to-face) ethics training, from the ``spans`` (first and last
    day) of those records. None when the rule set asks no ethics week, or the teacher was
    not in service when that week began (entered after it, or had left)."""
    if not rule.ethics_week_days:
        return None
    year = as_of.year
    start, end = ethics_week_span(year, rule)
    if as_of < start:
        year -= 1
        start, end = ethics_week_span(year, rule)
    if (began is not None and began > start) or (left is not None and left < start):
        return None
    days: set[date] = set()
    for first, last in spans:
        day = max(first, start)
        while day <= min(last, end):
            days.add(day)
            day += timedelta(days=1)
    return EthicsWeek(year, start, end, rule.ethics_week_days, len(days))


class Item(NamedTuple):
    """One approved record as the rules read it."""

    hours: Decimal
    mode: str
    category: str
    level: str
    completed_on: date
    missed: Decimal = ZERO  # hours of the course missed


def totals_from_items(
    items: Iterable[tuple],
    rule: Rule,
    cycle: Cycle,
    principal_since: date | None = None,
) -> Totals:
    """Totals from ``Item``s (hours, mode, category, level, completed_on[, missed]) of
    approved records. This is the definition: the teacher's page and the per-teacher
    recompute use it; ``training/sql.py`` builds the same figures in SQL and a test on
    PostgreSQL holds the two equal."""
    from .choices import COUNTY_OR_ABOVE, Category

    totals = Totals()
    window_end = first_year_end(principal_since) if principal_since else None
    for raw in items:
        hours, mode, category, level, completed, missed = Item(*raw)
        value = record_value(hours, mode, rule, missed)
        if (
            principal_since
            and category == Category.PRINCIPAL
            and (principal_since <= completed <= window_end)
        ):
            totals.principal_first_year += value
        if not (cycle.start <= completed <= cycle.end):
            continue
        totals.by_category[category] = totals.by_category.get(category, ZERO) + value
        totals.by_year[completed.year] = totals.by_year.get(completed.year, ZERO) + value
        if category in rule.year_category_caps:
            key = (category, completed.year)
            totals.by_category_year[key] = totals.by_category_year.get(key, ZERO) + value
        if level in COUNTY_OR_ABOVE:
            totals.county_or_above += value
        if category == Category.ETHICS:
            totals.ethics_by_year[completed.year] = (
                totals.ethics_by_year.get(completed.year, ZERO) + value
            )
    return totals
