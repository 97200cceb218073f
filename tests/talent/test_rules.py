"""Talent-ladder rules, table-driven from POLICY.md §1 and §5."""

from datetime import date
from decimal import Decimal as D

import pytest

from talent import rules

COUNTY = "/1/2/3/"
CITY = "/1/2/"


def teacher(**overrides):
    base = dict(
        region_path=COUNTY,
        stage="primary",
        titles_in_force=frozenset({10}),
        ethics_veto=None,
        rural_or_weak_years=D(2),
        training_credited=D(200),
    )
    base.update(overrides)
    return rules.TeacherFacts(**base)


def programme(**overrides):
    base = dict(
        region_path=CITY,
        stages=frozenset(),
        draws_from=frozenset({10}),
        requires_rural_years=D(0),
        min_training=None,
        tier_name="市名教师",
        prerequisite_names=("教坛新秀",),
    )
    base.update(overrides)
    return rules.ProgrammeRules(**base)


@pytest.mark.parametrize(
    ("facts", "rules_", "words"),
    [
        (teacher(), programme(), []),
        # 师德一票否决 (N §2.2, B §1)
        (teacher(ethics_veto="警告"), programme(), ["ethics"]),
        # Outside the region that runs it.
        (teacher(region_path="/1/9/8/"), programme(), ["outside"]),
        # The programme draws from 教坛新秀 (W §3: 市级名师 from 市、县 教坛新秀).
        (teacher(titles_in_force=frozenset()), programme(), ["draws from"]),
        # Rural service ≥ 1 year for a senior title or 特级 (N §2.7).
        (
            teacher(rural_or_weak_years=D("0.5")),
            programme(requires_rural_years=D(1), tier_name="省特级教师"),
            ["rural"],
        ),
        (teacher(rural_or_weak_years=D(1)), programme(requires_rural_years=D(1)), []),
        # Training hours short where the programme requires them.
        (teacher(training_credited=D(100)), programme(min_training=D(120)), ["training"]),
        (teacher(training_credited=None), programme(min_training=D(120)), ["training"]),
        # Stage.
        (teacher(stage="senior"), programme(stages=frozenset({"primary", "junior"})), ["stage"]),
        # Every reason at once.
        (
            teacher(ethics_veto="记过", titles_in_force=frozenset(), stage="senior"),
            programme(stages=frozenset({"primary"})),
            ["ethics", "stage", "draws from"],
        ),
    ],
)
def test_refusals_name_every_reason(facts, rules_, words):
    from django.utils import translation

    with translation.override("en"):
        reasons = rules.refusals(facts, rules_)
    assert len(reasons) == len(words)
    for word, reason in zip(words, reasons, strict=True):
        assert word in reason


W = rules.Line(date(2022, 1, 1), date(2025, 12, 31))  # Wenzhou's plan window (W)
N = rules.Line(date(2023, 1, 1), date(2027, 12, 31))  # Ningxia's (N)


@pytest.mark.parametrize(
    ("figure", "achieved", "denominator", "line", "on", "status"),
    [
        # +2000 新锐教师 by 2025: halfway through the window with 1100 → on track.
        (D(2000), D(1100), None, W, date(2024, 1, 1), "on_track"),
        (D(2000), D(900), None, W, date(2024, 1, 1), "behind"),
        (D(2000), D(2000), None, W, date(2024, 1, 1), "achieved"),
        # 骨干教师 8 % of full-time teachers by 2027: 6.5 % in mid-2026 → on track.
        (D("0.08"), D(650), D(10000), N, date(2026, 1, 1), "on_track"),
        (D("0.08"), D(300), D(10000), N, date(2026, 1, 1), "behind"),
        (D("0.15"), D(1600), D(10000), N, date(2026, 1, 1), "achieved"),
        # Before the window starts nothing is expected yet.
        (D(100), D(0), None, W, date(2021, 6, 1), "on_track"),
        # No denominator (no full-time teachers): a share of zero.
        (D("0.12"), D(0), D(0), N, date(2026, 1, 1), "behind"),
    ],
)
def test_attainment_against_the_straight_line(figure, achieved, denominator, line, on, status):
    result = rules.judge(
        figure=figure, achieved=achieved, line=line, on=on, denominator=denominator
    )
    assert result.status == status


def test_expected_is_on_the_straight_line():
    result = rules.judge(figure=D(100), achieved=D(0), line=W, on=date(2023, 12, 31))
    assert abs(result.expected - D(50)) < D(1)


W_STAGES = {  # W §6.2: 高中、中职 talent by the city; 学前、义务教育、特殊教育 by the county
    "senior": "city",
    "vocational": "city",
    "preschool": "county",
    "primary": "county",
    "junior": "county",
    "special": "county",
}


@pytest.mark.parametrize(
    "tier_runner, stages, stage_runners, level",
    [
        ("county", ["primary", "junior"], W_STAGES, "county"),  # 教坛新秀 for 义务教育
        ("county", ["preschool", "special"], W_STAGES, "county"),
        ("county", ["senior"], W_STAGES, "city"),  # 教坛新秀 for 高中: the city
        ("county", ["primary", "vocational"], W_STAGES, "city"),
        ("county", [], W_STAGES, "city"),  # every stage, 高中 among them
        ("city", ["primary"], W_STAGES, "city"),  # 市名师, 卓越, 省级名师: the city
        ("province", ["primary"], W_STAGES, "province"),
        ("county", ["senior"], {}, "county"),  # a ladder without a stage division
        ("", [], {}, ""),  # nothing said: no constraint
    ],
)
def test_division_of_labour(tier_runner, stages, stage_runners, level):
    assert (
        rules.runner_level(tier_runner=tier_runner, stages=stages, stage_runners=stage_runners)
        == level
    )


@pytest.mark.parametrize(
    "start, deadline, on, line",
    [
        (
            date(2023, 1, 1),
            date(2027, 12, 31),
            date(2024, 6, 1),
            (date(2024, 1, 1), date(2024, 12, 31)),
        ),
        (
            date(2023, 3, 1),
            date(2027, 12, 31),
            date(2023, 6, 1),
            (date(2023, 3, 1), date(2023, 12, 31)),
        ),
        (
            date(2023, 1, 1),
            date(2027, 6, 30),
            date(2027, 5, 1),
            (date(2027, 1, 1), date(2027, 6, 30)),
        ),
    ],
)
def test_yearly_targets_run_from_january_to_december_inside_the_plan(start, deadline, on, line):
    assert rules.yearly_line(rules.Line(start, deadline), on) == rules.Line(*line)
