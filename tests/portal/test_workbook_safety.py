"""Every workbook and CSV the portal writes survives the names people type: control
characters (which openpyxl refuses in a cell and Excel in a file) and the characters a sheet
title may not hold. One sanitiser for every cell, one function for every sheet title
(``portal.imports.workbooks``); the formula escaping stays. Whatever runs after an import's
write cannot turn the write into an error. Malformed numbers and options are a 400."""

import csv
import io
import json
import logging
import re
from datetime import date

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.test import APIClient

from portal.imports import services, workbooks
from portal.models import ImportJob, Region, School, Teacher

from .. import factories
from .. import import_files as files

# Every C0 control character (NUL too where the database stores it: PostgreSQL refuses
# NUL in text), and every character a sheet title may not hold.
CONTROLS = "".join(chr(c) for c in range(0 if connection.vendor != "postgresql" else 1, 0x20))
TITLE_CHARS = "[]:*?/\\"
DIRTY = CONTROLS + TITLE_CHARS
UPLOADERS = ["province", "city", "county", "school", "superuser"]
XLSX_MAGIC = b"PK\x03\x04"


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def _visible(value: str) -> str:
    """``value`` without tab and line breaks, which a cell keeps."""
    return re.sub(r"[\t\r\n]", "", value)


# --- The two helpers --------------------------------------------------------------------------


