"""Read an uploaded file into a table of raw cell values, or refuse it with a message that
says what is wrong and how to fix it.

Everything a school's spreadsheet may be is sniffed from its bytes, not its name: xlsx (zip),
old .xls / WPS .et / encrypted workbooks (OLE2), HTML saved with an Excel extension, and text
(CSV or tab-separated) in UTF-8, UTF-8 with BOM, UTF-16 or GB18030.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
HEADER_SEARCH_ROWS = 30
BLANK_ROWS_THAT_END_A_SHEET = 1000
# Tags are matched with a bounded length so a crafted file cannot make a regex quadratic.
_ROW_TAG = re.compile(rb"<row\b([^<>]{0,400})>")
_ROW_NUMBER = re.compile(rb'\br="(\d{1,7})"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
# A cell with content (not a self-closing, merely formatted cell) and its reference.
_FILLED_CELL = re.compile(rb'<c\b[^<>]{0,200}?\br="([A-Z]{1,3})(\d{1,7})"[^<>]{0,200}?(?<!/)>')
MAX_COLUMNS = 200
PROLOG_BYTES = 1024 * 1024


class FileRefused(Exception):
    """The file as a whole cannot be read; ``message`` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """Raw cells of the sheet that holds the data. ``rows`` are (row number as the user
    sees it in their spreadsheet, cells); blank rows are left out."""

    headers: list[str]
    rows: list[tuple[int, list]]
    sheet_name: str = ""
    header_line: int = 1
    warnings: list[str] = field(default_factory=list)


def too_large_message(size: int) -> str:
    return _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.") % {
        "size": round(size / 1e6, 1),
        "limit": round(settings.IMPORT_MAX_UPLOAD_BYTES / 1e6),
    }


