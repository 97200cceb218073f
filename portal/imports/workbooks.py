"""Workbooks the portal writes: the blank template, the error workbook, exports.

Every cell written from data goes through ``cells.escape_formula`` so spreadsheet software
shows it and never runs it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .cells import escape_formula
from .columns import Column

HEADER_FILL = PatternFill("solid", fgColor="1F5F99")
HEADER_FONT = Font(bold=True, color="FFFFFF")
ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")
ERROR_FONT = Font(color="B42318")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template(columns: Sequence[Column], *, title: str, instructions: Sequence[str]) -> bytes:
    """A blank template: a header row, text-formatted ID column, drop-downs, one example
    row to delete, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(
            row=1, column=index, value=column.label + ("*" if column.required else "")
        )
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        # Text format for the whole column so Excel never turns an ID into 1.1E+17.
        for row in range(2, 1002):
            sheet.cell(row=row, column=index).number_format = "@"
        if column.choices:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            validation.add(f"{letter}2:{letter}1001")
            sheet.add_data_validation(validation)
        sheet.cell(row=2, column=index, value=column.example)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 70
    notes.append(["说明", ""])
    for line in instructions:
        notes.append(["", line])
    notes.append([])
    notes.append(["列名", "填写要求"])
    for column in columns:
        requirement = ("必填。" if column.required else "选填。") + column.help
        if column.choices:
            requirement += " 可选值：" + "、".join(column.choices)
        notes.append([column.label, requirement])
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
    sheet = workbook.create_sheet("导入结果")
    header = [
        _styled(sheet, escape_formula(h), fill=HEADER_FILL, font=HEADER_FONT) for h in headers
    ]
    header.append(_styled(sheet, "错误说明", fill=HEADER_FILL, font=HEADER_FONT))
    header.insert(0, _styled(sheet, "原行号", fill=HEADER_FILL, font=HEADER_FONT))
    sheet.append(header)
    for line, cells in rows:
        message = errors_by_line.get(line, "")
        values = [_plain(v) for v in cells] + [None] * (len(headers) - len(cells))
        if message:
            out = [_styled(sheet, line, fill=ERROR_FILL)]
            out += [_styled(sheet, escape_formula(v), fill=ERROR_FILL) for v in values]
            out.append(_styled(sheet, message, fill=ERROR_FILL, font=ERROR_FONT))
            sheet.append(out)
        else:
            sheet.append([line, *(escape_formula(v) for v in values), None])
    return _save(workbook)


def table_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([_styled(sheet, h, fill=HEADER_FILL, font=HEADER_FONT) for h in headers])
    for row in rows:
        sheet.append([escape_formula(_plain(v)) for v in row])
    return _save(workbook)


def table_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM, so Excel on Chinese Windows opens it with the right characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([escape_formula(_plain(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _plain(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return value if hasattr(value, "isoformat") else str(value)


def _styled(sheet, value, *, fill=None, font=None):
    cell = WriteOnlyCell(sheet, value=value)
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    return cell


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
