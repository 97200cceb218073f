"""The kernel's policy rules, table-driven from SECURITY.md (ID numbers) and POLICY.md
(years of service, ethics veto)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from portal import rules
from portal.rules import Interval, Sanction

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("raw", "expected", "birth", "gender"),
    [
        # SECURITY.md test vectors.
        ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), "F"),
        ("440524188001010014", None, None, None),  # valid checksum, but born 1880: refused below
        # Lowercase x, full-width digits and Ｘ, stray spaces, NBSP, zero-width characters.
        ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "F"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", date(1949, 12, 31), "F"),
        (" 110105 19491231 002X ", "11010519491231002X", date(1949, 12, 31), "F"),
        ("110105\u00a019491231\u200b002X", "11010519491231002X", date(1949, 12, 31), "F"),
        ("\ufeff110105199003077710", "110105199003077710", date(1990, 3, 7), "M"),
    ],
)
def test_id_numbers_accepted_after_normalising(raw, expected, birth, gender):
    if expected is None:
        with pytest.raises(rules.IDNumberError) as caught:
            rules.parse_id_number(raw, today=TODAY)
        assert caught.value.code == "age"
        return
    parsed = rules.parse_id_number(raw, today=TODAY)
    assert (parsed.value, parsed.birth_date, parsed.gender) == (expected, birth, gender)


def test_checksum_of_the_reference_vectors():
    # GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check "10X98765432"[S mod 11].
    assert rules.id_check_character("11010519491231002") == "X"
    assert rules.id_check_character("44052418800101001") == "4"


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("110105194912310021", "checksum", "校验位"),
        ("110105194902300025", "birth_date", "出生日期"),  # 30 February (checksum made right)
        ("110105203001010010", "future", "晚于今天"),
        ("110105491231002", "legacy15", "15 位"),
        ("1.1010519491231e+17", "scientific", "科学计数法"),
        ("1.10105E+17", "scientific", "科学计数法"),
        ("1101051949123100", "length", "18"),
        ("11010519491231002A", "characters", "数字"),
        ("", "empty", "为空"),
        (None, "empty", "为空"),
        (1.1010519491231e17, "numeric", "文本"),
        (110105194912310020, "numeric", "文本"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_chinese_message(raw, code, words):
    if code == "birth_date":
        raw = raw[:17] + rules.id_check_character(raw[:17])
    if code == "future":
        raw = raw[:17] + rules.id_check_character(raw[:17])
    with translation.override("zh-hans"), pytest.raises(rules.IDNumberError) as caught:
        rules.parse_id_number(raw, today=TODAY)
    assert caught.value.code == code
    assert words in caught.value.message


def test_python_digit_classes_do_not_slip_through():
    # Arabic-Indic digits are digits to Python's \d and int(); NFKC maps them to ASCII? No:
    # they stay non-ASCII and must be refused, not silently accepted.
    arabic = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"
    with pytest.raises(rules.IDNumberError):
        rules.parse_id_number(arabic, today=TODAY)


@pytest.mark.parametrize(
    ("value", "masked"),
    [("11010519491231002X", "110105********002X"), ("330304198001011234", "330304********1234")],
)
def test_masking_hides_the_birth_date(value, masked):
    assert rules.mask_id_number(value) == masked


# --- Years of service --------------------------------------------------------------------

D = date


@pytest.mark.parametrize(
    ("periods", "as_of", "days"),
    [
        ([], D(2026, 1, 1), 0),
        # One closed year, both ends inclusive.
        ([(D(2020, 1, 1), D(2020, 12, 31))], D(2026, 1, 1), 366),
        # Overlapping periods count each day once (teacher and head teacher at the same time).
        ([(D(2020, 1, 1), D(2020, 12, 31)), (D(2020, 6, 1), D(2021, 5, 31))], D(2026, 1, 1), 517),
        # Touching periods merge; a gap is not counted.
        ([(D(2020, 1, 1), D(2020, 1, 31)), (D(2020, 2, 1), D(2020, 2, 29))], D(2026, 1, 1), 60),
        ([(D(2020, 1, 1), D(2020, 1, 31)), (D(2020, 3, 1), D(2020, 3, 31))], D(2026, 1, 1), 62),
        # Judged on a day, the days before it are served (that day is in progress, POLICY
        # §8): an ongoing period runs to the eve; a period starting on or after it is ignored.
        ([(D(2025, 1, 1), None)], D(2025, 1, 10), 9),
        ([(D(2025, 1, 1), None)], D(2025, 1, 1), 0),
        ([(D(2027, 1, 1), None)], D(2026, 1, 1), 0),
        # A closed period longer than the judging day is cut on its eve.
        ([(D(2025, 1, 1), D(2030, 1, 1))], D(2025, 2, 1), 31),
        # Contained period adds nothing.
        ([(D(2000, 1, 1), None), (D(2005, 1, 1), D(2006, 1, 1))], D(2001, 1, 1), 366),
    ],
)
def test_service_days_merge_overlaps_and_skip_gaps(periods, as_of, days):
    intervals = [Interval(start, end) for start, end in periods]
    assert rules.service_days(intervals, as_of=as_of) == days


@pytest.mark.parametrize(
    ("periods", "as_of", "completed"),
    [
        # 30 years to the day → 30 completed years (rural 30-year certificate boundary).
        ([(D(1996, 9, 1), None)], D(2026, 9, 1), 30),
        ([(D(1996, 9, 1), None)], D(2026, 8, 25), 29),
        # Interrupted rural service is summed across the interruption (POLICY.md §7).
        ([(D(1990, 9, 1), D(2000, 8, 31)), (D(2005, 9, 1), D(2015, 8, 31))], D(2026, 1, 1), 20),
        ([(D(1990, 9, 1), D(2000, 8, 31)), (D(2005, 9, 1), D(2015, 8, 20))], D(2026, 1, 1), 19),
    ],
)
def test_completed_years(periods, as_of, completed):
    intervals = [Interval(start, end) for start, end in periods]
    assert rules.completed_years(intervals, as_of=as_of) == completed


# --- Ethics veto -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sanctions", "on", "vetoed"),
    [
        ([], D(2026, 1, 1), False),
        ([("warning", D(2025, 1, 1), D(2025, 12, 31))], D(2025, 12, 31), True),  # last day
        ([("warning", D(2025, 1, 1), D(2025, 12, 31))], D(2026, 1, 1), False),  # lifted
        ([("warning", D(2025, 1, 1), D(2025, 12, 31))], D(2024, 12, 31), False),  # not yet
        ([("dismissal", D(2020, 1, 1), None)], D(2030, 1, 1), True),  # until lifted
        # Veto starting mid-year: in force on that day.
        ([("demerit", D(2026, 7, 1), D(2027, 6, 30))], D(2026, 7, 1), True),
    ],
)
def test_ethics_veto(sanctions, on, vetoed):
    records = [Sanction(label, start, end) for label, start, end in sanctions]
    assert (rules.ethics_veto(records, on) is not None) is vetoed


def test_ethics_veto_names_the_earliest_sanction_in_force():
    records = [
        Sanction("late", D(2026, 3, 1), None),
        Sanction("early", D(2026, 1, 1), None),
        Sanction("lifted", D(2020, 1, 1), D(2020, 2, 1)),
    ]
    assert rules.ethics_veto(records, D(2026, 5, 1)).label == "early"


@pytest.mark.parametrize(
    ("spans", "served"),
    [
        # One span: whole calendar years and the days beyond, nothing rounded.
        ([(D(2000, 9, 1), D(2010, 8, 31))], (10, 0)),
        ([(D(2000, 1, 1), D(2019, 12, 30))], (19, 364)),
        ([(D(2024, 3, 15), D(2024, 3, 15))], (0, 1)),
        ([(D(1996, 9, 1), D(2026, 8, 31))], (30, 0)),  # judged on 1 September: 30 years
        ([(D(1996, 9, 1), None)], (30, 0)),
        # Separate spans: leftover days pool at 365 to a year.
        ([(D(2020, 1, 1), D(2020, 1, 15)), (D(2021, 1, 1), D(2021, 1, 15))], (0, 30)),
        (
            [(D(2001, 1, 1), D(2001, 7, 1)), (D(2003, 1, 1), D(2003, 7, 3))],
            (1, 1),
        ),  # 182 + 184 days
        # Overlaps count once.
        ([(D(2010, 1, 1), D(2015, 12, 31)), (D(2012, 1, 1), D(2013, 12, 31))], (6, 0)),
    ],
)
def test_years_and_days_served(spans, served):
    intervals = [Interval(start, end) for start, end in spans]
    result = rules.years_and_days(intervals, as_of=D(2026, 9, 1))
    assert (result.years, result.days) == served
    assert rules.completed_years(intervals, as_of=D(2026, 9, 1)) == served[0]


# --- Completed years and anniversaries (POLICY §8: by calendar, day-exact, no rounding) ---

from datetime import date as _d  # noqa: E402

from portal.rules import Interval as _I  # noqa: E402
from portal.rules import add_years as _add_years  # noqa: E402
from portal.rules import completed_years as _completed  # noqa: E402


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (_d(2024, 2, 29), 1, _d(2025, 2, 28)),  # 29 February → 28 February
        (_d(2024, 2, 29), 4, _d(2028, 2, 29)),
        (_d(2023, 3, 1), 1, _d(2024, 3, 1)),
        (_d(2025, 12, 31), 1, _d(2026, 12, 31)),
        (_d(2026, 1, 1), -5, _d(2021, 1, 1)),
    ],
)
def test_add_years(day, years, expected):
    assert _add_years(day, years) == expected


@pytest.mark.parametrize(
    ("spans", "as_of", "expected"),
    [
        # Issue 13 item 5: 2000-01-01 to 2019-12-30 is one day short of 20 years.
        ([(_d(2000, 1, 1), _d(2019, 12, 30))], _d(2026, 1, 1), 19),
        ([(_d(2000, 1, 1), _d(2019, 12, 31))], _d(2026, 1, 1), 20),
        # Ongoing: 20 years on 2020-01-01 (D + 20 years); on 31 December the day is in
        # progress, 19 years 364 days.
        ([(_d(2000, 1, 1), None)], _d(2020, 1, 1), 20),
        ([(_d(2000, 1, 1), None)], _d(2019, 12, 31), 19),
        ([(_d(2004, 2, 29), None)], _d(2024, 2, 29), 20),
        ([(_d(2004, 2, 29), None)], _d(2024, 2, 28), 19),
        # 29 February start: the year ends on 28 February of a common year.
        ([(_d(2004, 2, 29), _d(2005, 2, 27))], _d(2026, 1, 1), 1),
        ([(_d(2004, 2, 29), _d(2005, 2, 26))], _d(2026, 1, 1), 0),
        ([(_d(2004, 2, 29), _d(2024, 2, 27))], _d(2026, 1, 1), 19),
        ([(_d(2004, 2, 29), _d(2024, 2, 28))], _d(2026, 1, 1), 20),
        # Two spans of exactly 10 years each: 20, across the gap.
        (
            [(_d(2000, 1, 1), _d(2009, 12, 31)), (_d(2012, 1, 1), _d(2021, 12, 31))],
            _d(2026, 1, 1),
            20,
        ),
        # …one day short of the 7,305 days from 2000-01-01 to 2020-01-01: 19.
        (
            [(_d(2000, 1, 1), _d(2009, 12, 31)), (_d(2012, 1, 1), _d(2021, 12, 29))],
            _d(2026, 1, 1),
            19,
        ),
        # Overlapping spans count each day once.
        (
            [(_d(2000, 1, 1), _d(2010, 12, 31)), (_d(2005, 1, 1), _d(2019, 12, 31))],
            _d(2026, 1, 1),
            20,
        ),
        ([], _d(2026, 1, 1), 0),
        ([(_d(2026, 6, 1), None)], _d(2026, 1, 1), 0),  # not started yet
    ],
)
def test_completed_years_are_day_exact(spans, as_of, expected):
    assert _completed([_I(s, e) for s, e in spans], as_of=as_of) == expected


def test_two_spans_of_fifteen_calendar_years_are_thirty():
    """Leap days fall unevenly across spans: two spans of exactly 15 calendar years each are
    30 years, although they hold one day fewer than the 30 years from the first start."""
    spans = [_I(_d(1980, 9, 1), _d(1995, 8, 31)), _I(_d(2000, 9, 1), _d(2015, 8, 31))]
    assert _completed(spans, as_of=_d(2026, 1, 1)) == 30
    short = [_I(_d(1980, 9, 1), _d(1995, 8, 31)), _I(_d(2000, 9, 1), _d(2015, 8, 30))]
    assert _completed(short, as_of=_d(2026, 1, 1)) == 29


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("19.25"), "19.3"),  # half away from zero, as the summaries store it
        (Decimal("19.24"), "19.2"),
        (Decimal("0.05"), "0.1"),
        (Decimal(24), "24"),
        (Decimal("360.10"), "360.1"),
        (Decimal("-0.04"), "0"),
        (Decimal("-1.25"), "-1.3"),
        (2.5, "2.5"),
    ],
)
def test_one_formatter_of_figures(value, text):
    """Issue 17 item 4: the page, the transcript PDF and talent wrote decimals three ways
    (19.25 was 19.3 on the page and 19.2 in the PDF)."""
    assert rules.fmt_decimal(value) == text
