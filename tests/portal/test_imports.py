"""Roster imports: the files real schools send, the rules (all or nothing, idempotent,
scope per row, moves), and the page, API and command doors."""

from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from portal.imports import services
from portal.imports.readers import FileRefused, read_table
from portal.models import AuditEvent, ImportJob, ServicePeriod, Teacher

from .. import factories
from .. import import_files as files


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    """Tests run inside a transaction that never commits: run on-commit tasks at once."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def upload(user, data, *, name="名单.csv", **options) -> ImportJob:
    job = services.import_job_create(user=user, kind="roster", file_name=name, data=data, **options)
    job.refresh_from_db()
    return job


def confirm(job, user, **options):
    services.import_job_confirm(job=job, user=user, **options)
    job.refresh_from_db()
    return job


def errors_of(job):
    return [e for row in job.rows.filter(action="refused") for e in row.errors]


def snapshot():
    return (
        sorted(
            Teacher.objects.values_list(
                "id", "name", "school_id", "stage", "subject", "professional_title", "updated_at"
            )
        ),
        sorted(ServicePeriod.objects.values_list("id", "teacher_id", "school_id", "start", "end")),
    )


@pytest.fixture
def rows(world):
    code = world.school.code
    return [
        [
            code,
            "李明",
            factories.id_number(),
            "小学",
            "语文",
            "在编",
            "是",
            "一级教师",
            "2012-09-01",
        ],
        [code, "周芳", factories.id_number(), "小学", "数学", "非编", "否", "二级教师", "2018/9/1"],
        [code, "吴静", factories.id_number(), "小学", "英语", "在编", "是", "未定级", "2024.9.1"],
    ]


# --- The happy path and the rules ------------------------------------------------------------


def test_upload_preview_confirm_and_reupload_changes_nothing(world, rows):
    school_admin = world.users["school"]
    data = files.csv_bytes(rows)
    job = upload(school_admin, data)
    assert (job.status, job.new_rows, job.refused_rows) == ("preview", 3, 0)
    assert Teacher.objects.filter(name="李明").count() == 0  # the preview writes nothing
    job = confirm(job, school_admin)
    assert job.status == "done"
    li = Teacher.objects.get(name="李明")
    assert (li.school, li.professional_title, li.started_teaching) == (
        world.school,
        "first",
        date(2012, 9, 1),
    )
    assert Teacher.objects.get(name="周芳").staffing == "non_established"
    assert li.service_periods.get().start == date(2012, 9, 1)
    assert not job.stored_file  # the upload is gone after confirmation

    before = snapshot()
    again = confirm(upload(school_admin, data), school_admin)
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 3)
    assert snapshot() == before


def test_changed_fields_are_reported_and_applied(world, rows):
    user = world.users["school"]
    confirm(upload(user, files.csv_bytes(rows)), user)
    rows[0][7] = "高级教师"
    rows[0][4] = "语文、书法"
    job = upload(user, files.csv_bytes(rows))
    assert (job.changed_rows, job.unchanged_rows) == (1, 2)
    changes = job.rows.get(action="changed").changes
    assert changes["professional_title"] == ["一级教师", "高级教师"]
    confirm(job, user)
    assert Teacher.objects.get(name="李明").professional_title == "senior"


def test_one_refused_row_writes_nothing(world, rows):
    rows.insert(1, [world.school.code, "坏行", "110105194912310021", "小学"])
    before = snapshot()
    job = upload(world.users["school"], files.csv_bytes(rows))
    assert (job.status, job.refused_rows, job.new_rows) == ("preview", 1, 3)
    assert errors_of(job)[0]["column"] == "身份证号"
    services.import_job_apply(job.pk)  # even forced, nothing is written
    job.refresh_from_db()
    assert job.status == "refused"
    assert snapshot() == before


def test_staff_may_import_only_the_valid_rows_and_that_is_recorded(world, rows):
    rows.append([world.school.code, "坏行", "1.1010519491231e+17", "小学"])
    county = world.users["county"]
    job = confirm(upload(county, files.csv_bytes(rows)), county, valid_rows_only=True)
    assert (job.status, job.new_rows, job.refused_rows, job.valid_rows_only) == ("done", 3, 1, True)
    event = AuditEvent.objects.get(action="import.apply", object_id=str(job.pk))
    assert event.detail["valid_rows_only"] is True
    assert services.import_error_workbook(job) is not None  # kept after the upload is gone


def test_school_admin_cannot_choose_valid_rows_only(world, rows):
    rows.append([world.school.code, "坏行", "1.1010519491231e+17", "小学"])
    job = upload(world.users["school"], files.csv_bytes(rows), valid_rows_only=True)
    assert job.valid_rows_only is False


def test_teacher_of_another_school_reads_as_new_and_is_not_moved(world, rows):
    """A teacher registered outside the uploader's scope is not refused (that would say the
    number is real): the row reads as a new teacher and becomes a transfer request; the
    teacher stays where they are until the bureau decides (tests/portal/test_transfers.py)."""
    from portal.models import TransferRequest

    other = world.sibling_teacher  # same county, other school
    rows.append([world.school.code, other.name, other.reveal_id_number(), "小学"])
    job = upload(world.users["school"], files.csv_bytes(rows))
    assert (job.new_rows, job.refused_rows) == (4, 0)
    assert errors_of(job) == []
    before = Teacher.objects.filter(pk=other.pk).values_list("school_id", "updated_at").get()
    job = confirm(job, world.users["school"])
    assert (job.status, job.new_rows) == ("done", 4)
    assert Teacher.objects.filter(pk=other.pk).values_list("school_id", "updated_at").get() == (
        before
    )
    assert TransferRequest.objects.get().teacher == other


def test_school_outside_scope_and_unknown_school_are_refused(world, rows):
    rows.append([world.far_school.code, "远方", factories.id_number(), "小学"])
    rows.append(["9999999999", "无校", factories.id_number(), "小学"])
    job = upload(world.users["county"], files.csv_bytes(rows))
    messages = [e["message"] for e in errors_of(job)]
    assert any("管理范围" in m for m in messages)
    assert any("9999999999" in m for m in messages)


def test_county_staff_move_a_teacher_between_their_schools(world):
    teacher = world.colleague
    row = [world.sibling_school.code, teacher.name, teacher.reveal_id_number(), "小学"]
    county = world.users["county"]
    job = confirm(upload(county, files.csv_bytes([row])), county)
    assert (job.changed_rows, job.status) == (1, "done")
    teacher.refresh_from_db()
    assert teacher.school == world.sibling_school
    periods = list(teacher.service_periods.order_by("start"))
    assert periods[0].end is not None and periods[-1].school == world.sibling_school
    assert periods[-1].end is None


def test_duplicate_in_file_is_refused(world, rows):
    rows.append(list(rows[0]))
    job = upload(world.users["school"], files.csv_bytes(rows))
    assert job.refused_rows == 1
    assert "第 2 行" in errors_of(job)[0]["message"]


def test_refused_id_numbers_are_stored_masked(world, rows):
    rows.append([world.school.code, "坏行", "110105194912310021", "小学"])
    job = upload(world.users["school"], files.csv_bytes(rows))
    stored = str(list(job.rows.values_list("errors", "id_number_masked")))
    assert "110105194912310021" not in stored
    assert "110105*********021" in stored


# --- Encodings, formats and bad files --------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda r: files.csv_bytes(r, encoding="gbk"), id="gbk"),
        pytest.param(lambda r: files.csv_bytes(r, encoding="gb18030"), id="gb18030"),
        pytest.param(lambda r: files.csv_bytes(r, bom=True), id="utf8-bom"),
        pytest.param(lambda r: files.csv_bytes(r), id="utf8"),
        pytest.param(files.utf16_tab, id="utf16-tab"),
        pytest.param(lambda r: files.csv_bytes(r, delimiter=";"), id="semicolons"),
        pytest.param(lambda r: files.xlsx_bytes(r), id="xlsx"),
        pytest.param(
            lambda r: files.xlsx_bytes(r, title_rows=["鹿城区第一小学教师名单"]), id="title-row"
        ),
        pytest.param(lambda r: files.xlsx_bytes(r, merged_header=True), id="merged-header"),
        pytest.param(lambda r: files.xlsx_bytes(r, sheet_before=True), id="second-sheet"),
        pytest.param(lambda r: files.wrong_dimension(files.xlsx_bytes(r)), id="wrong-dimension"),
    ],
)
def test_real_world_encodings_and_layouts_are_read(world, rows, build):
    job = upload(world.users["school"], build(rows), name="名单.xlsx")
    assert (job.status, job.total_rows, job.new_rows, job.refused_rows) == ("preview", 3, 3, 0), (
        job.file_errors,
        errors_of(job),
    )


def test_second_sheet_is_named_in_a_warning(world, rows):
    job = upload(world.users["school"], files.xlsx_bytes(rows, sheet_before=True))
    assert any("教师名单" in w for w in job.warnings)


def test_hidden_rows_are_read_and_reported(world, rows):
    job = upload(world.users["school"], files.xlsx_bytes(rows, hidden_rows=[3]))
    assert job.new_rows == 3
    assert any("3" in w and "隐藏" in w for w in job.warnings)


def test_id_numbers_with_full_width_digits_spaces_and_lowercase_x(world):
    clear = "11010519491231002X"
    variants = [
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231\u00a0002x ",
        "110105\u200b19491231002X",
    ]
    for variant in variants:
        data = files.csv_bytes([[world.school.code, "许静", variant, "小学"]])
        job = upload(world.users["school"], data)
        assert job.refused_rows == 0, errors_of(job)
    job = confirm(
        upload(
            world.users["school"],
            files.csv_bytes([[world.school.code, "许静", variants[0], "小学"]]),
        ),
        world.users["school"],
    )
    assert Teacher.objects.by_id_number(clear).get().name == "许静"


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("1.1010519491231e+17", "科学计数法"),
        ("110105491231002", "15 位"),
        ("110105194902300025", "出生日期"),
        ("110105203001010010", "晚于今天"),
        ("", "为空"),
    ],
)
def test_bad_id_numbers_are_refused_with_row_column_and_reason(world, cell, words):
    from portal import rules

    if cell in ("110105194902300025", "110105203001010010"):
        cell = cell[:17] + rules.id_check_character(cell[:17])
    data = files.csv_bytes(
        [
            [world.school.code, "林晓", factories.id_number(), "小学"],
            [world.school.code, "某某", cell, "小学"],
        ]
    )
    job = upload(world.users["school"], data)
    row = job.rows.get(action="refused")
    assert row.line == 3
    assert row.errors[0]["column"] == "身份证号"
    assert words in row.errors[0]["message"]


def test_numeric_id_cells_in_xlsx_are_refused(world):
    data = files.xlsx_bytes(
        [[world.school.code, "林晓", "110105194912310020", "小学"]], number_ids=True
    )
    job = upload(world.users["school"], data)
    assert "文本" in errors_of(job)[0]["message"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45536, date(2024, 9, 1)),
        ("2024.9.1", date(2024, 9, 1)),
        ("2024年9月1日", date(2024, 9, 1)),
        ("2024/09/01", date(2024, 9, 1)),
        ("2024-9", date(2024, 9, 1)),
    ],
)
def test_dates_in_every_common_form(world, value, expected):
    data = files.xlsx_bytes(
        [[world.school.code, "新同事", factories.id_number(), "小学", "", "", "", "", value]]
    )
    user = world.users["school"]
    confirm(upload(user, data), user)
    assert Teacher.objects.get(name="新同事").started_teaching == expected


def test_formula_cells_read_cached_values_and_empty_without(world):
    data = files.xlsx_bytes([[world.school.code, "占位", factories.id_number(), "小学"]])
    data = files.formula_without_cached_value(data, cell="B2")
    job = upload(world.users["school"], data)
    assert errors_of(job)[0]["column"] == "姓名"  # the formula had no cached value


def test_cells_starting_with_formula_characters_are_escaped_in_the_error_workbook(world):
    data = files.csv_bytes([[world.school.code, '=HYPERLINK("http://x")', "bad", "小学"]])
    job = upload(world.users["school"], data)
    workbook = openpyxl.load_workbook(__import__("io").BytesIO(services.import_error_workbook(job)))
    values = [c.value for c in next(workbook.active.iter_rows(min_row=2, max_row=2))]
    assert '\'=HYPERLINK("http://x")' in values
    assert any(v and "身份证号" in str(v) for v in values)


def test_million_blank_trailing_rows_end_the_sheet(world, rows):
    data = files.blank_trailing_rows(files.xlsx_bytes(rows))
    job = upload(world.users["school"], data)
    assert (job.status, job.total_rows) == ("preview", 3)


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (files.old_xls, ".xlsx"),
        (files.encrypted_xlsx, "密码"),
        (files.html_as_xls, "HTML"),
        (files.zip_bomb, "MB"),
        (files.entity_bomb, "实体"),
        (files.empty_workbook, "表头"),
        (files.xlsm, "宏"),
        (lambda: files.xlsx_bytes([]), "没有数据"),
        (lambda: b"", "空"),
        (lambda: '姓名,身份证号,学段\n林晓,"110105,小学\n'.encode(), "引号"),
        (lambda: "姓名,身份证号,学段\n林\x00晓,11010519491231002X,小学\n".encode(), "NUL"),
        (lambda: b"a,b\n1,2\n", "表头"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(world, build, words):
    before = snapshot()
    job = upload(world.users["school"], build(), name="名单.xlsx")
    assert job.status == "refused"
    assert words in job.file_errors[0], job.file_errors
    assert snapshot() == before
    assert not job.stored_file


def test_files_over_the_size_limit_are_refused(world, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(FileRefused) as caught:
        read_table(b"x" * 2000, file_name="a.csv", is_header=lambda cells: 1)
    assert "MB" in caught.value.message


def test_defusedxml_protects_openpyxl():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_embedded_newlines_in_quoted_cells(world):
    text = (
        ",".join(files.HEADER[:4])
        + "\r\n"
        + f'{world.school.code},"林\n晓",{factories.id_number()},小学\r\n'
        + f"{world.school.code},周芳,{factories.id_number()},小学\r\n"
    )
    job = upload(world.users["school"], text.encode())
    assert job.total_rows == 2
    assert sorted(job.rows.values_list("line", flat=True)) == [2, 3]


# --- Doors: page, API, command, export --------------------------------------------------------


def test_page_flow_upload_preview_confirm(client, world, rows):
    client.force_login(world.users["school"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("import_list"), {"file": SimpleUploadedFile("名单.csv", files.csv_bytes(rows))}
    )
    job = ImportJob.objects.latest("id")
    assert response.url == reverse("import_detail", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "确认导入" in page
    client.post(reverse("import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"


def test_template_download_is_a_workbook_with_instructions(client, world):
    client.force_login(world.users["school"])
    response = client.get(reverse("import_template", args=["roster"]))
    workbook = openpyxl.load_workbook(__import__("io").BytesIO(response.content))
    assert workbook.sheetnames == ["教师名单", "填写说明"]
    header = [c.value for c in workbook["教师名单"][1]]
    assert "身份证号*" in header
    assert workbook["教师名单"]["C3"].number_format == "@"


def test_api_post_poll_and_errors(world, rows):
    api = APIClient()
    api.force_authenticate(world.users["school"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows.append([world.school.code, "坏行", "1.1e+17", "小学"])
    response = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("r.csv", files.csv_bytes(rows)), "dry_run": "true"},
        format="multipart",
    )
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["refused_rows"], job["new_rows"]) == ("preview", 1, 3)
    # Without dry_run a file with a refused row is refused as a whole.
    direct = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("r.csv", files.csv_bytes(rows))},
        format="multipart",
    ).json()
    assert (direct["status"], direct["refused_rows"]) == ("refused", 1)
    assert Teacher.objects.filter(name="李明").count() == 0
    polled = api.get(f"/api/v1/imports/{job['id']}/").json()
    assert polled["progress"] == 100
    refused = api.get(f"/api/v1/imports/{job['id']}/rows/", {"action": "refused"}).json()
    assert refused["results"][0]["errors"][0]["column"] == "身份证号"
    workbook = api.get(f"/api/v1/imports/{job['id']}/error-workbook/")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"


def test_api_without_dry_run_imports_a_valid_file_at_once(world, rows):
    api = APIClient()
    api.force_authenticate(world.users["school"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("r.csv", files.csv_bytes(rows))},
        format="multipart",
    )
    assert response.json()["status"] == "done"
    assert Teacher.objects.filter(name__in=["李明", "周芳", "吴静"]).count() == 3


def test_command_prints_summary_and_exits_non_zero_on_refusals(world, rows, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(files.csv_bytes(rows))
    call_command("import_roster", str(path), "--user", "school", "--dry-run")
    assert "new 3" in capsys.readouterr().out
    assert Teacher.objects.filter(name="李明").count() == 0
    call_command("import_roster", str(path), "--user", "school")
    assert Teacher.objects.filter(name="李明").count() == 1
    rows.append([world.school.code, "坏行", "123", "小学"])
    path.write_bytes(files.csv_bytes(rows))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_roster", str(path), "--user", "school")
    assert exit_info.value.code == 1
    assert "row 5" in capsys.readouterr().out


def test_export_masks_ids_escapes_formulas_and_respects_scope(client, world):
    world.colleague.subject = "=1+2"
    world.colleague.save()
    client.force_login(world.users["county"])
    response = client.get(reverse("teacher_export"), {"format": "csv"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert world.teacher.reveal_id_number() not in text
    assert world.teacher.id_number_masked in text
    assert "'=1+2" in text
    assert world.neighbour_teacher.name not in text  # another county
    # Full numbers only by POST: a GET (a link from another site) gets them masked.
    response = client.get(reverse("teacher_export"), {"format": "xlsx", "full_id_numbers": "1"})
    workbook = openpyxl.load_workbook(__import__("io").BytesIO(response.content))
    ids = [row[2].value for row in workbook.active.iter_rows(min_row=2)]
    assert world.teacher.reveal_id_number() not in ids
    response = client.post(f"{reverse('teacher_export')}?format=xlsx", {"full_id_numbers": "1"})
    workbook = openpyxl.load_workbook(__import__("io").BytesIO(response.content))
    ids = [row[2].value for row in workbook.active.iter_rows(min_row=2)]
    assert world.teacher.reveal_id_number() in ids
    assert AuditEvent.objects.filter(action="teacher.export").count() == 3
    refused = client.get(
        reverse("teacher_export"), {"format": "csv", "id_number": world.teacher.reveal_id_number()}
    )
    assert refused.status_code == 400  # an ID number never travels in a URL
    audits = str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert world.teacher.reveal_id_number() not in audits


def test_school_admin_cannot_export_full_ids(client, world):
    client.force_login(world.users["school"])
    response = client.post(f"{reverse('teacher_export')}?format=csv", {"full_id_numbers": "1"})
    assert world.teacher.reveal_id_number() not in response.content.decode()


def test_stale_uploads_are_purged_after_a_day(world, rows):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    job = upload(world.users["school"], files.csv_bytes(rows))
    path = job.stored_file
    assert default_storage.exists(path)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert services.purge_stale_uploads() == 1
    job.refresh_from_db()
    assert (job.status, job.stored_file) == ("cancelled", "")
    assert not default_storage.exists(path)


def test_the_stored_upload_is_encrypted(world, rows):
    from django.core.files.storage import default_storage

    job = upload(world.users["school"], files.csv_bytes(rows))
    with default_storage.open(job.stored_file, "rb") as handle:
        stored = handle.read()
    assert rows[0][2].encode() not in stored
    assert "李明".encode() not in stored


def test_a_second_import_for_the_same_school_waits(world, rows):
    from ..helpers import lock_held_elsewhere

    user = world.users["school"]
    job = upload(user, files.csv_bytes(rows))
    # Another job (another worker, another connection) is writing this school's teachers.
    with lock_held_elsewhere("import-school", world.school.pk):
        job = confirm(job, user)
        assert job.status == "preview"  # handed back, nothing written
        assert any("正在导入" in w or "稍后" in w for w in job.warnings), job.warnings
        assert Teacher.objects.filter(name="李明").count() == 0
        with pytest.raises(services.ImportBusy):
            services.import_job_apply(job.pk)
        services.import_job_wait(job.pk)  # what the task does when no worker will retry
    job = confirm(job, user)
    assert job.status == "done"


def test_a_redelivered_task_does_nothing_twice(world, rows):
    user = world.users["school"]
    job = confirm(upload(user, files.csv_bytes(rows)), user)
    before = snapshot()
    services.import_job_apply(job.pk)
    services.import_job_check(job.pk)
    assert snapshot() == before


# --- Findings of the security review --------------------------------------------------------


def test_a_cell_far_away_is_refused_before_the_reader_builds_a_grid(world):
    data = files.xlsx_bytes([[world.school.code, "林晓", factories.id_number(), "小学"]])
    data = files.rewrite_sheet(
        data,
        lambda xml: xml.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>",
        ),
    )
    job = upload(world.users["school"], data, name="far.xlsx")
    assert job.status == "refused"
    assert "1048576" in job.file_errors[0]


def test_a_crafted_row_tag_does_not_hang_the_hidden_row_scan(world, rows):
    import time

    data = files.rewrite_sheet(
        files.xlsx_bytes(rows),
        lambda xml: xml.replace(
            b"<sheetData>", b"<sheetData><!-- <row " + b'r="1" ' * 20000 + b"-->"
        ),
    )
    start = time.monotonic()
    job = upload(world.users["school"], data, name="crafted.xlsx")
    assert time.monotonic() - start < 10  # a generous bound: the old regex took minutes
    assert job.status in ("preview", "refused")


def test_backslash_n_is_text_not_null(world, rows):
    rows[0][4] = "\\N"
    user = world.users["school"]
    job = confirm(upload(user, files.csv_bytes(rows)), user)
    assert job.status == "done"
    assert Teacher.objects.get(name="李明").subject == "\\N"


def test_control_characters_are_removed(world, rows):
    rows[0][1] = "李\x01明"
    user = world.users["school"]
    confirm(upload(user, files.csv_bytes(rows)), user)
    assert Teacher.objects.filter(name="李明").exists()


def test_swapped_name_and_id_columns_store_no_clear_id(world):
    clear = factories.id_number()
    data = files.csv_bytes([[world.school.code, clear, "林晓", "小学"]])
    job = upload(world.users["school"], data)
    assert clear not in str(list(job.rows.values_list("name", "errors")))


def test_only_the_uploader_downloads_the_error_workbook(client, world, rows):
    rows.append([world.school.code, "坏行", "123", "小学"])
    job = upload(world.users["county"], files.csv_bytes(rows))
    client.force_login(world.users["city"])  # sees the job, did not upload it
    assert client.get(reverse("import_error_workbook", args=[job.pk])).status_code == 404
    client.force_login(world.users["county"])
    assert client.get(reverse("import_error_workbook", args=[job.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="import.error_workbook").count() == 1


def test_a_move_leaves_periods_at_other_schools_open(world):
    from portal import services as kernel

    teacher = world.colleague
    second_post = kernel.service_period_open(
        teacher=teacher,
        school=world.far_school,
        role="teacher",
        stage="primary",
        start=date(2020, 9, 1),
    )
    row = [world.sibling_school.code, teacher.name, teacher.reveal_id_number(), "小学"]
    county = world.users["county"]
    confirm(upload(county, files.csv_bytes([row])), county)
    second_post.refresh_from_db()
    assert second_post.end is None


def test_a_crash_fails_the_job_and_keeps_nothing(world, rows, monkeypatch):
    from portal.imports import kinds

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(kinds.get("roster"), "write_rows", boom)
    user = world.users["school"]
    job = upload(user, files.csv_bytes(rows))
    ImportJob.objects.filter(pk=job.pk).update(status="importing")  # confirmed, committed
    with pytest.raises(RuntimeError):
        services.import_job_apply(job.pk)
    job.refresh_from_db()
    assert (job.status, job.stored_file) == ("failed", "")
    assert Teacher.objects.filter(name="李明").count() == 0


def test_two_confirms_write_once(world, rows):
    user = world.users["school"]
    job = upload(user, files.csv_bytes(rows))
    confirm(job, user)
    confirm(job, user)
    assert AuditEvent.objects.filter(action="import.apply", object_id=str(job.pk)).count() == 1


def test_a_deactivated_school_admin_cannot_import(world, rows):
    user = world.users["school"]
    job = upload(user, files.csv_bytes(rows))
    user.is_active = False
    user.save()
    services.import_job_confirm(job=job, user=user)
    assert Teacher.objects.filter(name="李明").count() == 0


def test_an_oversized_upload_is_dropped_while_it_is_read(client, world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_UPLOAD_BYTES = 10_000
    client.force_login(world.users["school"])
    response = client.post(
        reverse("import_list"), {"file": SimpleUploadedFile("big.csv", b"x" * 200_000)}
    )
    assert response.status_code == 200
    assert "MB" in response.content.decode()
    assert ImportJob.objects.count() == 3  # only the world's own
