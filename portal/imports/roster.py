"""The teacher roster import: columns, the check of every row, and the write.

A row names a teacher by ID number: a teacher already in the portal is updated, a new one
created; a row identical to what the portal holds is unchanged. A teacher whose current
school is outside the uploader's scope is never moved by the upload: the row reads exactly
as a new teacher would (the action, the counts, the messages, the queries), so that an
upload cannot tell which ID numbers belong to teachers elsewhere, and on confirmation it
becomes a transfer request (``TransferRequest``) for the bureau above both schools.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date, timedelta

from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import bulk, crypto, hooks
from ..choices import SCHOOL_TYPE_STAGES, ProfessionalTitle, Role, Staffing, Stage
from ..models import AuditEvent, School, ServicePeriod, Teacher
from ..scope import scope_queryset
from . import cells
from .columns import Column, ColumnMap
from .kinds import CheckContext, ImportedRow, WriteResult

COLUMNS = [
    Column(
        "school_code",
        "学校标识码",
        ("学校代码", "学校编码", "学校识别码"),
        help="10 位学校标识码；学校管理员上传本校名单时可不填",
        example="3030200001",
    ),
    Column("name", "姓名", ("教师姓名",), required=True, example="林晓", width=10),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "证件号码", "身份证"),
        required=True,
        help="18 位；请把该列设为“文本”格式",
        example="110105194912310020",
        width=22,
    ),
    Column(
        "stage",
        "学段",
        ("任教学段",),
        required=True,
        example="小学",
        choices=("学前", "小学", "初中", "高中", "中职", "特殊教育"),
        width=10,
    ),
    Column("subject", "任教学科", ("学科", "任教科目"), example="语文"),
    Column("staffing", "编制情况", ("编制", "是否在编"), example="在编", choices=("在编", "非编")),
    Column("is_full_time", "是否专任教师", ("专任教师",), example="是", choices=("是", "否")),
    Column(
        "professional_title",
        "职称",
        ("专业技术职务",),
        example="一级教师",
        choices=("未定级", "三级教师", "二级教师", "一级教师", "高级教师", "正高级教师"),
    ),
    Column(
        "started_teaching",
        "从教起始日期",
        ("从教时间", "参加工作时间", "任教起始日期"),
        help="如 2010-09-01",
        example="2010-09-01",
        width=16,
    ),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
LABELS = {c.key: c.label for c in COLUMNS}
# Fields a row may change on an existing teacher, in display order.
TRACKED = [
    "name",
    "school",
    "stage",
    "subject",
    "staffing",
    "is_full_time",
    "professional_title",
    "started_teaching",
]
SQLITE_BATCH = 900  # SQLite's limit on query parameters, with room to spare
POSTGRES_BATCH = 20_000


def _row(line, raw) -> ImportedRow:
    return ImportedRow(line=line, raw=raw, labels=LABELS)


# --- 1. Parse every row (no database) ---------------------------------------------------


def parse_rows(
    table_rows, mapping: ColumnMap, *, today: date, on_progress=None
) -> list[ImportedRow]:
    rows: list[ImportedRow] = []
    seen: dict[str, int] = {}
    total = len(table_rows)
    choices = {
        key: cells.Choices(options, _SHORT_LABELS.get(key))
        for key, options in (
            ("stage", Stage.choices),
            ("staffing", Staffing.choices),
            ("professional_title", ProfessionalTitle.choices),
        )
    }
    hasher = crypto.id_hasher()
    for index, (line, raw) in enumerate(table_rows):
        row = _row(line, raw)
        _parse_row(row, mapping, today, choices, hasher)
        if row.id_hash:
            first = seen.setdefault(row.id_hash, line)
            if first != line:
                row.refuse(
                    "id_number",
                    row.masked,
                    _("The same ID number is already on row %(row)d.") % {"row": first},
                )
        row.parse_error_count = len(row.errors)
        rows.append(row)
        if on_progress and index % 5000 == 0:
            on_progress(index, total)
    return rows


def _parse_row(row: ImportedRow, mapping: ColumnMap, today: date, choices, hasher) -> None:
    width = len(row.raw)
    cell = {key: row.raw[p] if p < width else None for key, p in mapping.positions.items()}

    def get(_raw, key):
        return cell.get(key)

    parsed = row.take_id_number(get(row.raw, "id_number"), today=today, hasher=hasher)
    if parsed is not None:
        row.values["birth_date"], row.values["gender"] = parsed.birth_date, parsed.gender

    name = cells.name(get(row.raw, "name"))
    if not name:
        row.refuse("name", "", _("The name is empty."))
    elif len(name) > 64:
        row.refuse("name", name, _("The name is longer than 64 characters."))
    row.values["name"] = name
    row.values["school_code"] = cells.text(get(row.raw, "school_code"))

    for key, lookup in choices.items():
        value = cells.text(get(row.raw, key))  # None when the column is absent → ""
        if value:
            try:
                row.values[key] = lookup.parse(value)
            except cells.CellError as exc:
                row.refuse(key, value, exc.message)
        elif COLUMN_BY_KEY[key].required:
            row.refuse(key, "", _("This column must be filled."))
    value = cells.text(get(row.raw, "is_full_time"))
    if value:
        try:
            row.values["is_full_time"] = cells.parse_bool(value)
        except cells.CellError as exc:
            row.refuse("is_full_time", value, exc.message)
    subject = cells.text(get(row.raw, "subject"))
    if subject:
        if len(subject) > 32:
            row.refuse("subject", subject, _("The subject is longer than 32 characters."))
        row.values["subject"] = subject
    raw = get(row.raw, "started_teaching")
    if raw is not None and raw != "" and (not isinstance(raw, str) or raw.strip()):
        try:
            started = cells.parse_date(raw, latest=today)
        except cells.CellError as exc:
            row.refuse("started_teaching", raw, exc.message)
        else:
            birth = row.values.get("birth_date")
            if birth and started < birth + timedelta(days=16 * 365):
                row.refuse(
                    "started_teaching",
                    raw,
                    _("The teacher would have started teaching before the age of 16."),
                )
            row.values["started_teaching"] = started


_SHORT_LABELS = {
    "stage": {
        "学前": "preschool",
        "小学": "primary",
        "初中": "junior",
        "高中": "senior",
        "中职": "vocational",
        "特教": "special",
        "特殊教育": "special",
        "幼儿园": "preschool",
    },
    "staffing": {
        "在编": "established",
        "编内": "established",
        "非编": "non_established",
        "编外": "non_established",
        "非在编": "non_established",
    },
    "professional_title": {
        "未定级": "none",
        "未评": "none",
        "无": "none",
        "三级": "third",
        "二级": "second",
        "一级": "first",
        "高级": "senior",
        "正高级": "professor",
        "中小学三级教师": "third",
        "中小学二级教师": "second",
        "中小学一级教师": "first",
        "中小学高级教师": "senior",
        "中小学正高级教师": "professor",
    },
}


# --- 2. Check rows against the database (set queries, never one per row) --------------------


def check_rows(rows: list[ImportedRow], ctx: CheckContext) -> None:
    """Resolve schools and existing teachers for all rows at once, enforce the uploader's
    scope row by row, and decide each row's action (new / changed / unchanged / refused).
    A row naming a teacher outside the scope is "new" like any unknown number, with the
    teacher kept on ``transfer_of`` for the write: whatever is checked for it is checked
    the same way for a new teacher."""
    user = ctx.user
    own_school = user.school if user.role == Role.SCHOOL_ADMIN else None
    codes = {r.values["school_code"] for r in rows if r.values.get("school_code")}
    schools = _in_batches(codes, lambda chunk: School.objects.filter(code__in=chunk))
    by_code = {s.code: s for s in schools}
    visible_school_ids = set(
        scope_queryset(user, School.objects.filter(pk__in=[s.pk for s in schools])).values_list(
            "pk", flat=True
        )
    )
    if (
        own_school is not None
        and scope_queryset(user, School.objects.filter(pk=own_school.pk)).exists()
    ):
        visible_school_ids.add(own_school.pk)
        by_code.setdefault(own_school.code, own_school)
    elif own_school is not None:
        own_school = None  # the account lost its scope (deactivated, moved)

    hashes = [r.id_hash for r in rows if r.id_hash]
    existing = {t.id_number_hash: t for t in _teachers_by_hash(hashes, lock=ctx.lock)}
    # Asked whether or not a number matched: a file of numbers that match nobody must cost
    # the same queries as one whose numbers belong to teachers outside the scope.
    visible_teacher_ids = _visible_teacher_ids(user, hashes) if hashes else set()

    for row in rows:
        # A second check (inside the write's lock) starts again from the parse results.
        del row.errors[row.parse_error_count :]
        row.school = row.teacher = row.transfer_of = None
        row.changes = {}
        _resolve_school(row, by_code, visible_school_ids, own_school)
        teacher = existing.get(row.id_hash)
        transfer_of = None
        if teacher is not None and teacher.pk not in visible_teacher_ids:
            # Registered elsewhere: to the uploader a new teacher, to the write a transfer.
            teacher, transfer_of = None, teacher
        if row.school is not None and row.values.get("stage"):
            allowed = SCHOOL_TYPE_STAGES.get(row.school.school_type, ())
            if row.values["stage"] not in allowed:
                row.refuse(
                    "stage",
                    Stage(row.values["stage"]).label,
                    _("The school “%(school)s” does not teach this stage.")
                    % {"school": row.school.name},
                )
        if row.errors:
            row.action = "refused"
            continue
        row.teacher, row.transfer_of = teacher, transfer_of
        if teacher is None:
            row.action = "new"
        else:
            row.changes = _changes(teacher, row)
            row.action = "changed" if row.changes else "unchanged"
    _name_old_schools(rows)


def _by_hash_queryset(hashes: list[str]):
    """Teachers with these lookup hashes. On PostgreSQL one array parameter instead of
    100,000 placeholders; on SQLite a subquery over a temporary list is not possible, so the
    caller batches (see ``_teachers_by_hash``)."""
    if bulk.is_postgresql():
        matching = RawSQL("SELECT id FROM portal_teacher WHERE id_number_hash = ANY(%s)", [hashes])
        return Teacher.objects.filter(pk__in=matching)
    return Teacher.objects.filter(id_number_hash__in=hashes)


def _visible_teacher_ids(user, hashes: list[str]) -> set[int]:
    if bulk.is_postgresql():
        return set(scope_queryset(user, _by_hash_queryset(hashes)).values_list("pk", flat=True))
    return set(
        _in_batches(
            hashes,
            lambda chunk: scope_queryset(user, _by_hash_queryset(chunk)).values_list(
                "pk", flat=True
            ),
        )
    )


def _teachers_by_hash(hashes: list[str], *, lock: bool = False) -> list[Teacher]:
    if bulk.is_postgresql():
        teachers = _by_hash_queryset(hashes).only(*LOADED).order_by("pk")
        if lock:
            # Another import (for another school) may be changing the same teacher: wait for
            # it, then compare with what it wrote.
            teachers = teachers.select_for_update(of=("self",))
        return list(teachers)
    return _in_batches(
        hashes,
        lambda chunk: Teacher.objects.only(*LOADED).filter(id_number_hash__in=chunk),
    )


def _name_old_schools(rows: list[ImportedRow]) -> None:
    """One query for the names of the schools that moving teachers leave."""
    moving = [r for r in rows if "school" in r.changes]
    if not moving:
        return
    names = dict(
        School.objects.filter(pk__in={r.changes["school"][0] for r in moving}).values_list(
            "pk", "name"
        )
    )
    for row in moving:
        row.changes["school"][0] = names.get(row.changes["school"][0], "")


def _in_batches(values, query) -> list:
    values = list(values)
    found = []
    size = POSTGRES_BATCH if bulk.is_postgresql() else SQLITE_BATCH
    for start in range(0, len(values), size):
        found.extend(query(values[start : start + size]))
    return found


def _resolve_school(row, by_code, visible_ids, own_school) -> None:
    code = row.values.get("school_code")
    if not code:
        if own_school is None:
            row.refuse("school_code", "", _("The school code is empty."))
        else:
            row.school = own_school
        return
    school = by_code.get(code)
    if school is None:
        row.refuse("school_code", code, _("No school has the code %(code)s.") % {"code": code})
    elif school.pk not in visible_ids:
        row.refuse(
            "school_code",
            code,
            _(
                "The school %(code)s is outside your scope: you may upload teachers of your own "
                "schools only."
            )
            % {"code": code},
        )
    else:
        row.school = school


LOADED = ["id", "id_number_hash", "school_id", *(f for f in TRACKED if f != "school")]


def _changes(teacher: Teacher, row: ImportedRow) -> dict:
    changes = {}
    for field_name in TRACKED:
        if field_name == "school":
            old, new = teacher.school_id, row.school.pk
            if old != new:
                # The old school's id for now; ``_name_old_schools`` puts names in.
                changes["school"] = [old, row.school.name]
            continue
        if field_name not in row.values:
            continue
        old, new = getattr(teacher, field_name), row.values[field_name]
        if old != new:
            changes[field_name] = [
                _display(teacher, field_name, old),
                _display(teacher, field_name, new),
            ]
    return changes


def _display(teacher, field_name, value) -> str:
    model_field = Teacher._meta.get_field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


# --- 3. Write (one short transaction, batched) ------------------------------------------


def write_rows(rows: list[ImportedRow], *, today: date, job=None) -> WriteResult:
    """Create and update teachers for the rows that passed, and request the transfer of
    those registered outside the uploader's scope. Call inside a transaction."""
    result = WriteResult()
    new_rows = [r for r in rows if r.action == "new" and r.transfer_of is None]
    encrypt = crypto.text_encrypter()
    bulk.insert_values(
        Teacher,
        NEW_TEACHER_FIELDS,
        [_new_teacher(r, encrypt) for r in new_rows],
        returning=False,
    )
    _open_first_periods([r.id_hash for r in new_rows], today, job=job)
    result.created = len(new_rows)

    moved = []
    updated_fields: set[str] = set()
    to_update = []
    now = timezone.now()
    for row in (r for r in rows if r.action == "changed"):
        teacher = row.teacher
        teacher.updated_at = now  # bulk_update does not touch auto_now fields
        for field_name in row.changes:
            if field_name == "school":
                moved.append((teacher, row.school, teacher.school_id))
                teacher.school = row.school
                updated_fields.add("school")
            else:
                setattr(teacher, field_name, row.values[field_name])
                updated_fields.add(field_name)
        to_update.append(teacher)
    if to_update:
        Teacher.objects.bulk_update(
            to_update, sorted(updated_fields | {"updated_at"}), batch_size=1000
        )
    _move(moved, today)
    result.updated, result.moved = len(to_update), len(moved)
    _audit(rows, job)
    _request_transfers([r for r in rows if r.action == "new" and r.transfer_of], job)
    # What the apps derive from teachers (training summaries) is right when the job ends.
    new_ids = _in_batches(
        [r.id_hash for r in new_rows],
        lambda chunk: _by_hash_queryset(chunk).values_list("pk", flat=True),
    )
    hooks.teachers_changed([*new_ids, *(t.pk for t in to_update)])
    return result


