"""Honours earned by years of service (POLICY.md §3), as pure functions: which years count,
whether a teacher qualifies on a date, and how close they are. No ORM.

Every rule is data (an ``HonourRule``): the kind of years counted, the threshold (with a
separate one for senior high where the honour says so), whether the teacher must still be
serving, and the ethics veto, which removes any candidate.

Who the yearly scan makes a candidate (``candidacy``, POLICY §8): an honour is awarded once
per person and type (a revoked award may be proposed again); 荣誉退休 is for any member of
staff retiring in the year; a veto removes a candidate and never creates one. Nominated
honours may open only every N years from a first year (``open_in``, ``next_open``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from portal import rules as kernel

HEAD_TEACHER = "head_teacher"  # years as head teacher (班主任)
RURAL = "rural"  # years at rural schools, summed across interruptions
TEACHING = "teaching"  # years of teaching at any school
RETIREMENT = "retirement"  # retired with a clean record (荣誉退休)

PROPOSED = "proposed"  # what the scan makes of a person who qualifies
VETOED = "vetoed"  # qualifies, but an ethics sanction is in force


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


@dataclass(frozen=True)
class PastAward:
    """An award of the honour type the person already has: its year and, once revoked,
    the date it was revoked."""

    year: int
    revoked_on: date | None = None


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


def retired_in(year: int, *, on: date, serving: bool, retired_on: date | None) -> bool:
    """荣誉退休 (Z: 教职工): any member of staff, whatever their role, who is no longer serving
    and retired in ``year`` by the day after ``on`` (the years are judged at the end of
    ``on``, yesterday for a scan run today: a retirement dated today counts). A serving
    person never is."""
    return (
        not serving
        and retired_on is not None
        and retired_on.year == year
        and retired_on <= on + timedelta(days=1)
    )


def assess(
    *,
    periods: list[Period],
    rule: HonourRule,
    on: date,
    serving: bool,
    retired_on: date | None,
    veto: str | None,
    year: int | None = None,
) -> Verdict:
    """Whether the person meets the rule on ``on`` (for 荣誉退休: retired in ``year``, by
    default the year of ``on``). A veto in force makes the verdict negative with its
    reason; ``candidacy`` decides whether that person is a candidate at all."""
    counted = counted_periods(periods, rule)
    # Judged at the end of ``on``; a retiree's service counts up to and including the
    # retirement date (POLICY §7).
    as_of = on + timedelta(days=1)
    if not serving and retired_on is not None and rule.retirees_count_to_retirement:
        as_of = min(as_of, retired_on + timedelta(days=1))
    years = kernel.completed_years([kernel.Interval(p.start, p.end) for p in counted], as_of=as_of)
    needed = _threshold(counted, rule, as_of)
    if veto:
        return Verdict(False, years, needed, veto_message(veto), counted)
    if rule.basis == RETIREMENT:
        ok = retired_in(year or on.year, on=on, serving=serving, retired_on=retired_on)
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


def holds(awards) -> bool:
    """Whether one of these awards of a type is still in force (not revoked)."""
    return any(award.revoked_on is None for award in awards)


@dataclass
class Candidacy:
    status: str | None  # PROPOSED, VETOED, or None: not a candidate
    verdict: Verdict


def candidacy(
    *,
    periods: list[Period],
    rule: HonourRule,
    year: int,
    on: date,
    serving: bool,
    retired_on: date | None,
    veto: str | None,
    awards=(),
) -> Candidacy:
    """What the scan of ``year`` (judged on ``on``) makes of one person for one honour.

    - An award of the type in force (``awards``, not revoked) means no candidate: an honour
      is awarded once per person and type. A revoked award does not count.
    - Otherwise the person is judged without the veto: if they do not qualify they are no
      candidate, vetoed or not (a veto never creates a candidate).
    - One who qualifies is PROPOSED, or VETOED with the reason when a sanction is in force.
    """
    clean = assess(
        periods=periods,
        rule=rule,
        on=on,
        serving=serving,
        retired_on=retired_on,
        veto=None,
        year=year,
    )
    if holds(awards) or not clean.qualifies:
        return Candidacy(None, clean)
    if veto:
        vetoed = Verdict(False, clean.years, clean.needed, veto_message(veto), clean.evidence)
        return Candidacy(VETOED, vetoed)
    return Candidacy(PROPOSED, clean)


def open_in(year: int, *, first: int | None, every: int | None) -> bool:
    """Whether a nominated honour takes nominations in ``year``: every year when it has no
    cadence, else ``first`` and every ``every`` years after (全区优秀教师: 2023, 2028, …)."""
    if first is None or not every:
        return True
    return year >= first and (year - first) % every == 0


def next_open(year: int, *, first: int | None, every: int | None) -> int:
    """The first year from ``year`` on in which the honour takes nominations."""
    if first is None or not every:
        return year
    if year <= first:
        return first
    return year + (-(year - first)) % every


def closed_year_message(honour: str, year: int, next_year: int) -> str:
    return _("%(honour)s takes no nominations in %(year)d; it is next open in %(next)d.") % {
        "honour": honour,
        "year": year,
        "next": next_year,
    }


def already_held_message(name: str, honour: str, number: str) -> str:
    return _(
        "%(name)s already holds %(honour)s (certificate %(number)s): an honour is awarded "
        "once per person."
    ) % {"name": name, "honour": honour, "number": number}


def certificate_number(region_code: str, year: int, honour_id: int, sequence: int) -> str:
    """An award's certificate number as Chinese certificates write them: the awarding
    region's division code, the year, a numeric honour code and the sequence, all digits
    (``330300-2026-0003-00012``), whatever the honour type's own code; never longer than
    the field."""
    return f"{region_code}-{year}-{honour_id:04d}-{sequence:05d}"


def action_year_problem(year: int | None, this_year: int) -> str | None:
    """The year a scan or a nomination may name: from 2000 to this year (no candidates for a
    year to come); the service and the pages refuse any other in these words."""
    if year is not None and 2000 <= year <= this_year:
        return None
    return _("Choose a year from 2000 to %(this_year)d, not %(year)s.") % {
        "this_year": this_year,
        "year": "?" if year is None else year,
    }
