"""Workbooks the portal writes: the blank template, the error workbook, exports.

Every xlsx and CSV the portal builds (any app's) is built here, and two functions guard
what reaches openpyxl:

- ``cell_value``: every cell, header and note. It removes the characters a cell cannot
  hold (the control characters openpyxl refuses, and what XML cannot carry at all), then
  escapes formulas (``cells.escape_formula``) so spreadsheet software shows the text and
  never runs it.
- ``sheet_title``: every sheet title. It replaces ``[]:*?/\\``, trims to 31 characters and
  makes the title unique in its workbook.

A name typed with a stray control character (``鹿城区第一小学\\x1b``) or a bracket
(``鹿城[区]/测试``) is written without them instead of failing the whole file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .cells import escape_formula
from .columns import Column

HEADER_FILL = PatternFill("solid", fgColor="1F5F99")
HEADER_FONT = Font(bold=True, color="FFFFFF")
ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")
ERROR_FONT = Font(color="B42318")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What openpyxl refuses in a cell (the C0 control characters but tab, line feed and
# carriage return), and what no XML document can hold: lone surrogates, U+FFFE and U+FFFF.
_UNWRITABLE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ud800-\udfff\ufffe\uffff]")
MAX_CELL_CHARS = 32_767  # Excel's limit; openpyxl cuts longer text silently
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TITLE_SPACES = re.compile(r"[\t\r\n]")
MAX_TITLE_CHARS = 31
_RESERVED_TITLES = {"history"}  # Excel keeps this name for itself


def clean_text(value: str) -> str:
    """``value`` without the characters no workbook (and no CSV we write) may hold."""
    return _UNWRITABLE.sub("", value)


def cell_value(value: object) -> object:
    """The one way a value reaches a cell or a CSV field: dates and numbers as they are,
    anything else as text, cleaned of unwritable characters and formula-escaped."""
    value = _plain(value)
    if isinstance(value, str):
        value = escape_formula(clean_text(value))[:MAX_CELL_CHARS]
    return value


def sheet_title(title: object, *, taken: Iterable[str] = ()) -> str:
    """A title Excel and openpyxl accept: no ``[]:*?/\\`` (each becomes ``_``), no control
    characters (tab and line breaks become spaces), no apostrophe at either end, at most 31
    characters, and none of ``taken`` (compared as Excel does, ignoring case): a clash gets
    `` (2)``, `` (3)``…"""
    text = _TITLE_FORBIDDEN.sub("_", _TITLE_SPACES.sub(" ", clean_text(str(title))))
    text = _trim_title(text) or "Sheet"
    used = {t.casefold() for t in taken} | _RESERVED_TITLES
    candidate, number = text, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = (_trim_title(text[: MAX_TITLE_CHARS - len(suffix)]) or "Sheet") + suffix
        number += 1
    return candidate


def _trim_title(text: str) -> str:
    return text.strip(" '")[:MAX_TITLE_CHARS].strip(" '")


def _new_sheet(workbook: Workbook, title: object):
    return workbook.create_sheet(sheet_title(title, taken=workbook.sheetnames))


def _append(sheet, values: Iterable) -> None:
    sheet.append(_cells(values))


def _cells(values: Iterable) -> list:
    """A row's values through ``cell_value``; a styled cell (``_styled``) already went."""
    return [v if isinstance(v, Cell) else cell_value(v) for v in values]


def template(columns: Sequence[Column], *, title: str, instructions: Sequence[str]) -> bytes:
    """A blank template: a header row, text-formatted ID column, drop-downs, one example
    row to delete, and an instructions sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = _new_sheet(workbook, title)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(
            row=1, column=index, value=cell_value(column.label + ("*" if column.required else ""))
        )
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        # Text format for the whole column so Excel never turns an ID into 1.1E+17.
        for row in range(2, 1002):
            sheet.cell(row=row, column=index).number_format = "@"
        if column.choices:
            choices = ",".join(clean_text(c).replace('"', "") for c in column.choices)
            validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}1001")
            sheet.add_data_validation(validation)
        sheet.cell(row=2, column=index, value=cell_value(column.example))
    sheet.freeze_panes = "A2"
    notes = _new_sheet(workbook, "填写说明")
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 70
    _append(notes, ["说明", ""])
    for line in instructions:
        _append(notes, ["", line])
    _append(notes, [])
    _append(notes, ["列名", "填写要求"])
    for column in columns:
        requirement = ("必填。" if column.required else "选填。") + column.help
        if column.choices:
            requirement += " 可选值：" + "、".join(column.choices)
        _append(notes, [column.label, requirement])
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = Font(bold=True)
    return _save(workbook)


def error_workbook(
    headers: Sequence[str],
    rows: Iterable[tuple[int, list]],
    errors_by_line: dict[int, str],
    *,
    header_line: int,
) -> bytes:
    """The user's own rows with a column 错误说明 that says, per refused row, which column,
    which value and why. Refused rows are highlighted."""
    workbook = Workbook(write_only=True)
    sheet = _new_sheet(workbook, "导入结果")
    header = [_styled(sheet, h, fill=HEADER_FILL, font=HEADER_FONT) for h in headers]
    header.append(_styled(sheet, "错误说明", fill=HEADER_FILL, font=HEADER_FONT))
    header.insert(0, _styled(sheet, "原行号", fill=HEADER_FILL, font=HEADER_FONT))
    _append(sheet, header)
    for line, cells in rows:
        message = errors_by_line.get(line, "")
        values = [*cells, *[None] * (len(headers) - len(cells))]
        if message:
            out = [_styled(sheet, line, fill=ERROR_FILL)]
            out += [_styled(sheet, v, fill=ERROR_FILL) for v in values]
            out.append(_styled(sheet, message, fill=ERROR_FILL, font=ERROR_FONT))
            _append(sheet, out)
        else:
            _append(sheet, [line, *values, None])
    return _save(workbook)


def table_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, title: str) -> bytes:
    """An export: a styled header row and the rows, on one sheet named ``title``."""
    workbook = Workbook(write_only=True)
    sheet = _new_sheet(workbook, title)
    _append(sheet, [_styled(sheet, h, fill=HEADER_FILL, font=HEADER_FONT) for h in headers])
    for row in rows:
        _append(sheet, row)
    return _save(workbook)


def table_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM, so Excel on Chinese Windows opens it with the right characters.
    Fields are cleaned and formula-escaped as cells are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_cells(headers))
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _plain(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    return value if hasattr(value, "isoformat") else str(value)


def _styled(sheet, value, *, fill=None, font=None):
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    return cell


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
