"""Pay parity (POLICY.md §4) as pure functions: the checks a county's figures pass or fail,
derived every time from the reported figures and never stored by hand, and how a county's
result rolls up to its city and province. No ORM.

- Teachers ≥ civil servants: the average pay of compulsory-education teachers is not lower
  than that of local civil servants (N §2.11, X, Z, B §4.11); the gap in yuan and per cent.
- Kindergarten teachers outside the staffing system: average income not lower than last
  year's local average wage of on-the-job employees (B §4.11).
- In step (Z "三同步", B): every civil-servant pay adjustment is matched by a teacher
  adjustment in the same period (within the rule's window of days) and by at least the same
  amount.

The thresholds (the minimum ratios, the window) are data: a ``ParityRule`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

MET, NOT_MET, INCOMPLETE = "met", "not_met", "incomplete"


@dataclass(frozen=True)
class Thresholds:
    teacher_ratio: Decimal = Decimal(1)  # teachers' pay ≥ this × civil servants'
    kindergarten_ratio: Decimal = Decimal(1)  # non-staff kindergarten income ≥ this × wage
    step_window_days: int = 31  # "same period": teacher adjustment within this many days


@dataclass(frozen=True)
class Adjustment:
    on: date
    amount: Decimal  # yuan per person per month


@dataclass
class Check:
    status: str  # met / not_met / incomplete
    gap: Decimal | None = None  # yuan (teachers − civil servants, income − wage)
    gap_pct: Decimal | None = None  # of the reference figure
    notes: list[str] = field(default_factory=list)


def _pct(gap: Decimal, base: Decimal) -> Decimal:
    return (gap * 100 / base).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _compare(value, reference, ratio: Decimal, missing: str) -> Check:
    if value is None or reference is None or not reference:
        return Check(INCOMPLETE, notes=[missing])
    gap = value - reference
    return Check(
        MET if value >= reference * ratio else NOT_MET, gap=gap, gap_pct=_pct(gap, reference)
    )


def teacher_parity(teacher_pay, civil_servant_pay, rule: Thresholds = Thresholds()) -> Check:
    return _compare(
        teacher_pay,
        civil_servant_pay,
        rule.teacher_ratio,
        _("The average pay of teachers or of civil servants is not reported."),
    )


def kindergarten_parity(income, last_year_wage, rule: Thresholds = Thresholds()) -> Check:
    return _compare(
        income,
        last_year_wage,
        rule.kindergarten_ratio,
        _(
            "The income of non-staff kindergarten teachers or last year's average wage is not "
            "reported."
        ),
    )


def in_step(
    civil_servants: list[Adjustment], teachers: list[Adjustment], rule: Thresholds = Thresholds()
) -> Check:
    """Each civil-servant adjustment, in date order, takes the nearest unmatched teacher
    adjustment within the window whose amount is at least its own. Unmatched ones are
    named in the notes. No civil-servant adjustment: nothing to keep in step with (met)."""
    free = sorted(teachers, key=lambda a: a.on)
    notes = []
    for adjustment in sorted(civil_servants, key=lambda a: a.on):
        within = [t for t in free if abs((t.on - adjustment.on).days) <= rule.step_window_days]
        enough = [t for t in within if t.amount >= adjustment.amount]
        if enough:
            free.remove(min(enough, key=lambda t: abs((t.on - adjustment.on).days)))
            continue
        if within:
            best = max(within, key=lambda t: t.amount)
            notes.append(
                _("Civil servants +%(cs)s yuan on %(on)s; teachers only +%(t)s yuan (%(t_on)s).")
                % {
                    "cs": _money(adjustment.amount),
                    "on": adjustment.on.isoformat(),
                    "t": _money(best.amount),
                    "t_on": best.on.isoformat(),
                }
            )
        else:
            notes.append(
                _(
                    "Civil servants +%(cs)s yuan on %(on)s; no teacher adjustment within "
                    "%(days)d days."
                )
                % {
                    "cs": _money(adjustment.amount),
                    "on": adjustment.on.isoformat(),
                    "days": rule.step_window_days,
                }
            )
    return Check(NOT_MET if notes else MET, notes=notes)


def _money(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"


def overall(checks: list[Check]) -> str:
    """A county meets parity when every check is met; one failing check fails it; missing
    figures without a failure leave it incomplete."""
    statuses = {c.status for c in checks}
    if NOT_MET in statuses:
        return NOT_MET
    if INCOMPLETE in statuses:
        return INCOMPLETE
    return MET


@dataclass
class Rollup:
    status: str
    counties: int
    met: int
    not_met: int
    incomplete: int


def rollup(statuses: list[str]) -> Rollup:
    """A city's or province's result from its counties': met only when every county is."""
    met = statuses.count(MET)
    failing = statuses.count(NOT_MET)
    missing = statuses.count(INCOMPLETE)
    if not statuses:
        status = INCOMPLETE
    elif failing:
        status = NOT_MET
    elif missing:
        status = INCOMPLETE
    else:
        status = MET
    return Rollup(status, len(statuses), met, failing, missing)


FIRST_REPORT_YEAR = 2000


def report_year_problem(year: int | None, this_year: int) -> str | None:
    """A county's figures are reported for a year from 2000 up to this one; the import, the
    form, the API and the checks refuse any other in the same words."""
    if year is not None and FIRST_REPORT_YEAR <= year <= this_year:
        return None
    return _("The year must be between %(first)d and %(year)d.") % {
        "first": FIRST_REPORT_YEAR,
        "year": this_year,
    }
