"""Honours earned by years of service (POLICY.md §3), as pure functions: which years count,
whether a teacher qualifies on a date, and how close they are. No ORM.

Every rule is data (an ``HonourRule``): the kind of years counted, the threshold (with a
separate one for senior high where the honour says so), whether the teacher must still be
serving, and the ethics veto, which removes any candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from portal import rules as kernel

HEAD_TEACHER = "head_teacher"  # years as head teacher (班主任)
RURAL = "rural"  # years at rural schools, summed across interruptions
TEACHING = "teaching"  # years of teaching at any school
RETIREMENT = "retirement"  # retired with a clean record (荣誉退休)


@dataclass(frozen=True)
class HonourRule:
    basis: str  # HEAD_TEACHER, RURAL, TEACHING or RETIREMENT
    years: int = 0  # the threshold
    years_senior_high: int | None = None  # a different threshold for senior high (终身班主任)
    must_be_serving: bool = False
    retirees_count_to_retirement: bool = True


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None
    role: str  # teacher / head_teacher / principal
    stage: str
    rural: bool


@dataclass
class Verdict:
    qualifies: bool
    years: int  # completed years counted
    needed: int  # the threshold that applies
    reason: str  # the veto, or what is missing, in words; empty when qualifying
    evidence: list[Period]


def counted_periods(periods: list[Period], rule: HonourRule) -> list[Period]:
    if rule.basis == HEAD_TEACHER:
        return [p for p in periods if p.role == "head_teacher"]
    if rule.basis == RURAL:
        return [p for p in periods if p.rural]
    return list(periods)


def _threshold(periods: list[Period], rule: HonourRule, on: date) -> int:
    """终身班主任: 25 years in senior high, 30 in other stages. When a teacher's head-teacher
    years span stages, the senior-high threshold applies if most of them were in senior
    high (the rule's choice, documented in docs/honours.md)."""
    if rule.years_senior_high is None:
        return rule.years
    senior = [kernel.Interval(p.start, p.end) for p in periods if p.stage == "senior"]
    other = [kernel.Interval(p.start, p.end) for p in periods if p.stage != "senior"]
    if kernel.service_days(senior, as_of=on) > kernel.service_days(other, as_of=on):
        return rule.years_senior_high
    return rule.years


def closeness(basis: str, years: int, left: int) -> str:
    """What a teacher reads about an honour they are close to: 乡村从教 27 年，还差 3 年."""
    words = {
        HEAD_TEACHER: _("Head teacher for %(years)d years; %(left)d to go"),
        RURAL: _("Teaching at rural schools for %(years)d years; %(left)d to go"),
        TEACHING: _("Teaching for %(years)d years; %(left)d to go"),
    }
    return words[basis] % {"years": years, "left": left}


def veto_message(sanction: str) -> str:
    return _(
        "An ethics sanction is in force (%(sanction)s): the ethics veto excludes the teacher."
    ) % {"sanction": sanction}


def assess(
    *,
    periods: list[Period],
    rule: HonourRule,
    on: date,
    serving: bool,
    retired_on: date | None,
    veto: str | None,
) -> Verdict:
    counted = counted_periods(periods, rule)
    as_of = on
    if not serving and retired_on is not None and rule.retirees_count_to_retirement:
        as_of = min(on, retired_on)
    years = kernel.completed_years([kernel.Interval(p.start, p.end) for p in counted], as_of=as_of)
    needed = _threshold(counted, rule, as_of)
    if veto:
        return Verdict(False, years, needed, veto_message(veto), counted)
    if rule.basis == RETIREMENT:
        ok = not serving and retired_on is not None and retired_on <= on
        return Verdict(ok, years, needed, "" if ok else _("Not retired."), counted)
    if rule.must_be_serving and not serving:
        return Verdict(
            False, years, needed, _("The honour is for teachers still serving."), counted
        )
    if years >= needed:
        return Verdict(True, years, needed, "", counted)
    return Verdict(
        False,
        years,
        needed,
        _("%(years)d of %(needed)d years; %(left)d to go.")
        % {"years": years, "needed": needed, "left": needed - years},
        counted,
    )