def _request_transfers(rows: list[ImportedRow], job) -> None:
    """The rows that name a teacher registered outside the uploader's scope: one transfer
    request each, with the row's values (never its ID number), for the bureau to decide."""
    if not rows:
        return
    from ..services import IDLookupRefused, id_lookups_record, transfer_requests_create

    if job is not None and job.uploaded_by is not None:
        # Each told the uploader, once written, that the number is registered elsewhere: a
        # look-up by full ID number, counted and audited (never refused after the write).
        with contextlib.suppress(IDLookupRefused):
            id_lookups_record(user=job.uploaded_by, count=len(rows), via="import:transfer")
    transfer_requests_create(
        wanted=[(r.transfer_of, r.school, r.values["name"], r.values) for r in rows],
        requested_by=job.uploaded_by if job is not None else None,
        import_job=job,
    )


def _audit(rows: list[ImportedRow], job) -> None:
    """One audit event per teacher created or changed, with the changes (before, after)
    and the import that made them, so that a teacher's history survives the import's own
    records."""
    from ..services import audit_bulk

    actor = job.uploaded_by if job is not None else None
    origin = {"import_job": job.pk} if job is not None else {}
    # On PostgreSQL the new teachers were recorded with their service periods
    # (``_open_first_periods``).
    new = (
        []
        if bulk.is_postgresql()
        else [r for r in rows if r.action == "new" and r.transfer_of is None]
    )
    new_ids = dict(
        _in_batches(
            [r.id_hash for r in new],
            lambda chunk: _by_hash_queryset(chunk).values_list("id_number_hash", "pk"),
        )
    )
    events = []
    for row in [*new, *(r for r in rows if r.action == "changed")]:
        if row.action == "new":
            action, pk, detail = "teacher.create", new_ids[row.id_hash], {}
        else:
            action, pk, detail = "teacher.update", row.teacher.pk, {"changes": row.changes}
        name = row.values.get("name") or row.teacher.name
        events.append(
            AuditEvent(
                action=action,
                object_type=Teacher._meta.label,
                object_id=str(pk),
                object_repr=f"{name} ({row.masked})"[:200],
                region_id=row.school.county_id,
                detail={**detail, **origin},
            )
        )
    audit_bulk(actor=actor, events=events)


