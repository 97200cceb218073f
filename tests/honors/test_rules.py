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


# --- Candidacy: who the scan makes a candidate (POLICY §8) ------------------------------------
# A veto removes a candidate and never creates one; 荣誉退休 is for any member of staff
# retiring in the year; an honour is awarded once per person and type, and a revoked award
# may be proposed again.

RETIREMENT = HonourRule(basis=rules.RETIREMENT)


def principal(start, end):
    return Period(start, end, "principal", "junior", False)


@pytest.mark.parametrize(
    ("case", "rule", "year", "on", "serving", "retired_on", "veto", "awards", "status"),
    [
        # 荣誉退休
        ("serving + veto", RETIREMENT, 2026, D(2026, 12, 31), True, None, "警告", [], None),
        ("serving, clean", RETIREMENT, 2026, D(2026, 12, 31), True, None, None, [], None),
        (
            "retired this year + veto",
            RETIREMENT,
            2026,
            D(2026, 12, 31),
            False,
            D(2026, 8, 31),
            "警告",
            [],
            rules.VETOED,
        ),
        (
            "retired this year, clean",
            RETIREMENT,
            2026,
            D(2026, 12, 31),
            False,
            D(2026, 8, 31),
            None,
            [],
            rules.PROPOSED,
        ),
        (
            "retired last year",
            RETIREMENT,
            2026,
            D(2026, 12, 31),
            False,
            D(2025, 8, 31),
            None,
            [],
            None,
        ),
        (
            "retired last year + veto",
            RETIREMENT,
            2026,
            D(2026, 12, 31),
            False,
            D(2025, 8, 31),
            "警告",
            [],
            None,
        ),
        ("not serving, no date", RETIREMENT, 2026, D(2026, 12, 31), False, None, None, [], None),
        (
            "29 February, that year",
            RETIREMENT,
            2028,
            D(2028, 12, 31),
            False,
            D(2028, 2, 29),
            None,
            [],
            rules.PROPOSED,
        ),
        (
            "29 February, the next year",
            RETIREMENT,
            2029,
            D(2029, 12, 31),
            False,
            D(2028, 2, 29),
            None,
            [],
            None,
        ),
        (
            # Judged at the end of 27 February (a scan run on the 28th): not yet retired.
            "29 February, judged two days before",
            RETIREMENT,
            2028,
            D(2028, 2, 27),
            False,
            D(2028, 2, 29),
            None,
            [],
            None,
        ),
        (
            "31 December, judged that day",
            RETIREMENT,
            2026,
            D(2026, 12, 31),
            False,
            D(2026, 12, 31),
            None,
            [],
            rules.PROPOSED,
        ),
        (
            # Judged at the end of 29 December (a scan run on the 30th): not yet retired.
            "31 December, judged two days before",
            RETIREMENT,
            2026,
            D(2026, 12, 29),
            False,
            D(2026, 12, 31),
            None,
            [],
            None,
        ),
        (
            "31 December, the next year's scan",
            RETIREMENT,
            2027,
            D(2027, 12, 31),
            False,
            D(2026, 12, 31),
            None,
            [],
            None,
        ),
        (
            "retirement already awarded",
            RETIREMENT,
            2026,
            D(2026, 12, 31),
            False,
            D(2026, 8, 31),
            None,
            [rules.PastAward(2026)],
            None,
        ),
        # Years of service: the veto only turns a qualifying candidate into a vetoed one.
        (
            "30 years + veto",
            TEACHING_30,
            2026,
            D(2026, 12, 31),
            True,
            None,
            "警告",
            [],
            rules.VETOED,
        ),
        (
            "30 years, clean",
            TEACHING_30,
            2026,
            D(2026, 12, 31),
            True,
            None,
            None,
            [],
            rules.PROPOSED,
        ),
        (
            "already awarded",
            TEACHING_30,
            2027,
            D(2027, 12, 31),
            True,
            None,
            None,
            [rules.PastAward(2026)],
            None,
        ),
        (
            "already awarded + veto",
            TEACHING_30,
            2027,
            D(2027, 12, 31),
            True,
            None,
            "警告",
            [rules.PastAward(2026)],
            None,
        ),
        (
            "revoked: proposed again",
            TEACHING_30,
            2027,
            D(2027, 12, 31),
            True,
            None,
            None,
            [rules.PastAward(2026, revoked_on=D(2027, 3, 1))],
            rules.PROPOSED,
        ),
        (
            "revoked once, held again",
            TEACHING_30,
            2028,
            D(2028, 12, 31),
            True,
            None,
            None,
            [rules.PastAward(2026, revoked_on=D(2027, 3, 1)), rules.PastAward(2027)],
            None,
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and " " in value else None,
)
def test_candidacy(case, rule, year, on, serving, retired_on, veto, awards, status):
    periods = [town(D(1990, 9, 1), None if serving else retired_on)]
    result = rules.candidacy(
        periods=periods,
        rule=rule,
        year=year,
        on=on,
        serving=serving,
        retired_on=retired_on,
        veto=veto,
        awards=awards,
    )
    assert result.status == status, (case, result)
    if status == rules.VETOED:
        assert "警告" in result.verdict.reason


def test_the_veto_never_creates_a_years_candidate():
    """29 years and a sanction: not a candidate at all (before, "vetoed")."""
    result = rules.candidacy(
        periods=[town(D(1997, 9, 1), None)],
        rule=TEACHING_30,
        year=2026,
        on=D(2026, 12, 31),
        serving=True,
        retired_on=None,
        veto="警告",
    )
    assert result.status is None


@pytest.mark.parametrize(
    ("periods", "status"),
    [
        ([principal(D(1995, 9, 1), D(2026, 7, 31))], rules.PROPOSED),  # a principal
        ([], rules.PROPOSED),  # staff with no teaching period on record (教职工)
    ],
)
def test_honorary_retirement_is_for_any_member_of_staff(periods, status):
    result = rules.candidacy(
        periods=periods,
        rule=RETIREMENT,
        year=2026,
        on=D(2026, 12, 31),
        serving=False,
        retired_on=D(2026, 7, 31),
        veto=None,
    )
    assert result.status == status


def test_held_counts_only_awards_in_force():
    assert not rules.holds([])
    assert rules.holds([rules.PastAward(2020)])
    assert not rules.holds([rules.PastAward(2020, revoked_on=D(2021, 1, 1))])


# --- Cadence of nominated honours (POLICY §3: every five years from 2023) ---------------------


@pytest.mark.parametrize(
    ("year", "first", "every", "open_", "next_open"),
    [
        (2023, 2023, 5, True, 2023),
        (2024, 2023, 5, False, 2028),
        (2026, 2023, 5, False, 2028),
        (2027, 2023, 5, False, 2028),
        (2028, 2023, 5, True, 2028),
        (2033, 2023, 5, True, 2033),
        (2020, 2023, 5, False, 2023),  # before the first year
        (2026, None, None, True, 2026),  # blank: every year
        (2026, 2023, 1, True, 2026),
    ],
)
def test_cadence(year, first, every, open_, next_open):
    assert rules.open_in(year, first=first, every=every) is open_
    assert rules.next_open(year, first=first, every=every) == next_open


def test_certificate_numbers_are_digits_and_fit_whatever_the_codes():
    from honors.models import Award
    from talent import rules as talent_rules
    from talent.models import Title

    number = rules.certificate_number("330300", 2026, 12345, 99999)
    assert number == "330300-2026-12345-99999"
    assert len(number) <= Award._meta.get_field("certificate_number").max_length
    title = talent_rules.certificate_number("330300", 2026, 12, 1)
    assert title == "330300-2026-0012-00001"
    assert len(talent_rules.certificate_number("330300", 2026, 99999, 99999)) <= (
        Title._meta.get_field("certificate_number").max_length
    )
