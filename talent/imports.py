"""A county's nomination list for a programme, uploaded as a file (ID numbers, names, the
targeted post) through the portal's import machinery: preview with every refusal explained,
error workbook, all or nothing, and idempotent — a teacher already enrolled is "unchanged"."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal import crypto
from portal.imports import cells, columns, kinds
from portal.imports.columns import Column, ColumnMap
from portal.imports.kinds import CheckContext, ImportedRow, WriteResult
from portal.models import Teacher
from portal.scope import scope_queryset
from portal.services import audit_record

from . import rules, selectors, services
from .models import Enrolment

TARGETED_POSTS = {
    "山区海岛县": "mountain_island",
    "定向岗位": "mountain_island",
    "定向": "mountain_island",
    "薄弱乡村学校": "weak_rural",
    "特设岗位": "weak_rural",
    "特岗": "weak_rural",
}

COLUMNS = [
    columns.ID_NUMBER,
    columns.TEACHER_NAME,
    Column(
        "targeted_post",
        "定向岗位",
        ("岗位类别",),
        example="",
        width=16,
        help="按定向岗位或特设岗位推荐时填写，否则留空",
        choices=("山区海岛县", "薄弱乡村学校"),
    ),
]
LABELS = {c.key: c.label for c in COLUMNS}
POST_LABELS = {"mountain_island": "山区海岛县", "weak_rural": "薄弱乡村学校"}

# Which teachers a targeted place may go to (W/Z: 定向 for mountain and island counties,
# 特设 for weak rural schools).
TARGETED_POST_TESTS = {
    "mountain_island": lambda teacher: teacher.school.county.is_mountain_island,
    "weak_rural": lambda teacher: teacher.school.is_weak and teacher.school.is_rural,
}


class NominationKind:
    name = "nomination"
    standalone = False  # uploaded from a programme's page, which names the programme
    columns = COLUMNS
    template_title = "培养对象推荐名单"
    instructions = [
        "每行推荐一名教师，第一行为表头，请勿修改表头文字；示例行（第 2 行）请删除后再填写。",
        "在培养项目页面上传本名单；教师按身份证号匹配，姓名须与平台一致，只能推荐本地区教师。",
        "平台逐人检查推荐资格（师德、前置层级、乡村任教年限、学时、地区与学段），"
        "不符合的行会写明全部原因。",
        "已在本项目中的教师记为“未变化”，重复上传不会重复推荐。",
        "只要有一行有错误，默认整份名单都不导入；平台会给出错误说明文件。",
    ]

    def validate_options(self, options, user) -> dict:
        """The programme the list is for, which the uploader must see."""
        try:
            pk = int((options or {}).get("programme"))
        except (TypeError, ValueError):
            pk = None
        programme = (
            selectors.visible_programmes(user).select_related("tier").filter(pk=pk).first()
            if pk is not None
            else None
        )
        if programme is None:
            raise ValidationError(
                {"options": _('Name a programme open to your region: {"programme": id}.')}
            )
        closed = services.programme_closed(programme)
        if closed:
            raise ValidationError({"options": closed})
        return {"programme": pk}

    def parse_rows(self, table_rows, mapping: ColumnMap, *, today: date, on_progress=None):
        hasher = crypto.id_hasher()
        rows, seen = [], {}
        for index, (line, raw) in enumerate(table_rows):
            row = ImportedRow(line=line, raw=raw, labels=LABELS)
            row.take_id_number(mapping.get(raw, "id_number"), today=today, hasher=hasher)
            row.values["name"] = cells.name(mapping.get(raw, "name"))
            if not row.values["name"]:
                row.refuse("name", "", _("The name is empty."))
            post = cells.text(mapping.get(raw, "targeted_post"))
            row.values["targeted_post"] = ""
            if post:
                code = TARGETED_POSTS.get(post.replace(" ", ""))
                if code is None:
                    row.refuse(
                        "targeted_post",
                        post,
                        _("Write 山区海岛县 or 薄弱乡村学校, or leave the cell empty."),
                    )
                else:
                    row.values["targeted_post"] = code
            if row.id_hash and not row.errors:
                first = seen.setdefault(row.id_hash, line)
                if first != line:
                    row.refuse(
                        "id_number",
                        row.masked,
                        _("The same teacher is already on row %(row)d.") % {"row": first},
                    )
            row.parse_error_count = len(row.errors)
            rows.append(row)
            if on_progress and index % 5000 == 0:
                on_progress(index, len(table_rows))
        return rows

    def check_rows(self, rows: list[ImportedRow], ctx: CheckContext) -> None:
        programme = (
            selectors.visible_programmes(ctx.user)
            .select_related("tier", "region")
            .filter(pk=ctx.options.get("programme"))
            .first()
        )
        hashes = [r.id_hash for r in rows if r.id_hash]
        teachers = {
            t.id_number_hash: t
            for start in range(0, len(hashes), 900)
            for t in scope_queryset(
                ctx.user, Teacher.objects.filter(id_number_hash__in=hashes[start : start + 900])
            ).select_related("school__county")
        }
        on = ctx.today
        facts = selectors.teacher_facts(list(teachers.values()), on=on) if programme else {}
        programme_rules = selectors.programme_rules(programme) if programme else None
        enrolled = (
            set(
                Enrolment.objects.filter(
                    programme=programme, teacher__in=[t.pk for t in teachers.values()]
                ).values_list("teacher_id", flat=True)
            )
            if programme
            else set()
        )
        for row in rows:
            del row.errors[row.parse_error_count :]
            row.teacher = row.school = None
            if row.errors:
                row.action = "refused"
                continue
            if programme is None:
                row.refuse("id_number", row.masked, _("The programme is not open to your region."))
                row.action = "refused"
                continue
            teacher = teachers.get(row.id_hash)
            if teacher is None:
                row.refuse(
                    "id_number",
                    row.masked,
                    _(
                        "No teacher in your scope has this ID number. Upload the roster first, "
                        "or ask the teacher's own school."
                    ),
                )
            elif cells.name(teacher.name) != row.values["name"]:
                row.refuse(
                    "name",
                    row.values["name"],
                    _("The name does not match the portal's record for this ID number."),
                )
            elif teacher.pk in enrolled:
                row.teacher, row.school, row.action = teacher, teacher.school, "unchanged"
                continue
            else:
                for reason in rules.refusals(facts[teacher.pk], programme_rules, on=on):
                    row.refuse("id_number", row.masked, reason)
                post = row.values["targeted_post"]
                if post and not TARGETED_POST_TESTS[post](teacher):
                    row.refuse(
                        "targeted_post",
                        POST_LABELS[post],
                        _(
                            "The teacher's school is not on such a post (a school of a mountain "
                            "or island county, or a weak rural school)."
                        ),
                    )
            if row.errors:
                row.action = "refused"
                continue
            row.teacher, row.school, row.action = teacher, teacher.school, "new"
            row.values["programme"] = programme

    def schools_touched(self, rows, user) -> set[int]:
        return kinds.schools_of_teachers(rows, user)

    def write_rows(self, rows, *, today: date, job=None) -> WriteResult:
        new = [r for r in rows if r.action == "new"]
        if not new:
            return WriteResult()
        programme = new[0].values["programme"]
        user = job.uploaded_by if job is not None else None
        services.enrolments_create(
            programme=programme,
            teachers=[(r.teacher, r.values["targeted_post"]) for r in new],
            actor=user,
        )
        audit_record(
            actor=user,
            action="enrolment.nominate_file",
            obj=programme,
            detail={"nominated": len(new), "import_job": job.pk if job else None},
        )
        return WriteResult(created=len(new))
