"""Pay parity rules, table-driven from POLICY.md §4."""

from datetime import date
from decimal import Decimal as D

import pytest

from compensation import rules
from compensation.rules import Adjustment as A

STRICT = rules.Thresholds()


@pytest.mark.parametrize(
    "teacher, civil, status, gap, pct",
    [
        (D(150000), D(140000), "met", D(10000), D("7.1")),
        (D(140000), D(140000), "met", D(0), D("0.0")),  # not lower: equal is enough
        (D("139999.99"), D(140000), "not_met", D("-0.01"), D("0.0")),
        (D(126000), D(140000), "not_met", D(-14000), D("-10.0")),
        (None, D(140000), "incomplete", None, None),
        (D(140000), None, "incomplete", None, None),
    ],
)
def test_teachers_not_lower_than_civil_servants(teacher, civil, status, gap, pct):
    check = rules.teacher_parity(teacher, civil, STRICT)
    assert (check.status, check.gap, check.gap_pct) == (status, gap, pct)


@pytest.mark.parametrize(
    "income, wage, status",
    [
        (D(80000), D(78000), "met"),
        (D(78000), D(78000), "met"),
        (D(77999), D(78000), "not_met"),
        (None, D(78000), "incomplete"),
    ],
)
def test_kindergarten_income_not_lower_than_last_years_wage(income, wage, status):
    assert rules.kindergarten_parity(income, wage, STRICT).status == status


def test_a_bureau_can_set_its_own_ratio():
    lenient = rules.Thresholds(teacher_ratio=D("0.95"))
    assert rules.teacher_parity(D(133000), D(140000), lenient).status == "met"
    assert rules.teacher_parity(D(132999), D(140000), lenient).status == "not_met"


JULY = date(2024, 7, 1)


@pytest.mark.parametrize(
    "civil, teachers, status, words",
    [
        ([], [], "met", ""),  # nothing to keep in step with
        ([A(JULY, D(500))], [A(JULY, D(500))], "met", ""),
        ([A(JULY, D(500))], [A(date(2024, 7, 31), D(600))], "met", ""),  # 30 days, more
        ([A(JULY, D(500))], [A(date(2024, 8, 1), D(500))], "met", ""),  # 31 days: the edge
        ([A(JULY, D(500))], [A(date(2024, 8, 2), D(500))], "not_met", "31"),  # 32 days
        ([A(JULY, D(500))], [A(JULY, D(400))], "not_met", "400"),  # less
        ([A(JULY, D(500))], [], "not_met", "31"),
        # One teacher adjustment cannot answer two civil-servant adjustments.
        ([A(JULY, D(300)), A(date(2024, 7, 15), D(300))], [A(JULY, D(300))], "not_met", "07-15"),
        (
            [A(JULY, D(300)), A(date(2025, 1, 1), D(200))],
            [A(date(2025, 1, 10), D(200)), A(date(2024, 6, 20), D(300))],
            "met",
            "",
        ),
    ],
)
def test_adjustments_in_step(civil, teachers, status, words):
    check = rules.in_step(civil, teachers, STRICT)
    assert check.status == status
    assert words in " ".join(check.notes)


@pytest.mark.parametrize(
    "statuses, overall",
    [
        (["met", "met", "met"], "met"),
        (["met", "not_met", "met"], "not_met"),
        (["met", "incomplete", "met"], "incomplete"),
        (["incomplete", "not_met", "met"], "not_met"),
    ],
)
def test_a_county_meets_parity_only_when_every_check_does(statuses, overall):
    assert rules.overall([rules.Check(s) for s in statuses]) == overall


@pytest.mark.parametrize(
    "counties, status, met",
    [
        (["met", "met"], "met", 2),
        (["met", "not_met", "incomplete"], "not_met", 1),
        (["met", "incomplete"], "incomplete", 1),
        ([], "incomplete", 0),
    ],
)
def test_counties_roll_up_to_city_and_province(counties, status, met):
    result = rules.rollup(counties)
    assert (result.status, result.met, result.counties) == (status, met, len(counties))
