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


# --- POLICY §8: the yearly minimums count only years in service (N §2.1 在职教师每年) ---------

ALL_HOURS = 360  # the cycle's hours done, so only the yearly minimums decide


@pytest.mark.parametrize(
    ("began", "ethics", "as_of", "status"),
    [
        # Entered 2023-09: 2021 and 2022 are not missing; 2023 (entered part-way) does not
        # count by default; 2024 and 2025 do.
        (date(2023, 9, 1), {2024: 24, 2025: 24}, date(2025, 12, 31), "complete"),
        (date(2023, 9, 1), {2024: 24, 2025: 10}, date(2025, 12, 31), "on_track"),
        (date(2023, 9, 1), {2024: 10, 2025: 24}, date(2025, 12, 31), "at_risk"),
        # Entered on 1 January: that year is served whole and counts (missing: past, at risk).
        (date(2023, 1, 1), {2024: 24, 2025: 24}, date(2025, 12, 31), "at_risk"),
        (date(2023, 1, 1), {2023: 24, 2024: 24, 2025: 24}, date(2025, 6, 30), "complete"),
        # Entered on 31 December: that year does not count, the next one does.
        (date(2022, 12, 31), {2023: 24, 2024: 24, 2025: 24}, date(2025, 12, 31), "complete"),
        # Entered on 29 February 2024: 2024 does not count.
        (date(2024, 2, 29), {2025: 24}, date(2025, 12, 31), "complete"),
        # Unknown entry: every year of the cycle so far counts.
        (None, {2024: 24, 2025: 24}, date(2025, 12, 31), "at_risk"),
    ],
)
def test_ethics_years_count_only_in_service(began, ethics, as_of, status):
    figures = totals(ALL_HOURS, ethics)
    figures.by_category["subject"] = D(ALL_HOURS)
    assert rules.assess(figures, NINGXIA, as_of=as_of, began=began).status == status


def test_the_entry_year_counts_when_the_rule_set_says_so():
    counting = Rule(**{**NINGXIA.__dict__, "entry_year_counts": True})
    figures = totals(ALL_HOURS, {2024: 24, 2025: 24})
    began = date(2023, 9, 1)
    assert rules.assess(figures, counting, as_of=date(2025, 12, 31), began=began).status == (
        "at_risk"
    )
    assert rules.due_years(
        counting, rules.cycle_of(counting, began), date(2025, 12, 31), began
    ) == [
        2023,
        2024,
        2025,
    ]


@pytest.mark.parametrize(
    ("left", "due"),
    [
        (date(2024, 6, 30), [2021, 2022, 2023]),  # the leaving year does not count
        (date(2024, 12, 31), [2021, 2022, 2023, 2024]),  # left on 31 December: served whole
        (date(2025, 1, 1), [2021, 2022, 2023, 2024]),
    ],
)
def test_years_after_leaving_are_never_missing(left, due):
    cycle = rules.cycle_of(NINGXIA, date(2025, 1, 1))
    assert rules.due_years(NINGXIA, cycle, date(2025, 12, 31), None, left) == due


# --- POLICY §7/§8: Zhejiang credits: 24 of all credits every year, not of ethics -------------

ZHEJIANG_2026 = Rule(
    unit="credits",
    cycle_years=5,
    cycle_start_year=2021,
    required_per_cycle=D(360),
    ethics_per_year=D(0),
    min_per_year=D(24),
    hours_per_credit={"face_to_face": D(6), "online": D(8), "degree": D(20), "practice": D(6)},
    item_cap=D(15),
    category_caps={"degree": D(60)},
    year_category_caps={"degree": D(20)},
    missed_share_voids=D("0.2"),
)


