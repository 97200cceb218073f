"""Pure policy functions of the shared kernel: no ORM, no settings, no I/O.

- the resident ID number (居民身份证号, GB 11643-1999, ISO 7064 MOD 11-2);
- years of service derived from service periods (overlaps merged, gaps skipped);
- the ethics veto (师德一票否决): a sanction in force on a date vetoes the teacher.

Every function takes plain values so tests can drive them from tables.
"""

from __future__ import annotations

import calendar
import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+$", re.ASCII)
# Spaces, no-break spaces, zero-width characters, BOM and the ideographic space.
_INVISIBLE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff\u3000]")

# A working or retired teacher: born between these ages relative to the check date.
MIN_AGE_YEARS = 16
MAX_AGE_YEARS = 100


class IDNumberError(ValueError):
    """The ID number cannot be accepted; ``message`` says why and how to fix it, in the
    active language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IDNumber:
    value: str
    birth_date: date
    gender: str  # "M" or "F"
    address_code: str

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)


def normalise_id_number(raw: object) -> str:
    """Fold full-width characters (NFKC), drop every kind of space and zero-width
    character, upper-case a trailing x. Returns the text only; ``parse_id_number`` checks it."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, int | float):
        # A numeric cell: Excel has already rounded it; say so instead of guessing.
        raise IDNumberError(
            "numeric",
            _(
                "The ID number was stored as a number (%(value)s), so its last digits are "
                "lost. Format the column as text and type the number again."
            )
            % {"value": raw},
        )
    text = unicodedata.normalize("NFKC", str(raw))
    text = _INVISIBLE.sub("", text)
    return text.upper()


def parse_id_number(raw: object, *, today: date) -> IDNumber:
    """Validate an 18-character ID number and derive its birth date and gender.

    Raises ``IDNumberError`` with a message a school administrator can act on.
    """
    text = normalise_id_number(raw)
    if not text:
        raise IDNumberError("empty", _("The ID number is empty."))
    if _SCIENTIFIC.match(text):
        raise IDNumberError(
            "scientific",
            _(
                "The ID number %(value)s is in scientific notation: the spreadsheet has "
                "turned it into a number and lost its last digits. Format the column as "
                "text and type the number again."
            )
            % {"value": text},
        )
    if len(text) == 15 and text.isascii() and text.isdigit():
        raise IDNumberError(
            "legacy15",
            _(
                "The ID number %(value)s has 15 digits (the old format). Enter the "
                "18-character number shown on the current ID card."
            )
            % {"value": text},
        )
    if len(text) != 18:
        raise IDNumberError(
            "length",
            _("The ID number %(value)s has %(count)d characters; it must have 18.")
            % {"value": text, "count": len(text)},
        )
    if not _ID_PATTERN.fullmatch(text):
        raise IDNumberError(
            "characters",
            _("The ID number %(value)s may contain only digits, with an X as the last character.")
            % {"value": text},
        )
    expected = id_check_character(text[:17])
    if text[17] != expected:
        raise IDNumberError(
            "checksum",
            _(
                "The ID number %(value)s fails the check digit (the last character should "
                "be %(expected)s); please check it for a typing error."
            )
            % {"value": text, "expected": expected},
        )
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise IDNumberError(
            "birth_date",
            _("The ID number %(value)s contains an impossible birth date %(date)s.")
            % {"value": text, "date": text[6:14]},
        ) from None
    if birth > today:
        raise IDNumberError(
            "future",
            _("The ID number %(value)s has a birth date in the future (%(date)s).")
            % {"value": text, "date": birth.isoformat()},
        )
    age = years_between(birth, today)
    if age < MIN_AGE_YEARS or age > MAX_AGE_YEARS:
        raise IDNumberError(
            "age",
            _(
                "The ID number %(value)s gives a birth date of %(date)s (age %(age)d), "
                "which is not plausible for a teacher."
            )
            % {"value": text, "date": birth.isoformat(), "age": age},
        )
    gender = "M" if int(text[16]) % 2 == 1 else "F"
    return IDNumber(value=text, birth_date=birth, gender=gender, address_code=text[:6])


def id_check_character(first17: str) -> str:
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def mask_id_number(value: str) -> str:
    """Hide the birth date and sequence: 330304********123X."""
    if len(value) != 18:
        return "*" * len(value)
    return f"{value[:6]}{'*' * 8}{value[14:]}"


_ID_LIKE = re.compile(r"[0-9０-９]{6}[0-9０-９\s*]{6,}[0-9０-９xXｘＸ]", re.UNICODE)


def mask_any(text: str) -> str:
    """Mask what may be a mistyped ID number before it is stored or shown in a list: the
    first 6 and the last 3 characters stay, everything between is hidden."""
    if len(text) <= 9:
        return "*" * len(text)
    return f"{text[:6]}{'*' * (len(text) - 9)}{text[-3:]}"


def mask_id_like(text: str) -> str:
    """Mask every run of digits that could be an ID number inside free text (a name column
    that holds an ID because two columns were swapped, a value quoted in a message)."""
    return _ID_LIKE.sub(lambda match: mask_any(match.group(0)), text)


