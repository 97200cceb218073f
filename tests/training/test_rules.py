"""Training-hour rules, table-driven from POLICY.md §2 and §7."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from training import rules
from training.rules import Rule, Totals

NINGXIA = Rule(  # N §2.1, §2.4, §2.6: 360 per five years, 24 ethics a year, principals 300 + 360
    unit="hours",
    cycle_years=5,
    cycle_start_year=2021,
    required_per_cycle=D(360),
    ethics_per_year=D(24),
    principal_first_year=D(300),
    principal_per_cycle=D(360),
)
JIANGSU = Rule(  # §7: 360 per five years, at least 180 at county level or above
    unit="hours",
    cycle_years=5,
    cycle_start_year=2021,
    required_per_cycle=D(360),
    ethics_per_year=D(0),
    min_county_or_above=D(180),
)
ZHEJIANG = Rule(  # §7: 360 credits per five years, 24 every year; 集中 6 h, online 8 h,
    # degree 20 h per credit; one item at most 15 credits
    unit="credits",
    cycle_years=5,
    cycle_start_year=2021,
    required_per_cycle=D(360),
    ethics_per_year=D(24),
    hours_per_credit={"face_to_face": D(6), "online": D(8), "degree": D(20), "practice": D(6)},
    item_cap=D(15),
    category_caps={"degree": D(60)},
)


@pytest.mark.parametrize(
    ("on", "start", "end"),
    [
        (date(2021, 1, 1), 2021, 2025),
        (date(2025, 12, 31), 2021, 2025),
        (date(2026, 1, 1), 2026, 2030),
        (date(2020, 6, 1), 2016, 2020),
    ],
)
def test_five_year_cycles(on, start, end):
    cycle = rules.cycle_of(NINGXIA, on)
    assert (cycle.start, cycle.end) == (date(start, 1, 1), date(end, 12, 31))


@pytest.mark.parametrize(
    ("rule", "hours", "mode", "value"),
    [
        (NINGXIA, D("7.5"), "face_to_face", D("7.5")),  # hours count as hours
        (ZHEJIANG, D(6), "face_to_face", D(1)),  # 集中 6 学时 = 1 学分
        (ZHEJIANG, D(8), "online", D(1)),  # 网络 8 学时 = 1 学分
        (ZHEJIANG, D(40), "degree", D(2)),  # 学历 20 学时 = 1 学分
        (ZHEJIANG, D(120), "face_to_face", D(15)),  # 20 credits, capped at 15 per item
        (ZHEJIANG, D(-120), "face_to_face", D(-15)),  # a reversal takes back what counted
    ],
)
def test_record_value(rule, hours, mode, value):
    assert rules.record_value(hours, mode, rule) == value


def totals(subject=0, ethics=None, county=0, degree=0, principal=0):
    ethics = ethics or {}
    by_category = {"subject": D(subject), "ethics": D(sum(ethics.values(), 0))}
    if degree:
        by_category["degree"] = D(degree)
    return Totals(
        by_category=by_category,
        county_or_above=D(county),
        ethics_by_year={y: D(v) for y, v in ethics.items()},
        principal_first_year=D(principal),
    )


ALL_ETHICS = {2021: 24, 2022: 24, 2023: 24, 2024: 24, 2025: 24}


@pytest.mark.parametrize(
    ("rule", "figures", "as_of", "status"),
    [
        # 360 done with 24 ethics every year: complete.
        (NINGXIA, totals(240, ALL_ETHICS), date(2025, 12, 1), "complete"),
        # Halfway through the cycle (mid-2023) with half the hours: on track.
        (NINGXIA, totals(112, {2021: 24, 2022: 24, 2023: 24}), date(2023, 7, 2), "on_track"),
        # Below the line but the rest fits the usual pace (108 a year): behind.
        (NINGXIA, totals(60, {2021: 24, 2022: 24, 2023: 24}), date(2023, 7, 2), "behind"),
        # 300 still needed with half a year left: at risk.
        (NINGXIA, totals(36, ALL_ETHICS), date(2025, 7, 1), "at_risk"),
        # A past year's ethics hours missing can no longer be made up: at risk.
        (NINGXIA, totals(300, {2021: 24, 2022: 10, 2023: 24}), date(2023, 7, 2), "at_risk"),
        # This year's ethics not yet done: not complete, though the hours are.
        (
            NINGXIA,
            totals(340, {2021: 24, 2022: 24, 2023: 24, 2024: 24, 2025: 6}),
            date(2025, 6, 1),
            "on_track",
        ),
        # Jiangsu: 360 done but only 100 at county level or above.
        (JIANGSU, totals(360, county=100), date(2025, 12, 1), "at_risk"),
        (JIANGSU, totals(360, county=180), date(2025, 12, 1), "complete"),
        # Zhejiang: degree credits capped at 60 per cycle.
        (ZHEJIANG, totals(150, ALL_ETHICS, degree=100), date(2025, 12, 1), "at_risk"),
        (ZHEJIANG, totals(240, ALL_ETHICS, degree=100), date(2025, 12, 1), "complete"),
    ],
)
def test_status(rule, figures, as_of, status):
    assert rules.assess(figures, rule, as_of=as_of).status == status


def test_every_shortfall_is_explained_in_a_sentence():
    with translation.override("zh-hans"):
        result = rules.assess(totals(100, {2026: 18}), NINGXIA, as_of=date(2026, 11, 23))
    assert "2026 年师德学时 18/24，还差 6 学时" in " ".join(result.explanations)
    assert any("还需" in line or "还差" in line for line in result.explanations)


def test_principal_first_year():
    result = rules.assess(
        totals(360, ALL_ETHICS, principal=200),
        NINGXIA,
        as_of=date(2025, 12, 1),
        principal_since=date(2025, 3, 1),
    )
    assert result.status != "complete"
    assert result.principal_first_year_short == D(100)


def test_principals_use_their_own_cycle_requirement():
    rule = Rule(
        unit="hours",
        cycle_years=5,
        cycle_start_year=2021,
        required_per_cycle=D(360),
        ethics_per_year=D(0),
        principal_per_cycle=D(300),
    )
    assert (
        rules.assess(totals(300), rule, as_of=date(2025, 12, 1), is_principal=True).status
        == "complete"
    )


def test_totals_from_records_respect_the_cycle_and_levels():
    items = [
        (D(24), "face_to_face", "ethics", "school", date(2026, 3, 1)),
        (D(30), "online", "subject", "county", date(2026, 5, 1)),
        (D(-30), "online", "subject", "county", date(2026, 6, 1)),  # reversal
        (D(50), "online", "subject", "province", date(2025, 12, 31)),  # previous cycle
    ]
    cycle = rules.cycle_of(NINGXIA, date(2026, 11, 1))
    result = rules.totals_from_items(items, NINGXIA, cycle)
    assert result.by_category == {"ethics": D(24), "subject": D(0)}
    assert result.county_or_above == D(0)
    assert result.ethics_by_year == {2026: D(24)}