def test_the_cell_sanitiser_removes_what_openpyxl_refuses_and_keeps_formulas_escaped():
    assert workbooks.cell_value("林\x07晓\x1b") == "林晓"
    assert workbooks.cell_value("\x01=1+1") == "'=1+1"  # stripped first, then escaped
    assert workbooks.cell_value("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert workbooks.cell_value("a\tb\nc") == "a\tb\nc"  # tab and line break are fine
    assert workbooks.cell_value("x\ud800\ufffey") == "xy"  # not XML at all
    assert workbooks.cell_value(12) == 12
    assert workbooks.cell_value(None) is None
    assert workbooks.cell_value(date(2024, 1, 2)) == date(2024, 1, 2)
    for value in [DIRTY, "林" + DIRTY]:
        assert not ILLEGAL_CHARACTERS_RE.search(workbooks.cell_value(value))


def test_the_sheet_title_function_replaces_trims_and_dedupes():
    assert workbooks.sheet_title("鹿城[区]/测试") == "鹿城_区__测试"
    assert workbooks.sheet_title("a:b*c?d\\e") == "a_b_c_d_e"
    assert workbooks.sheet_title("名" * 40) == "名" * 31
    assert workbooks.sheet_title("\x1b\x00") == "Sheet"
    assert workbooks.sheet_title("'引号'") == "引号"
    assert workbooks.sheet_title("a\tb\nc") == "a b c"
    assert workbooks.sheet_title("History") != "History"  # reserved by Excel
    taken = ["名单", "名" * 31]
    assert workbooks.sheet_title("名单", taken=taken) == "名单 (2)"
    assert workbooks.sheet_title("名单", taken=[*taken, "名单 (2)"]) == "名单 (3)"
    deduped = workbooks.sheet_title("名" * 40, taken=taken)
    assert len(deduped) <= 31 and deduped not in taken
    assert workbooks.sheet_title("ABC", taken=["abc"]) == "ABC (2)"  # Excel ignores case


def test_table_xlsx_and_csv_survive_dirty_titles_headers_and_cells():
    data = workbooks.table_xlsx(
        ["学校" + DIRTY, "=SUM(A1)"], [["林" + DIRTY, "\x02=1+1"]], title="鹿城[区]/测试" + DIRTY
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert "[" not in sheet.title and len(sheet.title) <= 31
    assert [_visible(c.value) for c in sheet[1]] == ["学校" + TITLE_CHARS, "'=SUM(A1)"]
    assert [_visible(c.value) for c in sheet[2]] == ["林" + TITLE_CHARS, "'=1+1"]
    text = workbooks.table_csv(["学校" + DIRTY], [["林" + DIRTY]]).decode("utf-8-sig")
    assert [[_visible(v) for v in row] for row in csv.reader(io.StringIO(text))] == [
        ["学校" + TITLE_CHARS],
        ["林" + TITLE_CHARS],
    ]


def test_the_error_workbook_and_the_template_survive_dirty_text():
    data = workbooks.error_workbook(
        ["姓名" + DIRTY, "=备注"],
        [(2, ["林\x07晓", "=1+1"]), (3, ["\x1b王芳", None])],
        {2: "【姓名】“林\x07晓”：\x1b错误"},
        header_line=1,
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].values)
    assert (_visible(rows[0][1]), rows[0][2]) == ("姓名" + TITLE_CHARS, "'=备注")
    assert rows[1] == (2, "林晓", "'=1+1", "【姓名】“林晓”：错误")
    assert rows[2][1] == "王芳"
    from portal.imports.columns import Column

    column = Column(key="name", label="姓名\x07", required=True, help="帮助\x1b", example="=x")
    book = openpyxl.load_workbook(
        io.BytesIO(workbooks.template([column], title="模板[1]", instructions=["说明\x00"]))
    )
    assert book.sheetnames[0] == "模板_1_"
    assert book.worksheets[0]["A2"].value == "'=x"


# --- Every export and error workbook, with dirty names everywhere ----------------------------


def _dirty(name: str) -> str:
    return name + DIRTY


@pytest.fixture
def dirty(world):
    """Names as an administrator may set them in the admin: control characters and the
    characters a sheet title refuses, in regions, schools, teachers, courses, honours and
    the talent ladder (set with ``update``: the exports must survive data already stored)."""
    from honors.models import HonourType
    from talent.models import Programme, Rotation, Studio, Target, Tier
    from training.models import Course

    Studio.objects.create(
        name="名师工作室",
        level="county",
        region=world.county,
        host=world.teacher,
        founded_on=date(2023, 9, 1),
    )
    Rotation.objects.create(
        teacher=world.colleague,
        from_school=world.school,
        to_school=world.sibling_school,
        start=date(2024, 9, 1),
    )
    for model, field in [
        (Region, "name"),
        (School, "name"),
        (Course, "title"),
        (HonourType, "name"),
        (Tier, "name"),
        (Programme, "name"),
        (Target, "name"),
        (Studio, "name"),
    ]:
        for pk, value in model.objects.values_list("pk", field):
            limit = model._meta.get_field(field).max_length
            model.objects.filter(pk=pk).update(**{field: (value + DIRTY)[-limit:]})
    for pk, value in Teacher.objects.values_list("pk", "name"):
        # A name beginning with what a spreadsheet would run, hidden behind a control
        # character: stripped, it must still be escaped.
        Teacher.objects.filter(pk=pk).update(name="\x01=1+1" + value + DIRTY)
    Region.objects.filter(pk=world.county.pk).update(name="鹿城[区]/测试" + DIRTY)
    return world


def _roster_upload(user, school):
    """A roster CSV with a valid row and a refused row holding control characters."""
    header = [*files.HEADER, "备注\x01[x]"]
    rows = [
        [school.code, "李明", factories.id_number(), "小学", "语文", "在编", "是", "一级教师",
         "2012-09-01", "=1+1"],
        [school.code, "林\x07晓", "123\x1b", "小学\x02", "数学", "在编", "是", "一级教师",
         "2012-09-01", "\x1b备注"],
    ]  # fmt: skip
    job = services.import_job_create(
        user=user,
        kind="roster",
        file_name="名单\x07.csv",
        data=files.csv_bytes(rows, header=header),
    )
    job.refresh_from_db()
    assert (job.status, job.refused_rows) == ("preview", 1), job.file_errors
    return job


def _export_url_names() -> set[str]:
    """Every URL whose name ends in export, xlsx, csv or error workbook."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    return {
        name
        for name in walk(get_resolver().url_patterns)
        if re.search(r"(export|xlsx|csv|error[-_]workbook|template)$", name)
    }


def _cases(world):
    """(url name, url, roles answered 200, POST body or None for a GET) for every export
    and error-workbook URL."""
    from talent.models import Target

    staff_of = {
        world.province: ["province", "superuser"],
        world.city: ["province", "city", "superuser"],
        world.county: ["province", "city", "county", "superuser"],
    }
    cases = []
    for query in ("", "?format=csv", "?format=csv&q=%07"):
        cases.append(("teacher_export", reverse("teacher_export") + query, UPLOADERS, None))
    for query in ("", "?format=csv"):  # full ID numbers (by POST)
        url = reverse("teacher_export") + query
        cases.append(("teacher_export", url, UPLOADERS, {"full_id_numbers": "1"}))
    for kind in ("roster", "training", "nomination", "pay"):
        url = reverse("import_template", args=[kind])
        cases.append(("import_template", url, UPLOADERS, None))
    for region, roles in staff_of.items():
        url = reverse("training_behind_export", args=[region.pk])
        cases.append(("training_behind_export", url, roles, None))
        if region != world.province:
            cases.append(("pay_export", reverse("pay_export", args=[region.pk]), roles, None))
            for target in Target.objects.filter(region=world.city):
                url = reverse("talent_target_export", args=[target.pk, region.pk])
                cases.append(("talent_target_export", url, roles, None))
    for role in UPLOADERS:
        school = world.school if role == "school" else world.sibling_school
        job = _roster_upload(world.users[role], school)
        url = reverse("import_error_workbook", args=[job.pk])
        cases.append(("import_error_workbook", url, [role], None))
        url = f"/api/v1/imports/{job.pk}/error-workbook/"
        cases.append(("importjob-error-workbook", url, [role], None))
    return cases


def _check_workbook(body: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(body))
    values = []
    for sheet in book.worksheets:
        assert len(sheet.title) <= 31 and not set(sheet.title) & set(TITLE_CHARS + CONTROLS)
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value  # nothing runs
                values.append(cell.value)
    return values


def test_every_export_and_error_workbook_answers_200_with_dirty_names(dirty):
    world = dirty
    cases = _cases(world)
    assert {case[0] for case in cases} == _export_url_names()
    failures, seen_dirty = [], 0
    for name, url, roles, body in cases:
        for role in roles:
            user = world.users[role]
            if url.startswith("/api/"):
                client = APIClient(raise_request_exception=False)
                client.force_authenticate(user)
            else:
                from django.test import Client

                client = Client(raise_request_exception=False)
                client.force_login(user)
            response = client.get(url) if body is None else client.post(url, body)
            if response.status_code != 200:
                failures.append((name, url, role, response.status_code))
                continue
            content = response.content
            try:
                if content.startswith(XLSX_MAGIC):
                    values = _check_workbook(content)
                    text = "\n".join(str(v) for v in values if v is not None)
                else:
                    text = content.decode("utf-8-sig")
                    fields = [v for row in csv.reader(io.StringIO(text)) for v in row]
                    assert not any(v.startswith(("=", "+", "@")) for v in fields)
                assert not ILLEGAL_CHARACTERS_RE.search(text)
            except AssertionError:
                failures.append((name, url, role, "content"))
                continue
            seen_dirty += TITLE_CHARS in text
    assert not failures
    assert seen_dirty  # the dirty names were in the files, cleaned


# --- After the write -------------------------------------------------------------------------


def _county_upload(world):
    job = _roster_upload(world.users["county"], world.sibling_school)
    assert job.stored_file and default_storage.exists(job.stored_file)
    return job, job.stored_file


def test_confirming_valid_rows_only_with_dirty_refused_rows_succeeds(world):
    job, stored = _county_upload(world)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.users["county"])
    response = api.post(f"/api/v1/imports/{job.pk}/confirm/", {"valid_rows_only": True})
    assert response.status_code == 202, response.content[:300]
    assert response.json()["status"] == "done"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Teacher.objects.filter(name="李明").exists()
    assert not job.stored_file and not default_storage.exists(stored)
    workbook = api.get(f"/api/v1/imports/{job.pk}/error-workbook/")
    assert workbook.status_code == 200
    _check_workbook(workbook.content)


@pytest.mark.parametrize("step", ["_store_error_workbook", "_after_import"])
def test_a_failure_after_the_write_is_logged_and_the_write_reported(
    world, monkeypatch, caplog, step
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom 林晓")

    monkeypatch.setattr(services, step, broken)
    job, stored = _county_upload(world)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.users["county"])
    with caplog.at_level(logging.ERROR, logger="portal.imports.services"):
        response = api.post(f"/api/v1/imports/{job.pk}/confirm/", {"valid_rows_only": True})
    assert response.status_code == 202, response.content[:300]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Teacher.objects.filter(name="李明").exists()
    assert not job.stored_file and not default_storage.exists(stored)
    messages = [r.getMessage() for r in caplog.records]
    assert any(str(job.pk) in m and "RuntimeError" in m for m in messages), messages
    assert not any("林晓" in m for m in messages)  # the exception's text may quote a row


def test_the_page_confirm_survives_a_failure_after_the_write(client, world, monkeypatch):
    monkeypatch.setattr(services, "_store_error_workbook", lambda *a, **k: 1 / 0)
    job, _stored = _county_upload(world)
    client.raise_request_exception = False
    client.force_login(world.users["county"])
    response = client.post(reverse("import_confirm", args=[job.pk]), {"valid_rows_only": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


# --- F10: malformed options and numbers --------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        "[1,2,3]",
        '"programme"',
        "12",
        "null",
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 5000 + "1" + "}" * 5000,
        "{not json",
    ],
    ids=["list", "string", "number", "null", "deep-list", "deep-object", "not-json"],
)
def test_import_options_must_be_a_shallow_json_object(world, options):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.users["county"])
    upload = io.BytesIO(files.csv_bytes([], header=["身份证号", "姓名"]))
    upload.name = "名单.csv"
    response = api.post(
        "/api/v1/imports/",
        {"kind": "nomination", "options": options, "file": upload},
        format="multipart",
    )
    assert response.status_code == 400, response.content[:200]
    assert "options" in response.json()
    assert not ImportJob.objects.filter(kind="nomination").exists()


def test_import_options_as_a_json_body_list_is_a_400(world):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.users["county"])
    response = api.post(
        "/api/v1/imports/",
        json.dumps({"kind": "nomination", "options": [1, 2, 3]}),
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_valid_options_object_still_names_the_programme(world):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.users["county"])
    upload = io.BytesIO(files.csv_bytes([], header=["身份证号", "姓名"]))
    upload.name = "名单.csv"
    response = api.post(
        "/api/v1/imports/",
        {
            "kind": "nomination",
            "options": json.dumps({"programme": world.programme.pk}),
            "file": upload,
        },
        format="multipart",
    )
    assert response.status_code == 202, response.content[:300]
    assert ImportJob.objects.get(pk=response.json()["id"]).options == {
        "programme": world.programme.pk
    }


def test_the_service_refuses_options_that_are_not_an_object(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.import_job_create(
            user=world.users["county"],
            kind="nomination",
            file_name="名单.csv",
            data=b"",
            options=[1, 2, 3],
        )


@pytest.mark.parametrize(
    "county,status",
    [
        ("abc", 400),
        ("²", 400),  # a digit to str.isdigit, not to int()
        ("1.5", 400),
        ("9" * 5000, 400),  # beyond int()'s digit limit
        (" ", 400),
        ("9" * 40, 400),
        ("-1", 400),
        ("999999", 404),  # a number, but no county in scope
    ],
    ids=["letters", "superscript", "decimal", "5000-digits", "space", "40-digits", "negative",
         "unknown"],
)  # fmt: skip
def test_nominating_a_county_with_a_malformed_id_is_a_400(client, world, county, status):
    client.raise_request_exception = False
    client.force_login(world.users["city"])
    url = reverse("talent_programme", args=[world.programme.pk])
    response = client.post(url, {"county": county})
    assert response.status_code == status
    assert not world.programme.enrolments.exclude(teacher=world.teacher).exists()


def test_nominating_a_county_by_its_id_still_works(client, world):
    client.force_login(world.users["city"])
    response = client.post(
        reverse("talent_programme", args=[world.programme.pk]), {"county": str(world.county.pk)}
    )
    assert response.status_code == 302
