"""Findings of the security review on spreadsheet imports: a crafted 1.7 KB workbook aborted
the process reading it (the worker, redelivered in a loop, or the web process in eager mode).

Each hostile workbook below is built here, byte by byte, and must be refused quickly with a
clear message; whatever slips past the checks is read in a child process with a memory and
time limit, so no file can take down the process that reads it. The reads of hostile files are
run in a forked, memory-capped child of the test (``isolated``) so that a regression fails the
test instead of killing the test runner."""

from __future__ import annotations

import io
import os
import pickle
import resource
import signal
import time
import zipfile

import pytest
from django.db import connection
from django.utils import translation

from portal.imports import kinds, readers, services
from portal.imports.columns import header_score
from portal.imports.readers import FileRefused, read_table
from portal.models import ImportJob

from .. import factories
from .. import import_files as files

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET = RELS + "/worksheet"
QUICK = 10  # seconds: every refusal here takes well under one


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    """Tests run inside a transaction that never commits: run on-commit tasks at once."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


# --- Building workbooks by hand ------------------------------------------------------------


def inline(ref: str, text: str, quote: str = '"') -> str:
    return f"<c r={quote}{ref}{quote} t={quote}inlineStr{quote}><is><t>{text}</t></is></c>"


def header_row(number: int = 1) -> str:
    columns = "ABCDEFGHI"
    cells = "".join(inline(f"{columns[i]}{number}", name) for i, name in enumerate(files.HEADER))
    return f'<row r="{number}">{cells}</row>'


def data_row(number: int, school_code: str = "3030200001") -> str:
    values = [school_code, "林晓", factories.id_number(), "小学", "语文", "在编", "是"]
    cells = "".join(inline(f"{'ABCDEFG'[i]}{number}", value) for i, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: str, *, before: str = "", prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<{p}worksheet {xmlns}>{before}<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"
    ).encode()


def workbook(sheets: list[tuple[str, str, bytes]], *, extra: dict | None = None) -> bytes:
    """An xlsx of ``sheets``: (sheet name, target as written in workbook.xml.rels, part XML).
    The target says where the part is, relative to xl/ (or absolute, from the root)."""
    entries = []
    relationships = []
    parts = {}
    for number, (name, target, xml) in enumerate(sheets, start=1):
        entries.append(f'<sheet name="{name}" sheetId="{number}" r:id="rId{number}"/>')
        relationships.append(
            f'<Relationship Id="rId{number}" Type="{WORKSHEET}" Target="{target}"/>'
        )
        parts[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = xml
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        f"<sheets>{''.join(entries)}</sheets></workbook>"
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
        f"{''.join(relationships)}</Relationships>"
    ).encode()
    parts["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
        f"</Relationships>"
    ).encode()
    parts["[Content_Types].xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        b'ContentType="application/xml"/></Types>'
    )
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def one_sheet(rows: str, *, target: str = "worksheets/sheet1.xml", **options) -> bytes:
    return workbook([("教师名单", target, sheet_xml(header_row() + rows, **options))])


# The findings and their variants. Each builder returns (workbook, a number the refusal names).


def single_quoted_far_cell():
    return one_sheet("<row r='1048576'>" + inline("XFD1048576", "x", quote="'") + "</row>"), 1048576


def spaces_around_equals():
    return one_sheet('<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>'), 1048576


def tabs_and_newlines_around_equals():
    return one_sheet('<row r="9"><c\n\tr\t=\n"XFD9"\n><v>1</v></c></row>'), 16384


def far_cell_in_an_unusually_named_part():
    return one_sheet(
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', target="worksheets/data.xml"
    ), 1048576


def far_cell_in_a_part_named_from_the_root():
    return one_sheet(
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', target="/xl/other/place.xml"
    ), 1048576


def far_cell_in_the_first_sheet_whose_part_is_sheet2():
    """Sheet order comes from workbook.xml, not from the part names: the first sheet reads
    sheet2.xml, which has the far cell; sheet1.xml (read second) is harmless."""
    harmless = sheet_xml(header_row())
    hostile = sheet_xml(header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    return workbook(
        [("名单", "worksheets/sheet2.xml", hostile), ("说明", "worksheets/sheet1.xml", harmless)]
    ), 1048576


def far_cell_double_quoted():
    return one_sheet('<row r="1048576">' + inline("XFD1048576", "x") + "</row>"), 1048576


def eight_thousand_rows_with_a_cell_in_column_xfd():
    rows = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, 8002))
    return one_sheet(rows), 16384


def a_cell_with_a_namespace_prefix():
    return one_sheet('<row r="9"><x:c r="XFD9"><x:v>1</x:v></x:c></row>', prefix=""), 16384


def a_whole_sheet_with_a_namespace_prefix():
    rows = header_row().replace("<row", "<x:row").replace("</row>", "</x:row>")
    rows = rows.replace("<c ", "<x:c ").replace("</c>", "</x:c>")
    far = '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
    return workbook([("名单", "worksheets/sheet1.xml", sheet_xml(rows + far, prefix="x"))]), 1048576


def a_closing_bracket_inside_an_attribute_before_the_reference():
    return one_sheet('<row r="9"><c note=">" r="XFD9"><v>1</v></c></row>'), 16384


def cells_without_references_far_to_the_right():
    """A cell without an r attribute follows the previous one: 20,000 of them in one row
    reach column 20,000."""
    return one_sheet('<row r="2">' + "<c><v>1</v></c>" * 20_000 + "</row>"), 20000


def a_row_number_far_down_then_cells_without_references():
    return one_sheet('<row r="1048576"><c><v>1</v></c></row>'), 1048576


def rows_without_numbers_far_down():
    """A row without r follows the previous one."""
    return one_sheet('<row r="1048000"></row><row></row><row><c><v>1</v></c></row>'), 1048002


def a_row_number_beyond_any_sheet():
    return one_sheet('<row r="4294967297"><c><v>1</v></c></row>'), 4294967297


def a_cell_reference_beyond_any_sheet():
    return one_sheet('<row r="2"><c r="A99999999999"><v>1</v></c></row>'), 99999999999


def a_sparse_grid_too_large_to_build():
    """Within the row limit and the column limit each, but the grid from A1 to the far
    corner would hold 30 million cells."""
    return one_sheet('<row r="200000"><c r="GR200000"><v>1</v></c></row>'), 200000


HOSTILE = [
    single_quoted_far_cell,
    spaces_around_equals,
    tabs_and_newlines_around_equals,
    far_cell_in_an_unusually_named_part,
    far_cell_in_a_part_named_from_the_root,
    far_cell_in_the_first_sheet_whose_part_is_sheet2,
    far_cell_double_quoted,
    eight_thousand_rows_with_a_cell_in_column_xfd,
    a_cell_with_a_namespace_prefix,
    a_whole_sheet_with_a_namespace_prefix,
    a_closing_bracket_inside_an_attribute_before_the_reference,
    cells_without_references_far_to_the_right,
    a_row_number_far_down_then_cells_without_references,
    rows_without_numbers_far_down,
    a_row_number_beyond_any_sheet,
    a_cell_reference_beyond_any_sheet,
    a_sparse_grid_too_large_to_build,
]


# --- Running a read where it cannot take the test runner down -------------------------------


def is_roster_header(cells):
    return header_score(kinds.get("roster").columns, cells)


def read(data: bytes):
    return read_table(data, file_name="名单.xlsx", is_header=is_roster_header)


def isolated(function, *, seconds: int = 60, memory: int = 3 * 1024**3):
    """Run ``function`` in a forked child of the test with an address-space cap and an alarm,
    and say what became of it: ("returned", value), ("refused", message), ("raised", text) or
    ("died", signal name or exit status). The child touches no database."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read_end)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            with open("/proc/self/statm") as statm:
                size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            resource.setrlimit(resource.RLIMIT_AS, (size + memory, size + memory))
            signal.alarm(seconds)
            try:
                outcome = ("returned", function())
            except FileRefused as exc:
                outcome = ("refused", exc.message)
            except BaseException as exc:
                outcome = ("raised", f"{type(exc).__name__}: {exc}")
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(outcome, pipe)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return ("died", signal.Signals(os.WTERMSIG(status)).name)
    if not payload:
        return ("died", f"exit {os.WEXITSTATUS(status)}")
    return pickle.loads(payload)  # noqa: S301 - our own child's answer