def normalise_header(text: object) -> str:
    """Fold a header cell to compare it with known names: NFKC, no spaces, no asterisks or
    bracketed notes such as （必填）."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\(.*?\)|\[.*?\]", "", value)
    return re.sub(r"[\s*:：]", "", value).lower()


def read_table(data: bytes, *, file_name: str, is_header: Callable[[Sequence[str]], int]) -> Table:
    """Sniff, check and read ``data``. ``is_header(cells)`` scores how much a row looks like
    this import's header row (the number of known column names in it); the best-scoring row
    among the first rows of the first sheet that has one is the header."""
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise FileRefused(too_large_message(len(data)))
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise FileRefused(
                _(
                    "The workbook is protected with a password. Remove the password (File → "
                    "Info → Protect Workbook) and upload it again."
                )
            )
        raise FileRefused(
            _(
                "This is an old-format Excel (.xls) or WPS (.et) workbook. Open it and save it "
                "as “Excel Workbook (.xlsx)” or as CSV, then upload that file."
            )
        )
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, is_header)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and (b"<html" in head or b"<table" in head or b"<!doctype" in head):
        raise FileRefused(
            _(
                "This file is a web page (HTML) with a spreadsheet's name, as some systems "
                "export. Open it in Excel and save it as “Excel Workbook (.xlsx)”."
            )
        )
    return _read_text(data, is_header)


# --- Text (CSV, tab-separated) ------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(
                _("The file says it is UTF-16 text but cannot be read as such.")
            ) from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FileRefused(
            _(
                "Line %(line)d of the file contains a NUL byte: the file is damaged or not a "
                "text file. Save it again from Excel as CSV."
            )
            % {"line": line}
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(
        _("The file's text encoding is not recognised. Save it from Excel as “CSV UTF-8”.")
    )


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:10])
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_text(data: bytes, is_header) -> Table:
    text = _decode(data)
    if "\x00" in text:
        raise FileRefused(_("The file contains NUL characters: it is damaged or not a text file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
                if len(rows) % 1000 == 0:
                    _check_row_count(len(rows))
    except csv.Error as exc:
        raise FileRefused(
            _(
                "Row %(row)d of the file cannot be read (%(reason)s): most often a quote mark "
                "without its partner. Correct that row and upload again."
            )
            % {"row": number + 1, "reason": exc}
        ) from None
    return _with_header(rows, is_header, sheet_name="")


# --- Excel workbooks --------------------------------------------------------------------


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise FileRefused(_("The workbook is damaged and cannot be opened.")) from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused(
            _("This is a zip archive but not an Excel workbook. Upload an .xlsx or .csv file.")
        )
    if any(name.endswith("vbaProject.bin") for name in names):
        raise FileRefused(
            _(
                "The workbook contains macros (.xlsm). Save it as “Excel Workbook (.xlsx)” "
                "without macros and upload that file."
            )
        )
    total = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    if (
        total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES
        or total / compressed > settings.IMPORT_MAX_COMPRESSION_RATIO
    ):
        raise FileRefused(
            _(
                "The workbook unpacks to %(size)s MB, far more than its data could need: it is "
                "damaged or crafted to exhaust the server. Copy the data into a new workbook."
            )
            % {"size": round(total / 1e6)}
        )
    for member in members:
        if not member.is_dir():
            with archive.open(member) as part:
                prolog = part.read(PROLOG_BYTES)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise FileRefused(
                    _(
                        "The workbook contains XML entity declarations, which Excel never "
                        "writes and which can be used to attack the server. Copy the data "
                        "into a new workbook."
                    )
                )
    return archive


def _sheet_xml(archive: zipfile.ZipFile, sheet_index: int) -> bytes:
    try:
        return archive.read(f"xl/worksheets/sheet{sheet_index + 1}.xml")
    except KeyError:
        return b""


def _hidden_rows(xml: bytes) -> set[int]:
    found = set()
    for tag in _ROW_TAG.finditer(xml):
        attributes = tag.group(1)
        if _HIDDEN.search(attributes):
            number = _ROW_NUMBER.search(attributes)
            if number:
                found.add(int(number.group(1)))
    return found


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _check_extent(xml: bytes) -> None:
    """Refuse a sheet whose filled cells reach beyond what an import may hold, before the
    reader builds a grid from A1 to its furthest cell (one cell at XFD1048576 would ask for
    hundreds of gigabytes)."""
    max_row = max_column = 0
    for cell in _FILLED_CELL.finditer(xml):
        max_column = max(max_column, _column_number(cell.group(1)))
        max_row = max(max_row, int(cell.group(2)))
    limit = settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS + BLANK_ROWS_THAT_END_A_SHEET
    if max_row > limit or max_column > MAX_COLUMNS:
        raise FileRefused(
            _(
                "The sheet has data as far as row %(row)d, column %(column)d, beyond what one "
                "import may hold (%(limit)d rows, %(columns)d columns). Delete the stray cells "
                "or split the file."
            )
            % {
                "row": max_row,
                "column": max_column,
                "limit": settings.IMPORT_MAX_ROWS,
                "columns": MAX_COLUMNS,
            }
        )


def _read_xlsx(data: bytes, is_header) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    archive = _check_zip(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise FileRefused(_("The workbook cannot be read: %(reason)s") % {"reason": exc}) from None
    if not workbook.sheet_names:
        raise FileRefused(_("The workbook has no sheet."))
    for index, name in enumerate(workbook.sheet_names):
        xml = _sheet_xml(archive, index)
        _check_extent(xml)
        try:
            sheet = workbook.get_sheet_by_index(index)
            rows = _sheet_rows(sheet)
        except CalamineError as exc:
            raise FileRefused(
                _("The sheet “%(sheet)s” cannot be read: %(reason)s")
                % {"sheet": name, "reason": str(exc)[:200]}
            ) from None
        if _find_header(rows, is_header) is None:
            continue
        table = _with_header(rows, is_header, sheet_name=name)
        if index > 0:
            table.warnings.append(
                _("The data was read from the sheet “%(sheet)s”.") % {"sheet": name}
            )
        hidden = sorted(h for h in _hidden_rows(xml) if h > table.header_line)
        if hidden:
            shown = "、".join(str(h) for h in hidden[:20]) + ("…" if len(hidden) > 20 else "")
            table.warnings.append(
                _("Rows %(rows)s are hidden in the workbook; they were read like the others.")
                % {"rows": shown}
            )
        return table
    raise FileRefused(_no_header_message())


def _sheet_rows(sheet) -> list[tuple[int, list]]:
    """Non-blank rows with their spreadsheet row numbers; a long run of blank rows (a sheet
    formatted down to row 1,048,576) ends the sheet."""
    rows: list[tuple[int, list]] = []
    blank_run = 0
    first_row = sheet.start[0] + 1 if sheet.start else 1
    for offset, cells in enumerate(sheet.iter_rows()):
        if any(cell not in ("", None) for cell in cells):
            rows.append((first_row + offset, list(cells)))
            blank_run = 0
            if len(rows) % 1000 == 0:
                _check_row_count(len(rows))
        else:
            blank_run += 1
            if blank_run >= BLANK_ROWS_THAT_END_A_SHEET and rows:
                break
    return rows


# --- Header ------------------------------------------------------------------------------


def _check_row_count(count: int) -> None:
    if count > settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileRefused(
            _("The file has more than %(limit)d rows. Split it into smaller files.")
            % {"limit": settings.IMPORT_MAX_ROWS}
        )


def _no_header_message() -> str:
    return _(
        "No header row was found: the first rows of every sheet lack the column names of the "
        "template (for example 姓名 and 身份证号). Download the template and keep its header row."
    )


def _find_header(rows, is_header) -> int | None:
    best, best_score = None, 0
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = is_header([str(c) if c is not None else "" for c in cells])
        if score > best_score:
            best, best_score = position, score
    return best


def _with_header(rows, is_header, *, sheet_name: str) -> Table:
    if not rows:
        raise FileRefused(_("The file has no rows."))
    position = _find_header(rows, is_header)
    if position is None:
        raise FileRefused(_no_header_message())
    header_line, header_cells = rows[position]
    headers = [str(c) if c not in (None, "") else "" for c in header_cells]
    # A two-row header with merged cells: a name merged down from the row above.
    if position > 0:
        above = rows[position - 1][1]
        for i, name in enumerate(headers):
            if not name and i < len(above) and above[i] not in (None, ""):
                headers[i] = str(above[i])
    data = rows[position + 1 :]
    _check_row_count(len(data))
    if not data:
        raise FileRefused(_("The file has a header row but no data rows."))
    return Table(headers=headers, rows=data, sheet_name=sheet_name, header_line=header_line)
