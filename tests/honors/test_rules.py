"""Honours rules, table-driven from POLICY.md §3 and §7, including boundary years,
interrupted rural periods and a veto that starts or ends mid-year."""

from datetime import date as D

import pytest

from honors import rules
from honors.rules import HonourRule, Period

LIFETIME_HEAD = HonourRule(
    basis=rules.HEAD_TEACHER, years=30, years_senior_high=25, must_be_serving=True
)
RURAL_30 = HonourRule(basis=rules.RURAL, years=30)
RURAL_20 = HonourRule(basis=rules.RURAL, years=20)
TEACHING_30 = HonourRule(basis=rules.TEACHING, years=30)


def head(start, end, stage="primary"):
    return Period(start, end, "head_teacher", stage, False)


def rural(start, end):
    return Period(start, end, "teacher", "primary", True)


def town(start, end):
    return Period(start, end, "teacher", "primary", False)


@pytest.mark.parametrize(
    ("periods", "rule", "on", "serving", "retired_on", "qualifies"),
    [
        # 终身班主任: 30 years in other stages, to the day.
        ([head(D(1996, 9, 1), None)], LIFETIME_HEAD, D(2026, 9, 1), True, None, True),
        ([head(D(1996, 9, 1), None)], LIFETIME_HEAD, D(2026, 8, 25), True, None, False),
        # 25 years suffice in senior high.
        ([head(D(2001, 9, 1), None, "senior")], LIFETIME_HEAD, D(2026, 9, 1), True, None, True),
        # Spanning stages: mostly senior high → 25 applies (15 senior + 11 junior = 26).
        (
            [head(D(2000, 9, 1), D(2011, 8, 31), "junior"), head(D(2011, 9, 1), None, "senior")],
            LIFETIME_HEAD,
            D(2026, 9, 1),
            True,
            None,
            True,
        ),
        # Mostly junior → 30 applies (16 junior + 10 senior = 26).
        (
            [head(D(2000, 9, 1), D(2016, 8, 31), "junior"), head(D(2016, 9, 1), None, "senior")],
            LIFETIME_HEAD,
            D(2026, 9, 1),
            True,
            None,
            False,
        ),
        # Still serving is required.
        (
            [head(D(1990, 9, 1), D(2025, 8, 31))],
            LIFETIME_HEAD,
            D(2026, 9, 1),
            False,
            D(2025, 8, 31),
            False,
        ),
        # 乡村学校从教 30 年: summed across an interruption (POLICY §7).
        (
            [
                rural(D(1980, 9, 1), D(1995, 8, 31)),
                town(D(1995, 9, 1), D(2000, 8, 31)),
                rural(D(2000, 9, 1), D(2015, 8, 31)),
            ],
            RURAL_30,
            D(2026, 1, 1),
            False,
            D(2015, 8, 31),
            True,
        ),
        # One month short.
        (
            [rural(D(1980, 9, 1), D(1995, 8, 31)), rural(D(2000, 9, 1), D(2015, 7, 31))],
            RURAL_30,
            D(2026, 1, 1),
            False,
            D(2015, 7, 31),
            False,
        ),
        # 20 years variant.
        ([rural(D(2006, 9, 1), None)], RURAL_20, D(2026, 9, 1), True, None, True),
        # Retirees count up to their retirement date, not to today.
        ([town(D(1990, 9, 1), None)], TEACHING_30, D(2026, 9, 1), False, D(2019, 8, 31), False),
        ([town(D(1985, 9, 1), None)], TEACHING_30, D(2026, 9, 1), False, D(2019, 8, 31), True),
    ],
)
def test_years_of_service_honours(periods, rule, on, serving, retired_on, qualifies):
    verdict = rules.assess(
        periods=periods, rule=rule, on=on, serving=serving, retired_on=retired_on, veto=None
    )
    assert verdict.qualifies is qualifies, verdict


def test_the_veto_removes_a_candidate_and_says_why():
    from django.utils import translation

    with translation.override("en"):
        verdict = rules.assess(
            periods=[town(D(1980, 9, 1), None)],
            rule=TEACHING_30,
            on=D(2026, 9, 1),
            serving=True,
            retired_on=None,
            veto="警告",
        )
    assert not verdict.qualifies and "ethics" in verdict.reason


def test_how_close_a_teacher_is():
    from django.utils import translation

    with translation.override("en"):
        verdict = rules.assess(
            periods=[rural(D(1999, 9, 1), None)],
            rule=RURAL_30,
            on=D(2026, 9, 1),
            serving=True,
            retired_on=None,
            veto=None,
        )
    assert (verdict.years, verdict.needed) == (27, 30)
    assert "3 to go" in verdict.reason


def test_honorary_retirement():
    retire = HonourRule(basis=rules.RETIREMENT)
    assert rules.assess(
        periods=[],
        rule=retire,
        on=D(2026, 9, 1),
        serving=False,
        retired_on=D(2026, 8, 31),
        veto=None,
    ).qualifies
    assert not rules.assess(
        periods=[], rule=retire, on=D(2026, 9, 1), serving=True, retired_on=None, veto=None
    ).qualifies