def summary(table) -> dict:
    return {
        "headers": table.headers,
        "rows": len(table.rows),
        "lines": [line for line, _cells in table.rows],
        "warnings": table.warnings,
        "sheet": table.sheet_name,
    }


# --- The checks refuse hostile workbooks early -------------------------------------------------


@pytest.mark.parametrize("build", HOSTILE, ids=lambda build: build.__name__)
def test_a_hostile_workbook_is_refused_quickly_with_a_clear_message(build):
    data, number = build()
    start = time.monotonic()
    outcome = isolated(lambda: read(data))
    elapsed = time.monotonic() - start
    assert outcome[0] == "refused", outcome
    assert str(number) in outcome[1], outcome[1]
    assert elapsed < QUICK, elapsed


def replace_in_part(data: bytes, part: str, old: str, new: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                assert old.encode() in content
                content = content.replace(old.encode(), new.encode())
            archive.writestr(item, content)
    return buffer.getvalue()


def two_parts_one_sheet(sheet_tag: str) -> bytes:
    """A workbook whose only sheet is described by ``sheet_tag``; rId1 is a harmless part,
    rId2 one with a cell at XFD1048576."""
    harmless = sheet_xml(header_row())
    hostile = sheet_xml(header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    data = workbook([("名单", "worksheets/a.xml", harmless), ("其他", "worksheets/b.xml", hostile)])
    data = replace_in_part(
        data, "xl/workbook.xml", '<sheet name="其他" sheetId="2" r:id="rId2"/>', ""
    )
    return replace_in_part(
        data, "xl/workbook.xml", '<sheet name="名单" sheetId="1" r:id="rId1"/>', sheet_tag
    )


@pytest.mark.parametrize(
    "sheet_tag",
    [
        '<sheet name="名单" sheetId="1" x:id="rId2"/>',
        '<sheet name="名单" sheetId="1" id="rId2"/>',
        '<sheet name="名单" sheetId="1" r:id="rId1" x:id="rId2"/>',
        '<sheet name="名单" sheetId="1" x:id="rId2" r:id="rId1"/>',
    ],
)
def test_the_sheets_part_is_found_as_the_reader_finds_it(sheet_tag):
    """The reader takes the last attribute whose local name is id, whatever its prefix:
    a sheet whose part another id attribute names is checked there, or refused when two
    name different parts."""
    outcome = isolated(lambda: read(two_parts_one_sheet(sheet_tag)))
    assert outcome[0] == "refused", outcome
    assert outcome[1] != limits_message()  # refused by the checks, not by the reader's abort


def test_the_extent_message_names_the_limits_and_what_to_do():
    data, _number = eight_thousand_rows_with_a_cell_in_column_xfd()
    kind, message = isolated(lambda: read(data))
    with translation.override("en"):
        _kind, english = isolated(lambda: read(data))
    assert kind == "refused"
    assert "16384" in english and "Delete the stray cells" in english, english
    assert message  # in the active language (Chinese by default)


def test_hidden_rows_in_an_unusually_named_part_are_reported():
    rows = data_row(2) + data_row(3).replace('<row r="3">', "<row r='3' hidden = 'true'>")
    rows += data_row(4).replace('<row r="4">', '<row spans="1:7" hidden="1" r="4">')
    data = workbook([("名单", "worksheets/roster.xml", sheet_xml(header_row() + rows))])
    kind, table = isolated(lambda: summary(read(data)))
    assert kind == "returned", table
    assert table["lines"] == [2, 3, 4]
    assert any("3" in w and "4" in w for w in table["warnings"]), table["warnings"]


def test_hidden_rows_are_looked_for_in_the_sheet_that_holds_the_data():
    """The data is in the second sheet, whose part is sheet1.xml; the first sheet (part
    sheet2.xml) is a note with a hidden row of its own, which is not reported."""
    note = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>说明</t></is></c></row>'
        '<row r="7" hidden="1"><c r="A7"><v>1</v></c></row>'
    )
    rows = header_row() + data_row(2) + data_row(3).replace('<row r="3">', '<row r="3" hidden="1">')
    data = workbook(
        [
            ("说明", "worksheets/sheet2.xml", note),
            ("名单", "worksheets/sheet1.xml", sheet_xml(rows)),
        ]
    )
    kind, table = isolated(lambda: summary(read(data)))
    assert kind == "returned", table
    assert table["sheet"] == "名单"
    assert any("3" in w for w in table["warnings"]), table["warnings"]
    assert not any("7" in w for w in table["warnings"]), table["warnings"]


def test_a_good_workbook_with_unusual_part_names_and_prefixes_is_read():
    rows = header_row() + data_row(2) + data_row(3)
    prefixed = rows.replace("<row", "<x:row").replace("</row>", "</x:row>")
    prefixed = prefixed.replace("<c ", "<x:c ").replace("</c>", "</x:c>")
    data = workbook([("名单", "/xl/worksheets/data.xml", sheet_xml(prefixed, prefix="x"))])
    kind, table = isolated(lambda: summary(read(data)))
    assert kind == "returned", table
    assert table["lines"] == [2, 3] and table["headers"][:2] == files.HEADER[:2]


def test_formatted_cells_far_away_are_not_data():
    """Cells that only carry a format (self-closing) make no grid: a sheet formatted down
    to the last row is read, as before."""
    data = one_sheet(data_row(2) + '<row r="1048576"><c r="XFD1048576" s="1"/></row>')
    kind, table = isolated(lambda: summary(read(data)))
    assert kind == "returned", table
    assert table["lines"] == [2]


def test_comments_and_character_data_cannot_hide_or_invent_cells():
    rows = (
        data_row(2)
        + "<!-- <row r='1048576'><c r='XFD1048576'><v>1</v></c></row> -->"
        + '<row r="3"><c r="A3" t="inlineStr"><is><t><![CDATA[<c r="XFD3">]]></t></is></c>'
        + inline("B3", "林晓")
        + "</row>"
    )
    kind, table = isolated(lambda: summary(read(one_sheet(rows))))
    assert kind == "returned", table
    assert table["lines"] == [2, 3]


def test_existing_workbooks_from_excel_like_writers_still_read():
    data = files.xlsx_bytes(
        [["3030200001", "林晓", factories.id_number(), "小学"]], sheet_before=True, hidden_rows=[2]
    )
    kind, table = isolated(lambda: summary(read(data)))
    assert kind == "returned", table
    assert table["sheet"] == "教师名单" and table["lines"] == [2]


# --- The sandbox: nothing a file does to its reader reaches the caller's process ---------------


def limits_message() -> str:
    return readers.limits_message()


def test_a_reader_that_aborts_is_contained(monkeypatch):
    monkeypatch.setattr(readers, "_read_text", lambda data, is_header: os.abort())
    outcome = isolated(lambda: read_table(b"a,b\n1,2\n", file_name="a.csv", is_header=len))
    assert outcome == ("refused", limits_message())


def test_a_reader_that_exhausts_memory_is_contained(monkeypatch, settings):
    settings.IMPORT_PARSE_MEMORY_BYTES = 200 * 1024 * 1024
    monkeypatch.setattr(readers, "_read_text", lambda data, is_header: bytearray(10**10))
    outcome = isolated(lambda: read_table(b"a,b\n1,2\n", file_name="a.csv", is_header=len))
    assert outcome == ("refused", limits_message())


def test_a_reader_that_never_ends_is_stopped(monkeypatch, settings):
    settings.IMPORT_PARSE_SECONDS = 1

    def forever(data, is_header):
        while True:
            pass

    monkeypatch.setattr(readers, "_read_text", forever)
    start = time.monotonic()
    outcome = isolated(lambda: read_table(b"a,b\n1,2\n", file_name="a.csv", is_header=len))
    assert outcome == ("refused", limits_message())
    assert time.monotonic() - start < 10


def test_the_spreadsheet_library_itself_aborting_is_contained(monkeypatch):
    """Were the checks ever wrong, the reader library's own abort (it asks for 512 GiB and
    aborts the process, no exception) ends in a refusal, not a dead worker."""
    monkeypatch.setattr(readers, "_check_sheet", lambda *args, **kwargs: None, raising=False)
    monkeypatch.setattr(readers, "_check_extent", lambda *args, **kwargs: None, raising=False)
    data, _number = single_quoted_far_cell()
    outcome = isolated(lambda: read(data))
    assert outcome == ("refused", limits_message())


def test_a_cell_the_checks_cannot_see_is_caught_by_the_limits():
    """quick-xml reads a value to its own end tag, past a "</c>" inside it, so the checks
    (which end the cell at that "</c>") see a row that is not there and miss the row the
    reader keeps: 150 cells on row 1,048,576 pass the checks. The reader then asks for 10 GB
    and aborts; its child dies, and the file is refused with the limits."""
    data = one_sheet(
        '<row r="1048576"><c r="A1"><v>1</c></row><row r="1"><c></v></c>'
        + "<c><v>1</v></c>" * 150
        + "</row>"
    )
    start = time.monotonic()
    outcome = isolated(lambda: read(data))
    assert outcome == ("refused", limits_message())
    assert time.monotonic() - start < QUICK


def test_the_limits_message_says_what_to_do():
    with translation.override("en"):
        message = readers.limits_message()
    assert "limits" in message and "xlsx" in message and "CSV" in message


def test_a_bug_in_the_reader_still_raises_in_the_caller(monkeypatch):
    def bug(data, is_header):
        raise KeyError("a bug, not a bad file")

    monkeypatch.setattr(readers, "_read_text", bug)
    outcome = isolated(lambda: read_table(b"a,b\n1,2\n", file_name="a.csv", is_header=len))
    assert outcome[0] == "raised" and "KeyError" in outcome[1], outcome


def test_the_child_sees_the_callers_settings_and_header_function(settings):
    settings.IMPORT_MAX_ROWS = 3
    text = "姓名,身份证号\n" + "".join(f"林{i},1\n" for i in range(100))
    with translation.override("en"), pytest.raises(FileRefused) as caught:
        _guarded(lambda: read_table(text.encode(), file_name="a.csv", is_header=is_roster_header))
    assert "more than 3 rows" in caught.value.message


def _guarded(function):
    """Run ``function`` in this process only once it is known not to kill it."""
    outcome = isolated(function)
    if outcome[0] == "died":
        pytest.fail(f"the read killed its process: {outcome}")
    return function()


@pytest.mark.django_db
def test_the_database_connection_survives_reads_and_crashed_reads(world, monkeypatch):
    """The read runs in a forked child that inherits the database connection; neither a
    read nor a child that dies may close or disturb it (SQLite and PostgreSQL alike)."""
    before = ImportJob.objects.count()
    good = files.xlsx_bytes([[world.school.code, "林晓", factories.id_number(), "小学"]])
    assert len(_guarded(lambda: read(good)).rows) == 1
    hostile, _number = single_quoted_far_cell()
    with pytest.raises(FileRefused):
        _guarded(lambda: read(hostile))
    monkeypatch.setattr(readers, "_read_text", lambda data, is_header: os.abort())
    with pytest.raises(FileRefused) as caught:
        _guarded(lambda: read_table(b"a,b\n1,2\n", file_name="a.csv", is_header=len))
    assert caught.value.message == limits_message()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert ImportJob.objects.count() == before
    assert connection.is_usable()


# --- Through the job ------------------------------------------------------------------------


def upload(user, data, *, name="名单.xlsx") -> ImportJob:
    job = services.import_job_create(user=user, kind="roster", file_name=name, data=data)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
@pytest.mark.parametrize(
    "build",
    [
        single_quoted_far_cell,
        far_cell_in_an_unusually_named_part,
        cells_without_references_far_to_the_right,
    ],
    ids=lambda build: build.__name__,
)
def test_a_hostile_upload_ends_refused_with_the_message(world, build):
    data, number = build()
    assert isolated(lambda: read(data))[0] == "refused"  # else the upload below would crash
    job = upload(world.users["school"], data)
    assert job.status == "refused"
    assert str(number) in job.file_errors[0]
    assert not job.stored_file


@pytest.mark.django_db
def test_a_job_whose_file_stopped_the_server_twice_fails_on_the_third_delivery(world, rows_csv):
    """Two deliveries of the check died with their worker (the counter says so); the third
    fails the job with a message instead of reading the file again, and is not redelivered."""
    from portal import tasks

    user = world.users["school"]
    job = ImportJob.objects.create(
        kind="roster",
        uploaded_by=user,
        region=user.region,
        school=user.school,
        file_name="名单.csv",
        file_sha256="0" * 64,
        file_size=len(rows_csv),
        stored_file=_store(rows_csv),
        status=ImportJob.Status.VALIDATING,
        unfinished_runs=2,
    )
    assert tasks.import_check.delay(job.pk).get() == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and not job.stored_file
    assert job.file_errors == [services.stopped_the_server_message()]
    assert job.unfinished_runs == 0


@pytest.mark.django_db
def test_one_crashed_delivery_is_tried_again(world, rows_csv):
    from portal import tasks

    user = world.users["school"]
    job = ImportJob.objects.create(
        kind="roster",
        uploaded_by=user,
        region=user.region,
        school=user.school,
        file_name="名单.csv",
        file_sha256="0" * 64,
        file_size=len(rows_csv),
        stored_file=_store(rows_csv),
        status=ImportJob.Status.VALIDATING,
        unfinished_runs=1,
    )
    assert tasks.import_check.delay(job.pk).get() == "preview"
    job.refresh_from_db()
    assert job.unfinished_runs == 0


@pytest.mark.django_db
def test_a_write_that_stopped_the_server_twice_fails_too(world, rows_csv):
    from portal import tasks

    user = world.users["school"]
    job = upload(user, rows_csv, name="名单.csv")
    assert job.status == "preview"
    ImportJob.objects.filter(pk=job.pk).update(status="importing", unfinished_runs=2)
    assert tasks.import_apply.delay(job.pk).get() == "failed"
    job.refresh_from_db()
    assert job.file_errors == [services.stopped_the_server_message()]


@pytest.mark.django_db
def test_runs_that_finish_leave_no_count(world, rows_csv):
    user = world.users["school"]
    job = upload(user, rows_csv, name="名单.csv")
    services.import_job_confirm(job=job, user=user)
    job.refresh_from_db()
    assert (job.status, job.unfinished_runs) == ("done", 0)


def test_the_stopped_the_server_message_says_what_to_do():
    with translation.override("en"):
        message = services.stopped_the_server_message()
    assert "twice" in message and "CSV" in message


@pytest.fixture
def rows_csv(world):
    return files.csv_bytes(
        [
            [
                world.school.code,
                "李明",
                factories.id_number(),
                "小学",
                "语文",
                "在编",
                "是",
                "一级教师",
                "2012-09-01",
            ]
        ]
    )


def _store(data: bytes) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from portal import crypto

    return default_storage.save("imports/test.bin", ContentFile(crypto.encrypt_bytes(data)))


# --- The checks agree with the reader --------------------------------------------------------


def _random_sheet(rng, *, plain: bool = False) -> bytes:
    """A sheet in any of the forms quick-xml accepts: either quote, spaces around "=",
    prefixes, rows and cells with and without r, formatted-only cells, comments and CDATA.
    ``plain``: the form Excel writes (r on every row and cell, first, double-quoted)."""

    def attribute(name, value):
        quote = '"' if plain else rng.choice(['"', "'"])
        spaces = "" if plain else rng.choice(["", " ", "\n\t"])
        return f" {name}{spaces}={spaces}{quote}{value}{quote}"

    def column_letters(number):
        letters = ""
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return letters

    prefix = "" if plain else rng.choice(["", "", "x:"])
    parts = []
    for _ in range(rng.randint(1, 8)):
        with_r = plain or rng.random() < 0.7
        row_attributes = attribute("r", rng.randint(1, 60)) if with_r else ""
        if rng.random() < 0.2:
            row_attributes += attribute("hidden", "1")
        if rng.random() < 0.1:
            parts.append(f"<{prefix}row{row_attributes}/>")
            continue
        cells = []
        for _ in range(rng.randint(0, 6)):
            cell_attributes = ""
            if plain or rng.random() < 0.6:
                reference = f"{column_letters(rng.randint(1, 40))}{rng.randint(1, 60)}"
                cell_attributes = attribute("r", reference)
            if rng.random() < 0.2:
                cells.append(f"<{prefix}c{cell_attributes}{attribute('s', 1)}/>")
            elif rng.random() < 0.5:
                cells.append(f"<{prefix}c{cell_attributes}><{prefix}v>7</{prefix}v></{prefix}c>")
            else:
                text = rng.choice(["林晓", "a&amp;b"] if plain else ["林晓", "<![CDATA[x]]>y"])
                cells.append(
                    f"<{prefix}c{cell_attributes}{attribute('t', 'inlineStr')}><{prefix}is>"
                    f"<{prefix}t>{text}</{prefix}t></{prefix}is></{prefix}c>"
                )
            if not plain and rng.random() < 0.1:
                cells.append("<!-- <c r='XFD1048576'><v>1</v></c> -->")
        parts.append(f"<{prefix}row{row_attributes}>{''.join(cells)}</{prefix}row>")
    xmlns = f'xmlns:x="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0"?><{prefix}worksheet {xmlns}><{prefix}sheetData>{"".join(parts)}'
        f"</{prefix}sheetData></{prefix}worksheet>"
    ).encode()


