"""Training records through the import machinery: matched by ID number and name, scoped,
all or nothing, and the same file twice credits nothing twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.imports import services
from training.models import TrainingRecord, TrainingSummary

from .. import factories
from .. import import_files as files

HEADER = ["身份证号", "姓名", "课程编号", "培训名称", "学时", "完成日期", "层级", "类别", "形式"]


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 23))


def upload(user, rows, **options):
    job = services.import_job_create(
        user=user,
        kind="training",
        file_name="学时.csv",
        data=files.csv_bytes(rows, header=HEADER),
        **options,
    )
    job.refresh_from_db()
    return job


def row(teacher, **values):
    base = {
        "course": "",
        "description": "县级师德专题培训",
        "hours": "12",
        "date": "2026-03-15",
        "level": "县培",
        "category": "师德与思政",
        "mode": "集中面授",
    }
    base.update(values)
    return [
        teacher.reveal_id_number(),
        teacher.name,
        base["course"],
        base["description"],
        base["hours"],
        base["date"],
        base["level"],
        base["category"],
        base["mode"],
    ]


def test_import_credits_and_a_second_upload_credits_nothing(world):
    user = world.users["school"]
    rows = [
        row(world.teacher),
        row(
            world.colleague,
            course=world.course.code,
            description="",
            category="学科专业",
            level="市培",
        ),
    ]
    job = upload(user, rows, commit_when_valid=True)
    assert (job.status, job.new_rows) == ("done", 2)
    assert TrainingRecord.objects.filter(import_job=job, status="approved").count() == 2
    summary = TrainingSummary.objects.get(teacher=world.colleague)
    assert summary.credited == Decimal(12)  # the hours the file gives, not the course's
    again = upload(user, rows, commit_when_valid=True)
    assert (again.new_rows, again.unchanged_rows) == (0, 2)
    assert TrainingRecord.objects.filter(teacher=world.teacher).count() == 2  # world's + 1


def test_teacher_outside_scope_and_name_mismatch_are_refused(world):
    user = world.users["school"]
    rows = [
        row(world.teacher),
        row(world.sibling_teacher),
        [
            world.colleague.reveal_id_number(),
            "别人",
            "",
            "培训",
            "6",
            "2026-03-01",
            "县培",
            "学科专业",
            "",
        ],
    ]
    job = upload(user, rows, commit_when_valid=True)
    assert (job.status, job.refused_rows) == ("refused", 2)
    assert not TrainingRecord.objects.filter(import_job=job).exists()
    messages = " ".join(e["message"] for r in job.rows.all() for e in r.errors)
    assert "管理范围" in messages and "姓名" in messages


def test_bad_cells_are_named(world):
    rows = [
        row(world.teacher, hours="abc"),
        row(world.colleague, date="2027-01-01"),
        row(world.teacher, level="乡培", description="另一项"),
    ]
    job = upload(world.users["school"], rows)
    columns = sorted(e["column"] for r in job.rows.all() for e in r.errors)
    assert columns == sorted(["完成日期", "学时", "层级"])


def test_duplicate_rows_in_one_file_are_refused(world):
    rows = [row(world.teacher), row(world.teacher)]
    job = upload(world.users["school"], rows)
    assert job.refused_rows == 1


def test_training_template_downloads(client, world):
    client.force_login(world.users["school"])
    import io

    import openpyxl
    from django.urls import reverse

    response = client.get(reverse("import_template", args=["training"]))
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).active[1]]
    assert header[:2] == ["身份证号*", "姓名*"]


def test_factories_still_work_with_training_loaded(world):
    teacher = factories.teacher(world.school, name="新同事")
    assert teacher.service_periods.count() == 1