_ID_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
# What people and tools put between the groups of an ID number: spaces of every kind,
# hyphens, dots, slashes, middle dots and invisible characters.
_SEPARATORS = "\\s\\-._/·\u200b\u200c\u200d\u2060\ufeff"
_BETWEEN_DIGITS = re.compile(f"(?<=[0-9])[{_SEPARATORS}]+(?=[0-9X])")
_SPELLED_ID = re.compile(
    f"(?<![0-9])[0-9](?:[{_SEPARATORS}]*[0-9]){{16}}[{_SEPARATORS}]*[0-9Xx](?![0-9])"
)


def _folded(text: str) -> str:
    """NFKC (full-width digits) with percent-escapes decoded (a URL or a log line)."""
    from urllib.parse import unquote

    return unicodedata.normalize("NFKC", unquote(text))


def contains_id_number(text: str) -> bool:
    """Whether ``text`` holds a well-formed ID number (18 characters whose check character
    is right), however it is spelled: full-width, lower-case x, percent-escaped, or with
    spaces, hyphens, dots or invisible characters between the digits. For places an ID
    number must never be: URLs, free text, file and user names. Long runs of digits that
    are not ID numbers (time stamps) pass."""
    folded = _folded(text).upper()
    joined = _BETWEEN_DIGITS.sub("", folded)
    return any(
        id_check_character(m.group(0)[:17]) == m.group(0)[17]
        for candidate in {folded, joined}
        for m in _ID_CANDIDATE.finditer(candidate)
    )


def mask_id_numbers(text: str) -> str:
    """``text`` with every ID number masked, however it is spelled (see
    ``contains_id_number``); text without one comes back unchanged."""
    masked = mask_id_like(text)
    if not contains_id_number(masked):
        return masked
    folded = _folded(masked)
    return _SPELLED_ID.sub(
        lambda m: mask_any(re.sub(f"[{_SEPARATORS}]", "", m.group(0))), mask_id_like(folded)
    )


_NAME_JOINERS = set("·・•‧･-'’ ")


def person_name_problem(name: str) -> str | None:
    """What makes ``name`` not a person's name, or ``None``: letters of any script (with
    their combining marks), the middle dots of minority and foreign names, spaces, and a
    hyphen or apostrophe between letters. No digits (an ID number or a phone number in the
    wrong column), no formula, link or control character."""
    if not name:
        return None
    if contains_id_number(name):
        return _("This is an ID number, not a name: the columns may be swapped.")
    for character in name:
        kind = unicodedata.category(character)
        # Letters and marks of any script, and letter-numbers such as 〇 (U+3007).
        if kind[0] in "LM" or kind == "Nl" or character in _NAME_JOINERS:
            continue
        if kind == "Nd":
            return _("A name has no digits.")
        return _("A name has no “%(character)s”.") % {
            "character": character if character.isprintable() else repr(character)
        }
    if name[0] in "-'’" or name[-1] in "-'’":
        return _("A name does not start or end with a hyphen or an apostrophe.")
    if not any(unicodedata.category(c)[0] == "L" for c in name):
        return _("A name needs at least one letter.")
    return None


def id_number_in_text_problem(text: str) -> str | None:
    """A free-text value that holds an ID number would show it unmasked wherever the text
    goes (previews, the audit log, exports): refuse it."""
    if text and contains_id_number(text):
        return _(
            "This text contains an ID number, which may only be entered in the ID number "
            "column. Remove it."
        )
    return None


def small_int(text: object, *, digits: int = 18) -> int | None:
    """A non-negative whole number typed in a form, a query string or a cell, or ``None``:
    ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` raises) and at most
    ``digits`` of them (a 5,000-digit id must not reach the database). Every view and
    import that reads an id or a year from text uses it."""
    value = str(text).strip() if text is not None else ""
    if not value or len(value) > digits or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def id_problem(code: str) -> str:
    """What is wrong with an ID number, without repeating the number or its birth date: for
    lists that other people see (the import preview, the error column)."""
    messages = {
        "empty": _("The ID number is empty."),
        "numeric": _(
            "The ID number was stored as a number, so its last digits are lost. Format the "
            "column as text and type the number again."
        ),
        "scientific": _(
            "The ID number is in scientific notation: the spreadsheet has lost its last "
            "digits. Format the column as text and type the number again."
        ),
        "legacy15": _("The ID number has 15 digits (the old format); enter the 18-character one."),
        "length": _("The ID number must have 18 characters."),
        "characters": _("The ID number may contain only digits, with an X as the last character."),
        "checksum": _("The ID number fails the check digit; please check it for a typing error."),
        "birth_date": _("The birth date inside the ID number does not exist."),
        "future": _("The birth date inside the ID number is in the future."),
        "age": _("The birth date inside the ID number is not plausible for a teacher."),
    }
    return messages.get(code, _("The ID number is not valid."))