def _open_first_periods(hashes: list[str], today: date, *, job=None) -> None:
    """Each new teacher's first service period, at their school, from the day they started
    teaching. On PostgreSQL one statement, with no row travelling through Python, which
    also records each creation in the audit log (elsewhere ``_audit`` does)."""
    if not hashes:
        return
    if bulk.is_postgresql():
        from django.db import connection

        from ..services import audit_origin

        user_id, username, ip = audit_origin(job.uploaded_by if job is not None else None)
        origin = {"import_job": job.pk} if job is not None else {}
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH new AS (SELECT id, school_id, stage, started_teaching, name, "
                "id_number_masked FROM portal_teacher WHERE id_number_hash = ANY(%s)), "
                "periods AS (INSERT INTO portal_serviceperiod (teacher_id, school_id, role, "
                'stage, start, "end", from_reserve) SELECT id, school_id, %s, stage, '
                "COALESCE(started_teaching, %s), NULL, false FROM new) "
                "INSERT INTO portal_auditevent (at, user_id, username, action, object_type, "
                "object_id, object_repr, region_id, ip_address, detail) "
                "SELECT now(), %s, %s, 'teacher.create', %s, new.id::text, "
                "left(new.name || ' (' || new.id_number_masked || ')', 200), s.county_id, %s, "
                "%s::jsonb "
                "FROM new JOIN portal_school s ON s.id = new.school_id",
                [
                    hashes,
                    "teacher",
                    today,
                    user_id,
                    username,
                    Teacher._meta.label,
                    ip,
                    json.dumps(origin),
                ],
            )
        return
    teachers = _in_batches(
        hashes,
        lambda chunk: Teacher.objects.filter(id_number_hash__in=chunk).values_list(
            "pk", "school_id", "stage", "started_teaching"
        ),
    )
    ServicePeriod.objects.bulk_create(
        [
            ServicePeriod(
                teacher_id=pk,
                school_id=school_id,
                role="teacher",
                stage=stage,
                start=started or today,
            )
            for pk, school_id, stage, started in teachers
        ],
        batch_size=2000,
    )