@pytest.mark.parametrize("plain", [False, True], ids=["any form", "as Excel writes"])
def test_the_checks_see_the_cells_where_the_reader_puts_them(plain):
    """For sheets in every form the reader accepts, the extent the checks compute is the
    extent of the grid the reader builds; the quick pass over sheets as Excel writes them
    and the general scan agree."""
    import random

    from python_calamine import CalamineError, CalamineWorkbook

    rng = random.Random(20261201)
    compared = quick = 0
    for _case in range(400):
        xml = _random_sheet(rng, plain=plain)
        start = readers._sheet_data_start(xml)
        quick += readers._PLAIN_BODY.match(xml, start) is not None
        target = rng.choice(["worksheets/a.xml", "/xl/worksheets/sheet1.xml"])
        extent = readers._scan_sheet(xml)
        general = readers._scan_markup(xml)
        assert (extent.rows, extent.columns, extent.hidden) == (
            general.rows,
            general.columns,
            general.hidden,
        ), xml
        try:
            sheet = CalamineWorkbook.from_filelike(
                io.BytesIO(workbook([("名单", target, xml)]))
            ).get_sheet_by_index(0)
        except CalamineError:
            continue
        compared += 1
        if sheet.end is None or not sheet.height:
            assert (extent.rows, extent.columns) == (0, 0), xml
            continue
        assert (extent.rows, extent.columns) == (sheet.end[0] + 1, sheet.end[1] + 1), xml
    assert compared > 300
    assert quick == 400 if plain else quick < 50


