"""Exports of teacher lists. The columns are the roster template's, so an export can be
corrected and uploaded again; ID numbers are masked unless bureau staff ask for them in full,
which is audited."""

from __future__ import annotations

from django.utils import translation

from .choices import EmploymentStatus, ProfessionalTitle, Staffing, Stage
from .crypto import decrypt_text
from .imports import workbooks

HEADERS = [
    "学校标识码",
    "姓名",
    "身份证号",
    "学段",
    "任教学科",
    "编制情况",
    "是否专任教师",
    "职称",
    "从教起始日期",
    "学校名称",
    "所在县(市、区)",
    "任职状态",
]
FIELDS = [
    "school__code",
    "name",
    "id_number_masked",
    "stage",
    "subject",
    "staffing",
    "is_full_time",
    "professional_title",
    "started_teaching",
    "school__name",
    "school__county__name",
    "status",
]


def _labels(choices) -> dict[str, str]:
    with translation.override("zh-hans"):
        return {code: str(label) for code, label in choices}


def teacher_rows(teachers, *, full_id_numbers: bool):
    """Rows for the export, read with one query (``.values_list``), labels in Chinese."""
    stage, staffing = _labels(Stage.choices), _labels(Staffing.choices)
    title, status = _labels(ProfessionalTitle.choices), _labels(EmploymentStatus.choices)
    fields = [*FIELDS, "id_number_encrypted"] if full_id_numbers else FIELDS
    for values in teachers.values_list(*fields).iterator(chunk_size=2000):
        row = list(values[: len(FIELDS)])
        if full_id_numbers:
            row[2] = decrypt_text(values[-1])
        row[3] = stage.get(row[3], row[3])
        row[5] = staffing.get(row[5], row[5])
        row[6] = "是" if row[6] else "否"
        row[7] = title.get(row[7], row[7])
        row[8] = row[8].isoformat() if row[8] else ""
        row[11] = status.get(row[11], row[11])
        yield row


def teachers_xlsx(teachers, *, full_id_numbers: bool) -> bytes:
    return workbooks.table_xlsx(
        HEADERS, teacher_rows(teachers, full_id_numbers=full_id_numbers), title="教师名单"
    )


def teachers_csv(teachers, *, full_id_numbers: bool) -> bytes:
    return workbooks.table_csv(HEADERS, teacher_rows(teachers, full_id_numbers=full_id_numbers))