NEW_TEACHER_FIELDS = [
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "name",
    "gender",
    "birth_date",
    "school_id",
    "stage",
    "subject",
    "staffing",
    "is_full_time",
    "professional_title",
    "started_teaching",
]


def _new_teacher(row: ImportedRow, encrypt) -> tuple:
    values = row.values
    return (
        encrypt(row.id_number),
        row.id_hash,
        row.masked,
        values["name"],
        values["gender"],
        values["birth_date"],
        row.school.pk,
        values["stage"],
        values.get("subject", ""),
        values.get("staffing", Staffing.ESTABLISHED),
        values.get("is_full_time", True),
        values.get("professional_title", ProfessionalTitle.NONE),
        values.get("started_teaching"),
    )


def _move(moves, today) -> None:
    """Close the open periods at the old school (yesterday) and open the same roles at the
    new one (today)."""
    if not moves:
        return
    old_school = {t.pk: old for t, _school, old in moves}
    open_periods = [
        period
        for period in ServicePeriod.objects.filter(
            teacher_id__in=list(old_school), end__isnull=True
        )
        # Periods at other schools (a second post, outside the uploader's scope) stay open.
        if period.school_id == old_school[period.teacher_id]
    ]
    roles: dict[int, list[str]] = {}
    yesterday = today - timedelta(days=1)
    for period in open_periods:
        roles.setdefault(period.teacher_id, []).append(period.role)
        period.end = max(yesterday, period.start)
    ServicePeriod.objects.bulk_update(open_periods, ["end"], batch_size=1000)
    new_periods = []
    for teacher, school, _old in moves:
        for role in dict.fromkeys(roles.get(teacher.pk) or ["teacher"]):
            new_periods.append(
                ServicePeriod(
                    teacher=teacher, school=school, role=role, stage=teacher.stage, start=today
                )
            )
    bulk.insert(ServicePeriod, new_periods)


