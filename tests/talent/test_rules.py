"""Talent-ladder rules, table-driven from POLICY.md §1 and §5."""

from datetime import date
from decimal import Decimal as D

import pytest

from portal import rules as kernel_rules
from talent import rules

COUNTY = "/1/2/3/"
CITY = "/1/2/"
COMPULSORY = frozenset({"primary", "junior"})


def teacher(**overrides):
    base = dict(
        region_path=COUNTY,
        stage="primary",
        titles_in_force=frozenset({10}),
        ethics_veto=None,
        rural_or_weak_days=730,
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
        # Rural service ≥ 1 year for 特级教师 (N §2.7): 365 days or more, cumulative.
        (
            teacher(rural_or_weak_days=182),
            programme(requires_rural_years=D(1), tier_name="特级教师"),
            ["rural"],
        ),
        (teacher(rural_or_weak_days=364), programme(requires_rural_years=D(1)), ["rural"]),
        (teacher(rural_or_weak_days=365), programme(requires_rural_years=D(1)), []),
        # Only for the stages the tier names (compulsory education, POLICY §8).
        (
            teacher(rural_or_weak_days=0, stage="junior"),
            programme(requires_rural_years=D(1), rural_stages=COMPULSORY),
            ["rural"],
        ),
        (
            teacher(rural_or_weak_days=0, stage="senior"),
            programme(requires_rural_years=D(1), rural_stages=COMPULSORY),
            [],
        ),
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


# --- A programme past its window (POLICY §8) ------------------------------------------------


@pytest.mark.parametrize(
    ("on", "closed"),
    [
        (date(2025, 12, 30), False),
        (date(2025, 12, 31), False),  # the last day of the window still takes nominations
        (date(2026, 1, 1), True),
        (None, False),  # no date: no window check (the callers always pass one)
    ],
)
def test_a_programme_past_its_window_takes_no_nomination(on, closed):
    from django.utils import translation

    rules_ = programme(name="市级名师培养计划", window_end=date(2025, 12, 31))
    with translation.override("en"):
        reasons = rules.refusals(teacher(), rules_, on=on)
    assert bool(reasons) == closed
    if closed:
        assert "closed on 2025-12-31" in reasons[0] and "市级名师培养计划" in reasons[0]


# --- "1 年以上" at rural or weak schools: 365 days, cumulative across merged spans -------------


def spans(*pairs):
    return [kernel_rules.Interval(start, end) for start, end in pairs]


@pytest.mark.parametrize(
    ("periods", "on", "met"),
    [
        # One span of a common year: 365 days.
        (spans((date(2023, 1, 1), date(2023, 12, 31))), date(2025, 1, 1), True),
        (spans((date(2023, 1, 1), date(2023, 12, 30))), date(2025, 1, 1), False),
        # About 11.4 months is not a year, however it is rounded.
        (spans((date(2023, 1, 1), date(2023, 12, 12))), date(2025, 1, 1), False),
        # Two spans add up, day-exact: 182 + 183 days.
        (
            spans((date(2019, 1, 1), date(2019, 7, 1)), (date(2021, 3, 1), date(2021, 8, 30))),
            date(2025, 1, 1),
            True,
        ),
        (
            spans((date(2019, 1, 1), date(2019, 7, 1)), (date(2021, 3, 1), date(2021, 8, 29))),
            date(2025, 1, 1),
            False,
        ),
        # Overlapping periods (two roles at one rural school) count each day once.
        (
            spans((date(2023, 1, 1), date(2023, 9, 30)), (date(2023, 3, 1), date(2023, 10, 31))),
            date(2025, 1, 1),
            False,
        ),
        # A running period counts up to the day of the check.
        # Ongoing, judged on a day: the days before it count (2024 is a leap year).
        (spans((date(2024, 1, 1), None)), date(2024, 12, 31), True),
        (spans((date(2024, 1, 1), None)), date(2024, 12, 30), False),
    ],
)
def test_the_rural_year_is_365_days_across_merged_spans(periods, on, met):
    days = kernel_rules.service_days(periods, as_of=on)
    assert rules.years_met(days, D(1)) is met


# --- Applying for a senior title (N §2.7, §2.8; Z) ------------------------------------------

NINGXIA = rules.TitleRule(
    name="宁夏",
    rural_years=D(1),
    rural_stages=COMPULSORY,
    registration_bars=True,
    principal_rural_years=D(3),
)
WENZHOU = rules.TitleRule(
    name="温州", outside_quota_intermediate_years=15, outside_quota_senior_years=30
)


def applicant(**overrides):
    base = dict(
        stage="primary",
        ethics_veto=None,
        registration="registered",
        registration_label="已注册",
        rural_or_weak_days=400,
        rural_years=1,
    )
    base.update(overrides)
    return rules.TitleApplicant(**base)


@pytest.mark.parametrize(
    ("who", "rule", "refused", "facts"),
    [
        (applicant(), NINGXIA, [], ["condition", "short of the preferred"]),
        # N §2.7: a compulsory-education teacher needs the rural year …
        (applicant(rural_or_weak_days=364, stage="junior"), NINGXIA, ["rural"], ["Principal"]),
        # … a senior-high teacher does not.
        (
            applicant(rural_or_weak_days=0, stage="senior"),
            NINGXIA,
            [],
            ["not required", "Principal"],
        ),
        # N §2.8: suspended or refused registration bars title review.
        (
            applicant(registration="suspended"),
            NINGXIA,
            ["registration"],
            ["condition", "Principal"],
        ),
        (applicant(registration="failed"), NINGXIA, ["registration"], ["condition", "Principal"]),
        # 师德一票否决.
        (applicant(ethics_veto="警告"), NINGXIA, ["ethics"], ["condition", "Principal"]),
        (
            applicant(ethics_veto="记过", registration="suspended", rural_or_weak_days=0),
            NINGXIA,
            ["ethics", "registration", "rural"],
            ["Principal"],
        ),
        # Three years preferred for principal candidates (N §2.7): shown, never a refusal.
        (applicant(rural_or_weak_days=1095), NINGXIA, [], ["condition", "reached"]),
        # Wenzhou has no rural year; rural titles outside the quota are facts (Z).
        (
            applicant(rural_or_weak_days=0, rural_years=0),
            WENZHOU,
            [],
            ["15 give an intermediate", "30 give a senior"],
        ),
        (
            applicant(rural_years=15),
            WENZHOU,
            [],
            ["may apply for an intermediate", "30 give a senior"],
        ),
        (
            applicant(rural_years=30),
            WENZHOU,
            [],
            ["may apply for an intermediate", "may apply for a senior"],
        ),
        (applicant(registration="suspended"), WENZHOU, ["registration"], ["15", "30"]),
        # A rule set that does not tie titles to registration.
        (
            applicant(registration="suspended"),
            rules.TitleRule(registration_bars=False),
            [],
            [],
        ),
    ],
)
def test_senior_title_check(who, rule, refused, facts):
    from django.utils import translation

    with translation.override("en"):
        check = rules.senior_title_check(who, rule)
    assert check.may_apply is (not refused)
    assert len(check.refusals) == len(refused)
    for word, reason in zip(refused, check.refusals, strict=True):
        assert word in reason
    assert len(check.facts) == len(facts)
    for word, fact in zip(facts, check.facts, strict=True):
        assert word in fact


# --- Final results and ranges (POLICY §8; N: 3–6 教育家型) -----------------------------------


@pytest.mark.parametrize(
    ("figure", "most", "achieved", "denominator", "final", "status"),
    [
        # Past the deadline: met or missed, never behind.
        (D(500), None, D(320), None, True, "missed"),
        (D(500), None, D(500), None, True, "met"),
        (D("0.08"), None, D(700), D(10000), True, "missed"),
        (D("0.08"), None, D(800), D(10000), True, "met"),
        # 3–6 recommended: 4 is in the range, 7 above it, 2 short.
        (D(3), D(6), D(4), None, False, "achieved"),
        (D(3), D(6), D(7), None, False, "over"),
        (D(3), D(6), D(6), None, True, "met"),
        (D(3), D(6), D(7), None, True, "missed"),
        (D(3), D(6), D(2), None, True, "missed"),
    ],
)
def test_final_results_and_ranges(figure, most, achieved, denominator, final, status):
    on = date(2027, 12, 31) if final else date(2026, 1, 1)
    result = rules.judge(
        figure=figure,
        achieved=achieved,
        line=N,
        on=on,
        denominator=denominator,
        most=most,
        final=final,
    )
    assert result.status == status


# --- Who is eligible to rotate (N §2.7, preset: 6 years at the school, > 5 to retirement) ----

PRESET = rules.RotationRule(years_at_school=6, years_to_retirement=5)
JAN_2024 = date(2024, 1, 1)


def at(*spans_):
    return [rules.Period(school, start, end) for school, start, end in spans_]


@pytest.mark.parametrize(
    ("periods", "birth", "gender", "rule", "eligible"),
    [
        # Six years at the same school by 1 January, calendar and day-exact: a stay from
        # D lasts six years on D + 6 years (POLICY §8).
        (at((1, date(2018, 1, 1), None)), date(1985, 6, 15), "F", PRESET, True),
        (at((1, date(2018, 1, 2), None)), date(1985, 6, 15), "F", PRESET, False),
        (at((1, date(2018, 1, 3), None)), date(1985, 6, 15), "F", PRESET, False),
        # Two periods at one school that touch (a new role) are one stay …
        (
            at((1, date(2015, 9, 1), date(2019, 8, 31)), (1, date(2019, 9, 1), None)),
            date(1985, 6, 15),
            "M",
            PRESET,
            True,
        ),
        # … a gap ends it, and so does a move to another school.
        (
            at((1, date(2015, 9, 1), date(2019, 6, 30)), (1, date(2019, 9, 1), None)),
            date(1985, 6, 15),
            "M",
            PRESET,
            False,
        ),
        (
            at((1, date(2010, 9, 1), date(2020, 8, 31)), (2, date(2020, 9, 1), None)),
            date(1985, 6, 15),
            "M",
            PRESET,
            False,
        ),
        # Not at any school on the day.
        (at((1, date(2010, 9, 1), date(2023, 7, 31))), date(1985, 6, 15), "F", PRESET, False),
        # More than five years from retirement (women 55, men 60 in the preset).
        (at((1, date(2000, 9, 1), None)), date(1974, 1, 2), "F", PRESET, True),
        (at((1, date(2000, 9, 1), None)), date(1974, 1, 1), "F", PRESET, False),
        (at((1, date(2000, 9, 1), None)), date(1969, 1, 2), "M", PRESET, True),
        (at((1, date(2000, 9, 1), None)), date(1969, 1, 1), "M", PRESET, False),
        # Retirement ages are data.
        (
            at((1, date(2000, 9, 1), None)),
            date(1969, 1, 1),
            "M",
            rules.RotationRule(years_at_school=6, years_to_retirement=5, retirement_age_men=63),
            True,
        ),
        # No condition set: every teacher counts.
        (at((1, date(2023, 9, 1), None)), date(1965, 1, 1), "M", rules.RotationRule(), True),
    ],
)
def test_who_is_eligible_to_rotate(periods, birth, gender, rule, eligible):
    assert (
        rules.rotation_eligible(
            periods=periods, birth_date=birth, gender=gender, on=JAN_2024, rule=rule
        )
        is eligible
    )


# --- What a target counts: people, 基础教育专任教师, eligible rotators (POLICY §8) ------------

A, B = 1, 2  # two counties


def staff(*rows):
    return {row.id: row for row in rows}


def person(pk, county=A, stage="primary", serving=True, full_time=True, eligible=True):
    return rules.StaffRow(pk, county, serving, full_time, stage, eligible)


TEACHERS = staff(
    person(1),
    person(2),
    person(3, stage="vocational"),
    person(4, county=B, stage="senior"),
    person(5, county=B, serving=False),  # left
    person(6, county=B, full_time=False),
    person(7, county=B, eligible=False),
)
FAMOUS, HEAD, PRINCIPAL, BACKBONE = 10, 11, 12, 20
PLAN = dict(plan_start=date(2022, 1, 1), deadline=date(2025, 12, 31))
TITLES = [
    # Teacher 1 holds two of the three 名师 titles: one person.
    rules.TitleRow(1, FAMOUS, date(2022, 1, 1)),  # the window's first day
    rules.TitleRow(1, HEAD, date(2023, 5, 1)),
    rules.TitleRow(2, PRINCIPAL, date(2025, 12, 31)),  # the window's last day
    rules.TitleRow(4, FAMOUS, date(2021, 12, 31)),  # the day before the window
    rules.TitleRow(5, FAMOUS, date(2023, 1, 1)),  # awarded, then the teacher left
    rules.TitleRow(6, HEAD, date(2023, 1, 1), revoked_on=date(2024, 1, 1)),
    rules.TitleRow(2, BACKBONE, date(2023, 1, 1)),
    rules.TitleRow(3, BACKBONE, date(2023, 1, 1)),  # vocational
    rules.TitleRow(7, BACKBONE, date(2023, 1, 1), valid_until=date(2023, 12, 31)),
]


@pytest.mark.parametrize(
    ("goal", "on", "numerators", "denominators"),
    [
        # 新增市名校长名教师名班主任: people awarded one of the titles in the window.
        (
            rules.Goal("new_titles", frozenset({FAMOUS, HEAD, PRINCIPAL}), **PLAN),
            date(2026, 6, 1),
            {A: 2, B: 1},
            {},
        ),
        # On the first day: the first title only.
        (
            rules.Goal("new_titles", frozenset({FAMOUS, HEAD, PRINCIPAL}), **PLAN),
            date(2022, 1, 1),
            {A: 1},
            {},
        ),
        # Holders in force, serving.
        (
            rules.Goal("in_force", frozenset({FAMOUS, HEAD, PRINCIPAL}), **PLAN),
            date(2025, 12, 31),
            {A: 2, B: 1},
            {},
        ),
        # Backbone share of 基础教育专任教师: no vocational, part-time or leavers.
        (
            rules.Goal("share", frozenset({BACKBONE}), **PLAN),
            date(2024, 6, 1),
            {A: 1},
            {A: 2, B: 2},
        ),
        (
            rules.Goal("share", frozenset({BACKBONE}), include_vocational=True, **PLAN),
            date(2024, 6, 1),
            {A: 2},
            {A: 3, B: 2},
        ),
        (
            rules.Goal("share", frozenset({BACKBONE}), stages=COMPULSORY, **PLAN),
            date(2024, 6, 1),
            {A: 1},
            {A: 2, B: 1},
        ),
    ],
)
def test_what_a_target_counts(goal, on, numerators, denominators):
    assert rules.target_counts(goal, on, staff=TEACHERS, titles=TITLES) == (
        numerators,
        denominators,
    )


def test_rotation_counts_the_eligible_teachers():
    goal = rules.Goal("rotation", frozenset(), stages=COMPULSORY, **PLAN)
    rotations = [
        rules.RotationRow(1, A, date(2024, 9, 1)),
        rules.RotationRow(1, A, date(2024, 10, 1)),  # twice: one teacher
        rules.RotationRow(2, A, date(2023, 9, 1)),  # last year
        rules.RotationRow(7, B, date(2024, 9, 1)),  # not eligible to rotate
    ]
    on = date(2024, 12, 1)
    assert rules.target_counts(goal, on, staff=TEACHERS, rotations=rotations) == (
        {A: 1},
        {A: 2},  # teachers 1 and 2; 7 is not eligible, 5 left, 6 is part-time
    )
    backbone = rules.Goal("rotation_backbone", frozenset({BACKBONE}), stages=COMPULSORY, **PLAN)
    rotations.append(rules.RotationRow(2, A, date(2024, 3, 1)))
    assert rules.target_counts(
        backbone, on, staff=TEACHERS, titles=TITLES, rotations=rotations
    ) == ({A: 1}, {A: 2})
