"""Training records uploaded in bulk (xlsx/csv) through the portal's import machinery:
preview, error workbook, all or nothing, and idempotent — the same file twice credits
nothing twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import bulk, crypto
from portal import rules as kernel_rules
from portal.imports import cells, columns, kinds
from portal.imports.columns import Column, ColumnMap
from portal.imports.kinds import CheckContext, ImportedRow, WriteResult
from portal.models import Teacher
from portal.scope import scope_queryset
from portal.selectors import service_bounds

from . import rules, selectors, services
from .choices import Category, Level, Mode, RecordStatus, Source
from .models import TrainingRecord

COLUMNS = [
    columns.ID_NUMBER,
    columns.TEACHER_NAME,
    Column(
        "course_code",
        "课程编号",
        ("课程代码",),
        example="WZ2026001",
        help="平台课程目录中的编号；没有编号时填写培训名称",
    ),
    Column(
        "description", "培训名称", ("培训项目", "课程名称"), example="县级师德专题培训", width=28
    ),
    Column("hours", "学时", ("培训学时",), required=True, example="24", width=8),
    Column(
        "missed",
        "缺勤学时",
        ("缺课学时", "缺席学时"),
        example="0",
        width=10,
        help="课程中缺席的学时；缺席达到规则规定比例（如五分之一）的不计学分",
    ),
    Column(
        "completed_on",
        "完成日期",
        ("结业日期", "培训日期"),
        required=True,
        example="2026-03-15",
        width=14,
    ),
    Column(
        "level",
        "层级",
        ("培训层级",),
        required=True,
        example="县培",
        choices=("国培", "省培", "市培", "县培", "校培"),
    ),
    Column(
        "category",
        "类别",
        ("培训类别",),
        required=True,
        example="师德与思政",
        choices=(
            "师德与思政",
            "学科专业",
            "信息技术",
            "班主任工作",
            "校长任职资格",
            "学历提升",
            "平台自主研修",
            "其他",
        ),
    ),
    Column(
        "mode",
        "形式",
        ("培训形式",),
        example="集中面授",
        choices=("集中面授", "网络研修", "学历提升", "实践研修"),
    ),
]
LABELS = {c.key: c.label for c in COLUMNS}
SYNONYMS = {
    "level": {
        "国培": "national",
        "省培": "province",
        "区培": "province",
        "市培": "city",
        "县培": "county",
        "校培": "school",
        "国家级": "national",
        "省级": "province",
        "市级": "city",
        "县级": "county",
        "校级": "school",
    },
    "category": {
        "师德": "ethics",
        "思政": "ethics",
        "班主任": "head_teacher",
        "校长": "principal",
        "学历": "degree",
        "平台": "platform",
    },
    "mode": {
        "集中": "face_to_face",
        "面授": "face_to_face",
        "网络": "online",
        "线上": "online",
        "实践": "practice",
    },
}


class TrainingKind:
    name = "training"
    columns = COLUMNS
    template_title = "培训学时"
    instructions = [
        "每行一条培训记录，第一行为表头，请勿修改表头文字；示例行（第 2 行）请删除后再填写。",
        "教师按身份证号匹配，姓名须与平台一致；只能导入本校（本地区）教师的记录。",
        "课程目录中的培训填写课程编号，同一教师同一课程只认定一次；其他培训填写培训名称。",
        "同一文件重复上传不会重复认定学时；导入的记录直接记为已审核。",
        "只要有一行有错误，默认整份文件都不导入；平台会给出错误说明文件。",
    ]

    def parse_rows(self, table_rows, mapping: ColumnMap, *, today: date, on_progress=None):
        lookups = {
            "level": cells.Choices(Level.choices, SYNONYMS["level"]),
            "category": cells.Choices(Category.choices, SYNONYMS["category"]),
            "mode": cells.Choices(Mode.choices, SYNONYMS["mode"]),
        }
        hasher = crypto.id_hasher()
        rows, seen = [], {}
        for index, (line, raw) in enumerate(table_rows):
            row = ImportedRow(line=line, raw=raw, labels=LABELS)
            _parse(row, mapping, today, lookups, hasher)
            key = (
                row.id_hash,
                row.values.get("course_code") or row.values.get("description"),
                row.values.get("completed_on"),
                row.values.get("hours"),
            )
            if row.id_hash and not row.errors:
                first = seen.setdefault(key, line)
                if first != line:
                    row.refuse(
                        "id_number",
                        row.masked,
                        _("The same training of the same teacher is already on row %(row)d.")
                        % {"row": first},
                    )
            row.parse_error_count = len(row.errors)
            rows.append(row)
            if on_progress and index % 5000 == 0:
                on_progress(index, len(table_rows))
        return rows

    def check_rows(self, rows: list[ImportedRow], ctx: CheckContext) -> None:
        hashes = [r.id_hash for r in rows if r.id_hash]
        teachers = {
            t.id_number_hash: t
            for start in range(0, len(hashes), 900)
            for t in scope_queryset(
                ctx.user, Teacher.objects.filter(id_number_hash__in=hashes[start : start + 900])
            ).select_related("school__county")
        }
        codes = {r.values["course_code"] for r in rows if r.values.get("course_code")}
        # Per county, the courses its teachers may be credited with: a code of any other
        # region reads like an unknown one (``selectors.creditable_courses``).
        courses = selectors.creditable_courses_by_code(
            codes, {t.school.county_id: t.school.county for t in teachers.values()}.values()
        )
        existing = _existing_credits([t.pk for t in teachers.values()])
        bounds = service_bounds([t.pk for t in teachers.values()])
        for row in rows:
            del row.errors[row.parse_error_count :]
            row.teacher = row.school = None
            if row.errors:
                row.action = "refused"
                continue
            teacher = teachers.get(row.id_hash)
            if teacher is None:
                row.refuse(
                    "id_number",
                    row.masked,
                    _(
                        "No teacher in your scope has this ID number. Upload the roster first, or "
                        "ask the teacher's own school."
                    ),
                )
            elif cells.name(teacher.name) != row.values["name"]:
                row.refuse(
                    "name",
                    row.values["name"],
                    _("The name does not match the portal's record for this ID number."),
                )
            if teacher is not None:
                began = bounds.get(teacher.pk, (None, None))[0]
                problem = kernel_rules.before_service_problem(row.values["completed_on"], began)
                if problem:
                    row.refuse("completed_on", row.values["completed_on"].isoformat(), problem)
            code = row.values.get("course_code")
            course = None
            if code and teacher is not None:
                course = courses[teacher.school.county_id].get(code)
                if course is None:
                    row.refuse("course_code", code, _("No course has this code."))
                else:
                    # The course's level, category and mode, whatever the file says.
                    row.values.update(
                        level=course.level, category=course.category, mode=course.mode
                    )
                    for field, message in rules.record_problems(
                        hours=Decimal(row.values["hours_tenths"]) / 10,
                        completed_on=row.values["completed_on"],
                        course=course,
                        missed=Decimal(row.values.get("missed_tenths", 0)) / 10,
                    ):
                        raw = {
                            "hours": row.values["hours_tenths"] / 10,
                            "missed": row.values.get("missed_tenths", 0) / 10,
                        }.get(field) or row.values["completed_on"].isoformat()
                        row.refuse(field, str(raw), message)
                if course is not None and course.provider_id:
                    problem = rules.provider_problem(
                        provider=course.provider.name,
                        qualified=course.provider.qualified,
                        qualified_until=course.provider.qualified_until,
                        on=row.values["completed_on"],
                    )
                    if problem:
                        row.refuse("course_code", code, problem)
            if row.errors:
                row.action = "refused"
                continue
            row.teacher, row.school = teacher, teacher.school
            row.values["course"] = course
            row.action = "unchanged" if _key(row) in existing else "new"

    def schools_touched(self, rows, user) -> set[int]:
        return kinds.schools_of_teachers(rows, user)

    def write_rows(self, rows, *, today: date, job=None) -> WriteResult:
        new = [r for r in rows if r.action == "new"]
        now = timezone.now()
        user = job.uploaded_by if job is not None else None
        bulk.insert_values(
            TrainingRecord,
            [
                "teacher_id",
                "course_id",
                "description",
                "hours_tenths",
                "missed_tenths",
                "completed_on",
                "level",
                "category",
                "mode",
                "source",
                "status",
                "created_by_id",
                "reviewed_by_id",
                "reviewed_at",
                "import_job_id",
            ],
            [
                (
                    r.teacher.pk,
                    r.values["course"].pk if r.values["course"] else None,
                    r.values.get("description", "")[:200],
                    r.values["hours_tenths"],
                    r.values.get("missed_tenths", 0),
                    r.values["completed_on"],
                    r.values["level"],
                    r.values["category"],
                    r.values.get("mode") or Mode.FACE_TO_FACE,
                    Source.IMPORT,
                    RecordStatus.APPROVED,
                    user.pk if user else None,
                    user.pk if user else None,
                    now,
                    job.pk if job is not None else None,
                )
                for r in new
            ],
            returning=False,
        )
        services.summary_refresh(teacher_ids=list({r.teacher.pk for r in new}))
        return WriteResult(created=len(new))


def _key(row) -> tuple:
    course = row.values.get("course")
    if course is not None:
        return (row.teacher.pk, "course", course.pk)
    return (
        row.teacher.pk,
        "text",
        row.values.get("description", ""),
        row.values["completed_on"],
        row.values["hours_tenths"],
    )


def _existing_credits(teacher_ids: list[int]) -> set[tuple]:
    """What these teachers are already credited for (not rejected, not reversed)."""
    keys: set[tuple] = set()
    for start in range(0, len(teacher_ids), 900):
        records = (
            TrainingRecord.objects.filter(
                teacher_id__in=teacher_ids[start : start + 900],
                reverses__isnull=True,
                is_reversed=False,
            )
            .filter(~Q(status=RecordStatus.REJECTED))
            .values_list("teacher_id", "course_id", "description", "completed_on", "hours_tenths")
        )
        for teacher_id, course_id, description, completed, tenths in records:
            if course_id:
                keys.add((teacher_id, "course", course_id))
            else:
                keys.add((teacher_id, "text", description, completed, tenths))
    return keys


def _parse(row: ImportedRow, mapping: ColumnMap, today: date, lookups, hasher) -> None:
    width = len(row.raw)
    cell = {key: row.raw[p] if p < width else None for key, p in mapping.positions.items()}
    row.take_id_number(cell.get("id_number"), today=today, hasher=hasher)
    row.values["name"] = cells.name(cell.get("name"))
    if not row.values["name"]:
        row.refuse("name", "", _("The name is empty."))
    row.values["course_code"] = cells.text(cell.get("course_code"))
    row.values["description"] = cells.text(cell.get("description"))[:200]
    if not row.values["course_code"] and not row.values["description"]:
        row.refuse("description", "", _("Give the course code or the name of the training."))
    hours = cells.text(cell.get("hours"))
    try:
        tenths = services.to_tenths(hours)
    except Exception:
        tenths = None
    low, high = rules.RECORD_HOURS  # the one range, as the service checks it
    if tenths is None or not low * 10 <= tenths <= high * 10:
        row.refuse(
            "hours",
            hours,
            _("Hours must be a number between %(low)s and %(high)s.") % {"low": low, "high": high},
        )
    else:
        row.values["hours_tenths"] = tenths
    missed = cells.text(cell.get("missed"))
    if missed:
        try:
            missed_tenths = services.to_tenths(missed)
        except Exception:
            missed_tenths = None
        if missed_tenths is None or not 0 <= missed_tenths <= 5000:
            row.refuse("missed", missed, _("Hours missed must be a number between 0 and 500."))
        else:
            row.values["missed_tenths"] = missed_tenths
    raw_date = cell.get("completed_on")
    try:
        row.values["completed_on"] = cells.parse_date(
            raw_date, earliest=date(2000, 1, 1), latest=today
        )
    except cells.CellError as exc:
        row.refuse("completed_on", raw_date, exc.message)
    for key, lookup in lookups.items():
        value = cells.text(cell.get(key))
        if value:
            try:
                row.values[key] = lookup.parse(value)
            except cells.CellError as exc:
                row.refuse(key, value, exc.message)
        elif key != "mode":
            row.refuse(key, "", _("This column must be filled."))