def schools_touched(rows: list[ImportedRow], user) -> set[int]:
    """The schools a file writes to, known before the rows are checked against the database:
    the codes it names, or the uploader's own school for rows without a code."""
    codes = {r.values["school_code"] for r in rows if r.values.get("school_code")}
    ids = set(
        _in_batches(
            codes,
            lambda chunk: scope_queryset(user, School.objects.filter(code__in=chunk)).values_list(
                "pk", flat=True
            ),
        )
    )
    if user.role == Role.SCHOOL_ADMIN and user.school_id:
        ids.add(user.school_id)
    return ids


class RosterKind:
    """The teacher roster: one row per teacher, matched by ID number."""

    name = "roster"
    columns = COLUMNS
    template_title = "教师名单"
    instructions = [
        "每行一名教师，第一行为表头，请勿修改表头文字；示例行（第 2 行）请删除后再填写。",
        "身份证号列已设为“文本”格式，请勿改为数字格式，"
        "否则 Excel 会把号码变成 1.1E+17 并丢失末位。",
        "管理范围内已登记的教师按身份证号更新，未登记的教师将新建；"
        "同一文件重复上传不会产生重复记录。",
        "管理范围内学校之间的调动：填写新学校的学校标识码即可，原学校的任职经历会自动结束。",
        "已在其他学校登记的教师将转为调入申请，由上级教育局审核；审核通过后教师调入，"
        "原学校的任职经历自动结束。申请进度可在“调入申请”页面查看。",
        "只要有一行有错误，默认整份文件都不导入；平台会给出错误说明文件，改正后重新上传即可。",
        "日期可写作 2024-01-01、2024/1/1、2024.1.1 或 2024年1月1日。",
    ]

    parse_rows = staticmethod(parse_rows)
    check_rows = staticmethod(check_rows)
    schools_touched = staticmethod(schools_touched)
    write_rows = staticmethod(write_rows)
