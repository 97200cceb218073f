"""Turn one raw spreadsheet cell into a value, or say in words why it cannot be.

Pure functions: each takes the raw cell (str, int, float, bool, date, datetime or None) and
returns the value or raises ``CellError`` with a message for the user.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, with Excel's 1900 leap-year bug
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月$"),
]
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "专任"}
_FALSE = {"否", "n", "no", "false", "0", "×", "非专任"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Zero-width characters, and control characters no cell should hold (a NUL cannot even be
# stored in PostgreSQL text).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_MIDDLE_DOTS = re.compile("[・•‧･∙⋅]")


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(raw: object) -> str:
    """Text as typed: NFKC-folded (full-width letters and digits become ASCII), no-break
    and zero-width spaces removed, ends trimmed. Numbers that Excel stored as floats come
    back without a trailing ``.0``."""
    if raw is None:
        return ""
    if type(raw) is str and raw.isascii() and raw.isprintable():
        return raw.strip()  # NFKC leaves printable ASCII as it is
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = unicodedata.normalize("NFKC", str(raw))
    value = _INVISIBLE.sub("", value)
    return value.replace("\u00a0", " ").strip()


def name(raw: object) -> str:
    """A person's name: inner spaces removed, the middle dots of minority and foreign names
    (· ・ • ‧ ･) unified to ``·``."""
    return _MIDDLE_DOTS.sub("·", _SPACES.sub("", text(raw)))


def parse_date(
    raw: object, *, earliest: date = date(1940, 1, 1), latest: date | None = None
) -> date:
    """A date from an Excel date cell, an Excel serial number, or text such as 2024-01-01,
    2024/1/1, 2024.1.1, 2024年1月1日 or 20240101; a month (2024-09, 2024年9月) means its 1st."""
    if raw is None or raw == "":
        raise CellError(_("The date is empty."))
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 1 <= raw < 2_958_466:
            raise CellError(_("%(value)s is not a date.") % {"value": raw})
        value = EXCEL_EPOCH + timedelta(days=int(raw))
    else:
        value = _date_from_text(text(raw))
    if value < earliest or (latest is not None and value > latest):
        raise CellError(
            _("The date %(date)s is outside the plausible range.") % {"date": value.isoformat()}
        )
    return value


def _date_from_text(value: str) -> date:
    candidate = value.replace(" ", "")
    if re.fullmatch(r"\d{5}(\.0+)?", candidate):
        return EXCEL_EPOCH + timedelta(days=int(float(candidate)))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(candidate)
        if match:
            year, month, day = (int(g) for g in match.groups())
            break
    else:
        for pattern in _MONTH_PATTERNS:
            match = pattern.match(candidate)
            if match:
                year, month, day = int(match.group(1)), int(match.group(2)), 1
                break
        else:
            raise CellError(
                _("“%(value)s” is not a date; write it as 2024-01-01.") % {"value": value}
            )
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": value}) from None


def parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    value = text(raw).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(_("“%(value)s” should be 是 or 否.") % {"value": value})


class Choices:
    """Look-up of a choice by its Chinese label, its English label, its code or an extra
    synonym, built once per import (not once per cell)."""

    def __init__(self, choices, synonyms: dict[str, str] | None = None):
        from django.utils import translation

        self.lookup: dict[str, str] = {}
        with translation.override("zh-hans"):
            self.labels = [str(label) for _code, label in choices]
            for code, label in choices:
                self.lookup[_fold(str(label))] = code
        with translation.override("en"):
            for code, label in choices:
                self.lookup.setdefault(_fold(str(label)), code)
        for code, _label in choices:
            self.lookup.setdefault(_fold(code), code)
        for synonym, code in (synonyms or {}).items():
            self.lookup.setdefault(_fold(synonym), code)

    def parse(self, value: str) -> str:
        """``value`` is already cleaned by ``text``."""
        try:
            return self.lookup[_fold(value)]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": "、".join(self.labels)}
            ) from None


def _fold(value: str) -> str:
    return value.lower().replace(" ", "")


def escape_formula(value: object) -> object:
    """Make a cell safe to open in a spreadsheet: text starting with = + - @ tab or CR gets
    a leading apostrophe so it is shown, never run."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
