"""Training-hour policy as pure functions (POLICY.md §2): cycles, credit conversion and caps,
and the assessment of one teacher's ledger. No ORM, no settings: a rule set arrives as a
``Rule`` and figures as plain numbers, so tests drive every function from tables.

All amounts are in the rule set's unit (学时 or 学分) as ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from portal.rules import add_years

ZERO = Decimal(0)
ONE_PLACE = Decimal("0.1")


def first_year_end(appointed: date) -> date:
    """The last day of a principal's first year: the first anniversary of the appointment
    (29 February → 28 February), inclusive (POLICY §8)."""
    return add_years(appointed, 1)


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


def record_value(hours: Decimal, mode: str, rule: Rule) -> Decimal:
    """What one record counts for in the rule's unit: hours as they are, or credits by the
    mode's conversion; then the per-item cap. A reversal (negative hours) takes back exactly
    what its original counted."""
    sign = -1 if hours < 0 else 1
    amount = abs(Decimal(hours))
    if rule.unit == "credits":
        per_credit = rule.hours_per_credit.get(mode) or rule.hours_per_credit.get("default")
        if not per_credit:
            raise ValueError(f"no credit conversion for mode {mode!r}")
        amount = amount / Decimal(per_credit)
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


def capped_total(by_category: Mapping[str, Decimal], caps: Mapping[str, Decimal]) -> Decimal:
    """The cycle's total with each capped category counted up to its cap."""
    return sum(
        (min(amount, caps[c]) if c in caps else amount for c, amount in by_category.items()),
        ZERO,
    )


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

    @property
    def share(self) -> float:
        return float(min(self.credited / self.required, 1)) if self.required else 1.0

    @property
    def ethics_share(self) -> float:
        if not self.ethics_required:
            return 1.0
        return float(min(self.ethics_this_year / self.ethics_required, 1))


def _fmt(amount: Decimal) -> str:
    value = amount.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


fmt = _fmt  # figures in messages outside this module


def assess(
    totals: Totals,
    rule: Rule,
    *,
    as_of: date,
    is_principal: bool = False,
    principal_since: date | None = None,
    explain: bool = True,  # False where only the status is wanted: no sentence is built
) -> Assessment:
    """Where a teacher stands in the cycle containing ``as_of``, with every shortfall
    explained in a sentence.

    - complete: the cycle's requirement, the county-or-above minimum and every ethics year
      so far are met;
    - on track: at or above the straight line from the cycle's start to its end;
    - behind: below that line, but the rest can be done at the usual pace;
    - at risk: the rest cannot be done by the cycle's end at the usual pace.
    """
    cycle = cycle_of(rule, as_of)
    unit = rule.unit_label if explain else ""
    required = rule.required_per_cycle
    if is_principal and rule.principal_per_cycle is not None:
        required = rule.principal_per_cycle
    credited = capped_total(totals.by_category, rule.category_caps)
    remaining = max(required - credited, ZERO)
    span = (cycle.end - cycle.start).days + 1
    elapsed = min(max((as_of - cycle.start).days + 1, 0), span)
    expected = required * Decimal(elapsed) / Decimal(span)
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
                "left": _fmt(remaining),
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
    for year in cycle.years:
        if year > as_of.year:
            break
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

    principal_short = ZERO
    if principal_since is not None and rule.principal_first_year:
        deadline = first_year_end(principal_since)
        principal_short = max(rule.principal_first_year - totals.principal_first_year, ZERO)
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

    past_ethics_short = [y for y in ethics_short_years if y < as_of.year]
    to_do = max(remaining, county_short)
    fraction = Decimal(elapsed) / Decimal(span)
    if to_do == 0 and not ethics_short_years and principal_short == 0:
        status = "complete"
    elif to_do > rule.usual_pace() * years_left or past_ethics_short:
        # Too much left for the time left, or a past year's ethics hours, which can no longer
        # be made up.
        status = "at_risk"
    elif (
        credited + Decimal("0.05") >= expected
        and totals.county_or_above + Decimal("0.05") >= rule.min_county_or_above * fraction
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
    )


# --- The floor set by the regions above (F8) ------------------------------------------------

# What a region may not set below the rule set in force above it.
FLOORED = (
    "required_per_cycle",
    "ethics_per_year",
    "min_county_or_above",
    "principal_first_year",
    "principal_per_cycle",
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


def _category_label(code: str) -> str:
    from .choices import Category

    try:
        return str(Category(code).label)
    except ValueError:
        return code


def totals_from_items(
    items: Iterable[tuple[Decimal, str, str, str, date]],
    rule: Rule,
    cycle: Cycle,
    principal_since: date | None = None,
) -> Totals:
    """Totals from (hours, mode, category, level, completed_on) of approved records; the
    per-teacher page uses it, the set-based recompute builds the same figures in SQL."""
    from .choices import COUNTY_OR_ABOVE, Category

    totals = Totals()
    window_end = first_year_end(principal_since) if principal_since else None
    for hours, mode, category, level, completed in items:
        value = record_value(hours, mode, rule)
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
        if level in COUNTY_OR_ABOVE:
            totals.county_or_above += value
        if category == Category.ETHICS:
            totals.ethics_by_year[completed.year] = (
                totals.ethics_by_year.get(completed.year, ZERO) + value
            )
    return totals