def years_between(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end`` (an age)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


# --- Service years -------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    start: date
    end: date | None  # None: still running

    def closed(self, as_of: date) -> tuple[date, date] | None:
        """The days of the interval served by the start of ``as_of`` (``as_of`` itself is
        not yet served), or None if it starts on or after it."""
        last = as_of - timedelta(days=1)
        end = last if self.end is None else min(self.end, last)
        if end < self.start:
            return None
        return self.start, end


def last_full_day(today: date) -> date:
    """The last day fully served when judging today: yesterday."""
    return today - timedelta(days=1)


def merge_intervals(intervals: Iterable[Interval], *, as_of: date) -> list[tuple[date, date]]:
    """Merge overlapping or touching intervals (both ends inclusive), counting the days
    served by the start of ``as_of``: judged on a day, that day is still in progress, so a
    span from D has lasted N years on D + N years (POLICY §8). A judgement "at the end of"
    a day (31 December for a year) passes the day after. Every count of service (years,
    days, the rural year) goes through here."""
    spans = sorted(span for span in (i.closed(as_of) for i in intervals) if span is not None)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + timedelta(days=1):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def service_days(intervals: Iterable[Interval], *, as_of: date) -> int:
    """Days served, each day counted once however many periods cover it."""
    return sum((end - start).days + 1 for start, end in merge_intervals(intervals, as_of=as_of))


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (or earlier): 29 February becomes 28 February in
    a common year. The one date helper for anniversaries, "a year after" and cycle ends."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


DAYS_PER_POOLED_YEAR = 365  # leftover days of separate spans make a year at this count


def span_years_days(start: date, end: date) -> tuple[int, int]:
    """Whole calendar years from ``start`` to ``end`` inclusive, and the days left over: a
    span that starts on D completes N years on the eve of D + N years (29 February → 28
    February in a common year). 2000-01-01 → 2019-12-31 is (20, 0); → 2019-12-30 is (19, 364)."""
    after = end + timedelta(days=1)
    years = after.year - start.year
    while years > 0 and add_years(start, years) > after:
        years -= 1
    return years, (after - add_years(start, years)).days


@dataclass(frozen=True)
class Served:
    """Time served: whole years and the days beyond them (``years_and_days``)."""

    years: int
    days: int


def years_and_days(intervals: Iterable[Interval], *, as_of: date) -> Served:
    """Years served ("满 N 年", "N 年以上") and the days beyond, counted by calendar and
    day-exact across merged spans: each span's whole calendar years, plus the leftover days
    of separate spans pooled at 365 to a year. One span's leftover is short of a calendar
    year by definition (it reaches 365 days in a year with a 29 February), so it makes no
    year alone. Nothing is rounded up (POLICY §8). The one definition of years of service:
    honours, titles, pages and the API read it."""
    years, leftovers = 0, []
    for start, end in merge_intervals(intervals, as_of=as_of):
        span_years, span_days = span_years_days(start, end)
        years += span_years
        if span_days:
            leftovers.append(span_days)
    pooled = sum(leftovers)
    if len(leftovers) > 1:
        return Served(years + pooled // DAYS_PER_POOLED_YEAR, pooled % DAYS_PER_POOLED_YEAR)
    return Served(years, pooled)


def completed_years(intervals: Iterable[Interval], *, as_of: date) -> int:
    """Whole years served (``years_and_days``)."""
    return years_and_days(intervals, as_of=as_of).years


def fmt_decimal(value, places: int = 1) -> str:
    """A figure as every page, PDF, export and message writes it: rounded half away from
    zero to ``places`` (0.05 → 0.1, as the stored summaries round), trailing zeros dropped
    (24.0 → "24"). The one formatter of figures."""
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def service_began(started_teaching: date | None, first_period: date | None) -> date | None:
    """When a teacher entered service: the earlier of the day they started teaching and
    their first service period (either may be unknown)."""
    known = [d for d in (started_teaching, first_period) if d is not None]
    return min(known) if known else None


def service_left(
    status: str, retired_on: date | None, last_period_end: date | None, open_period: bool
) -> date | None:
    """When a teacher left service: none while serving; a retiree's retirement day; else the
    end of their last service period."""
    if status == "serving":
        return None
    if status == "retired" and retired_on is not None:
        return retired_on
    return None if open_period else last_period_end


def before_service_problem(on: date, began: date | None) -> str | None:
    """A training record (or any credit) dated before the teacher entered service is refused
    (POLICY §8)."""
    if began is not None and on < began:
        return _(
            "The date %(date)s is before the teacher entered service (%(began)s); training "
            "before service is not credited."
        ) % {"date": on.isoformat(), "began": began.isoformat()}
    return None


# --- Ethics veto ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sanction:
    label: str
    in_force_from: date
    in_force_to: date | None  # None: in force until lifted


def sanction_in_force(sanction: Sanction, on: date) -> bool:
    if on < sanction.in_force_from:
        return False
    return sanction.in_force_to is None or on <= sanction.in_force_to


def ethics_veto(sanctions: Iterable[Sanction], on: date) -> Sanction | None:
    """The sanction that vetoes selection, titles, promotion and honours on ``on``, if any
    (师德一票否决). The earliest-starting one in force is returned so the reason is stable."""
    in_force = [s for s in sanctions if sanction_in_force(s, on)]
    return min(in_force, key=lambda s: s.in_force_from) if in_force else None