def yearly(per_year: dict[int, int], ethics_per_year: int = 2, degree: dict | None = None):
    """Totals of a teacher with ``per_year`` subject credits and a little ethics each year."""
    figures = Totals()
    for year, amount in per_year.items():
        figures.by_year[year] = D(amount + ethics_per_year)
        figures.ethics_by_year[year] = D(ethics_per_year)
    figures.by_category = {
        "subject": D(sum(per_year.values())),
        "ethics": D(ethics_per_year * len(per_year)),
    }
    for year, amount in (degree or {}).items():
        figures.by_category["degree"] = figures.by_category.get("degree", D(0)) + D(amount)
        figures.by_category_year[("degree", year)] = D(amount)
        figures.by_year[year] = figures.by_year.get(year, D(0)) + D(amount)
    return figures


def test_a_longgang_teacher_with_370_credits_and_2_ethics_a_year_is_complete():
    figures = yearly({2021: 72, 2022: 72, 2023: 72, 2024: 72, 2025: 72})  # 74 a year, 370
    assert rules.cycle_credited(figures, ZHEJIANG_2026) == D(370)
    assert rules.assess(figures, ZHEJIANG_2026, as_of=date(2025, 12, 31)).status == "complete"


@pytest.mark.parametrize(
    ("per_year", "as_of", "status"),
    [
        # One past year under 24 of all credits: it cannot be made up.
        ({2021: 100, 2022: 21, 2023: 100, 2024: 100, 2025: 100}, date(2025, 12, 31), "at_risk"),
        # Exactly 24 (22 + 2 ethics) in the short year: met.
        ({2021: 100, 2022: 22, 2023: 100, 2024: 100, 2025: 100}, date(2025, 12, 31), "complete"),
        # This year not yet at 24: not complete, though the cycle's credits are.
        ({2021: 100, 2022: 100, 2023: 100, 2024: 100, 2025: 10}, date(2025, 6, 30), "on_track"),
    ],
)
def test_the_yearly_minimum_of_all_credits(per_year, as_of, status):
    assert rules.assess(yearly(per_year), ZHEJIANG_2026, as_of=as_of).status == status


def test_degree_credits_are_capped_per_year_then_per_cycle():
    # 30 degree credits in each of 2021–2023: 20 count each year, 60 in all (cycle cap).
    figures = yearly(
        {2021: 80, 2022: 80, 2023: 80, 2024: 80, 2025: 80},
        degree={2021: 30, 2022: 30, 2023: 30},
    )
    assert rules.cycle_credited(figures, ZHEJIANG_2026) == D(400 + 10 + 60)
    assert rules.year_credited(figures, ZHEJIANG_2026, 2021) == D(80 + 2 + 20)
    two_years = yearly({2021: 80}, degree={2021: 30, 2022: 15})
    assert rules.cycle_credited(two_years, ZHEJIANG_2026) == D(80 + 2 + 20 + 15)


@pytest.mark.parametrize(
    ("hours", "missed", "value"),
    [
        (D(24), D(0), D(4)),  # 24 h face to face = 4 credits
        (D(24), D("5.9"), D(4)),  # 5.9 of 29.9 missed: under a fifth, counts
        (D(24), D(6), D(0)),  # 6 of 30 missed: exactly a fifth, earns nothing
        (D(20), D(10), D(0)),  # a third missed
        (D(-24), D(6), D(0)),  # the reversal of a voided record takes back nothing
        (D(-24), D(0), D(-4)),
    ],
)
def test_a_course_missed_by_a_fifth_earns_no_credit(hours, missed, value):
    assert rules.record_value(hours, "face_to_face", ZHEJIANG_2026, missed) == value
    off = rules.record_value(hours, "face_to_face", ZHEJIANG, missed)  # no such rule there
    assert off == (D(hours) / 6).quantize(D("0.000001"))


def test_credits_are_rounded_to_six_places_per_record():
    assert rules.record_value(D(5), "face_to_face", ZHEJIANG_2026) == D("0.833333")
    assert rules.record_value(D(-5), "face_to_face", ZHEJIANG_2026) == D("-0.833333")
    assert rules.record_value(D("2.5"), "face_to_face", ZHEJIANG_2026) == D("0.416667")


