"""Builders for the spreadsheets real schools send, good and bad. Each returns bytes."""

from __future__ import annotations

import codecs
import io
import zipfile

from openpyxl import Workbook

HEADER = [
    "学校标识码",
    "姓名",
    "身份证号",
    "学段",
    "任教学科",
    "编制情况",
    "是否专任教师",
    "职称",
    "从教起始日期",
]


def csv_bytes(rows, *, encoding="utf-8", bom=False, delimiter=",", header=HEADER) -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(str(c) for c in row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    if bom and encoding == "utf-8":
        data = codecs.BOM_UTF8 + data
    return data


def utf16_tab(rows, header=HEADER) -> bytes:
    """Excel's “Unicode text”: UTF-16 LE with BOM, tab-separated."""
    text = "\r\n".join("\t".join(str(c) for c in r) for r in [header, *rows]) + "\r\n"
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def xlsx_bytes(
    rows,
    *,
    header=HEADER,
    title_rows=(),
    sheet_before=False,
    merged_header=False,
    hidden_rows=(),
    formula=None,
    number_ids=False,
    id_text_format=True,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet_before:
        sheet.title = "说明"
        sheet.append(["这是一份说明，不是数据"])
        sheet = workbook.create_sheet("教师名单")
    for title in title_rows:
        sheet.append([title])
    if merged_header:
        sheet.append(["基本信息", None, None, "任教信息"])
        sheet.merge_cells(
            start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=3
        )
    sheet.append(header)
    for row in rows:
        values = list(row)
        if number_ids and len(values) > 2 and str(values[2]).isdigit():
            values[2] = int(values[2])
        sheet.append(values)
    for line in hidden_rows:
        sheet.row_dimensions[line].hidden = True
    if formula:
        cell, text = formula
        sheet[cell] = text
    return _save(workbook)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, transform, part="xl/worksheets/sheet1.xml") -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                content = transform(content)
            archive.writestr(item, content)
    return out.getvalue()


def wrong_dimension(data: bytes) -> bytes:
    import re

    return rewrite_sheet(
        data, lambda xml: re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:A1"/>', xml)
    )


def blank_trailing_rows(data: bytes, count=1_000_000) -> bytes:
    def add(xml):
        rows = "".join(
            f'<row r="{n}" s="1" customFormat="1"><c r="A{n}" s="1"/></row>'
            for n in range(100, count)
        )
        return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    return rewrite_sheet(data, add)


def formula_without_cached_value(data: bytes, cell="B3") -> bytes:
    """A formula cell with no cached value (as written by a program, not by Excel)."""
    import re

    def change(xml):
        return re.sub(
            rf'<c r="{cell}"[^>]*>.*?</c>'.encode(),
            f'<c r="{cell}"><f>CONCATENATE("林","晓")</f></c>'.encode(),
            xml,
        )

    return rewrite_sheet(data, change)


def zip_bomb() -> bytes:
    """A small xlsx whose sheet unpacks to 100 MB."""
    base = xlsx_bytes([["3030200001", "林晓", "11010519491231002X", "小学"]])

    def inflate(xml):
        padding = b"<!--" + b" " * (100 * 1024 * 1024) + b"-->"
        return xml.replace(b"<sheetData>", padding + b"<sheetData>")

    return rewrite_sheet(base, inflate)


def entity_bomb() -> bytes:
    base = xlsx_bytes([["3030200001", "林晓", "11010519491231002X", "小学"]])
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )

    def poison(xml):
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return lol + body.replace("<t>林晓</t>".encode(), b"<t>&lol3;</t>", 1)

    return rewrite_sheet(base, poison)


def old_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000 + "Workbook".encode("utf-16-le")


def encrypted_xlsx() -> bytes:
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 2000
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 2000
    )


def html_as_xls() -> bytes:
    return (
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>姓名</td>"
        "<td>身份证号</td></tr><tr><td>林晓</td><td>11010519491231002X</td></tr>"
        "</table></body></html>"
    ).encode()


def empty_workbook() -> bytes:
    return _save(Workbook())


def xlsm() -> bytes:
    base = xlsx_bytes([["3030200001", "林晓", "11010519491231002X", "小学"]])
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(base))
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 100)
    return out.getvalue()