@pytest.mark.parametrize(
    "markup",
    [
        '<row r="2"><c ' + "a" * 2_000_000 + "><v>1</v></c></row>",
        '<row r="2"><c ' + 'a="b" ' * 300_000 + "</row>",
        '<row r="2">' + '<a "' * 500_000 + "</row>",
        '<row r="2">' + "<!--" * 500_000 + "</row>",
        '<row r="2">' + '<c r="A2"><v>' * 300_000 + "</row>",
        '<row r="2"><c r="A2"><v>1</v></c>' + "<x " * 500_000 + "</row>",
        '<row r="2">' + "<c r='A2'>" + "<v>1</v><b " * 300_000 + "</row>",
    ],
    ids=[
        "long name",
        "endless tag",
        "open quotes",
        "open comments",
        "open cells",
        "open tags",
        "mixed",
    ],
)
def test_crafted_markup_cannot_make_the_checks_slow(markup):
    """Straight at the checks: such a sheet compresses too well to pass the zip checks."""
    xml = sheet_xml(header_row() + markup)
    start = time.monotonic()
    outcome = isolated(lambda: readers._check_extent(readers._scan_sheet(xml)), seconds=QUICK)
    assert outcome[0] in ("refused", "returned"), outcome
    assert time.monotonic() - start < QUICK