# --- N §2.6: a principal's first year ------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "as_of", "done", "status"),
    [
        # Appointed 2023-03-01; 300 hours by 2024-03-01 (the anniversary, inclusive).
        (date(2023, 3, 1), date(2024, 6, 1), 300, "complete"),
        # First year still running: not complete; judged on its own straight line too
        # (300 × 338/367 ≈ 276 by 1 February 2024).
        (date(2023, 3, 1), date(2024, 2, 1), 280, "on_track"),
        (date(2023, 3, 1), date(2024, 2, 1), 200, "behind"),
        # First year over and short: it cannot be made up.
        (date(2023, 3, 1), date(2024, 3, 2), 200, "at_risk"),
        (date(2023, 3, 1), date(2024, 3, 1), 200, "behind"),  # the last day of the year
        # Appointed 29 February 2024: the first year ends on 28 February 2025.
        (date(2024, 2, 29), date(2025, 2, 28), 100, "behind"),
        (date(2024, 2, 29), date(2025, 3, 1), 100, "at_risk"),
    ],
)
def test_principal_first_year_edges(since, as_of, done, status):
    ethics = {y: 24 for y in range(2021, as_of.year + 1)}
    figures = totals(360, ethics, principal=done)
    figures.by_category["subject"] = D(360)
    result = rules.assess(figures, NINGXIA, as_of=as_of, is_principal=True, principal_since=since)
    assert result.status == status


# --- N §2.4: only a qualified provider's course counts ---------------------------------------


@pytest.mark.parametrize(
    ("qualified", "until", "on", "counts"),
    [
        (True, None, date(2026, 3, 1), True),
        (True, date(2026, 3, 1), date(2026, 3, 1), True),  # the last day of the qualification
        (True, date(2026, 2, 28), date(2026, 3, 1), False),  # one day after
        (False, None, date(2026, 3, 1), False),
    ],
)
def test_provider_qualification(qualified, until, on, counts):
    problem = rules.provider_problem(
        provider="某培训机构", qualified=qualified, qualified_until=until, on=on
    )
    assert (problem is None) == counts


# --- N §2.2: the ethics week before the autumn term -----------------------------------------

WEEK = Rule(**{**NINGXIA.__dict__, "ethics_week_days": 3})


@pytest.mark.parametrize(
    ("spans", "as_of", "attended", "met"),
    [
        # Three single days in the week 25–31 August: met.
        (
            [
                (date(2026, 8, 25), date(2026, 8, 25)),
                (date(2026, 8, 27),) * 2,
                (date(2026, 8, 31),) * 2,
            ],
            date(2026, 11, 1),
            3,
            True,
        ),
        # A three-day course from 30 August to 1 September: two days in the week.
        ([(date(2026, 8, 30), date(2026, 9, 1))], date(2026, 11, 1), 2, False),
        # The day before the week (24 August) does not count; the same day twice counts once.
        (
            [(date(2026, 8, 24), date(2026, 8, 26)), (date(2026, 8, 26),) * 2],
            date(2026, 11, 1),
            2,
            False,
        ),
        # Before this year's week has begun, last year's week is the one judged.
        ([(date(2025, 8, 25), date(2025, 8, 27))], date(2026, 8, 24), 3, True),
    ],
)
def test_ethics_week(spans, as_of, attended, met):
    week = rules.ethics_week(WEEK, spans, as_of=as_of)
    assert (week.attended, week.met) == (attended, met)
    assert week.end == date(week.year, 8, 31)


def test_no_ethics_week_for_a_teacher_who_entered_after_it_began_or_a_rule_set_without():
    assert rules.ethics_week(WEEK, [], as_of=date(2026, 11, 1), began=date(2026, 8, 26)) is None
    assert rules.ethics_week(WEEK, [], as_of=date(2026, 11, 1), began=date(2026, 8, 25))
    assert rules.ethics_week(NINGXIA, [], as_of=date(2026, 11, 1)) is None
