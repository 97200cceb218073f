"""Pay reports uploaded as a workbook (one row per county and year) through the portal's
import machinery: preview with the changed figures highlighted, error workbook, all or
nothing. Bureau staff only, for counties in their scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from portal import permissions
from portal import rules as kernel_rules
from portal.imports import cells
from portal.imports.columns import Column, ColumnMap
from portal.imports.kinds import CheckContext, ImportedRow, WriteResult
from portal.models import Region
from portal.scope import scope_queryset

from . import rules, services
from .models import PayReport
from .services import FIGURES

COLUMNS = [
    Column(
        "county_code",
        "区县代码",
        ("县（市、区）代码", "行政区划代码", "地区代码"),
        required=True,
        example="330302",
        help="6 位行政区划代码",
    ),
    Column("county_name", "区县名称", ("县（市、区）", "地区"), example="鹿城区"),
    Column("year", "年度", ("年份",), required=True, example="2026", width=8),
    Column(
        "teacher_pay",
        "义务教育教师年平均工资（元）",
        ("义务教育教师平均工资", "教师平均工资"),
        example="152000",
        width=22,
    ),
    Column(
        "civil_servant_pay",
        "当地公务员年平均工资（元）",
        ("公务员平均工资",),
        example="148000",
        width=22,
    ),
    Column(
        "kindergarten_income",
        "非在编幼儿园教师年平均收入（元）",
        ("非编幼儿园教师平均收入", "幼儿园非在编教师平均收入"),
        example="82000",
        width=24,
    ),
    Column(
        "last_year_wage",
        "上年度在岗职工年平均工资（元）",
        ("上年度在岗职工平均工资", "上年度社会平均工资"),
        example="79000",
        width=24,
    ),
    Column("note", "备注", (), example="", width=20),
]
LABELS = {c.key: c.label for c in COLUMNS}


def _money(raw) -> Decimal | None:
    text = cells.text(raw).replace(",", "").replace("，", "").replace("元", "").strip()
    if not text:
        return None
    value = Decimal(text)  # raises InvalidOperation
    if not value.is_finite() or value < 0 or value >= Decimal("10000000"):
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


class PayReportKind:
    name = "pay"
    standalone = True
    columns = COLUMNS
    template_title = "教师工资待遇"
    instructions = [
        "每行为一个县（市、区）一个年度的数据，第一行为表头，请勿修改表头文字；"
        "示例行（第 2 行）请删除后再填写。",
        "金额以元为单位，填写年平均数；暂无的数据留空。",
        "同一县同一年度已有数据的，以本文件中填写的金额为准更新（留空的单元格不改动原有数据），"
        "并保留修改记录。",
        "只有教育局工作人员可以导入，且只能导入本地区所辖县（市、区）的数据。",
        "只要有一行有错误，默认整份文件都不导入；平台会给出错误说明文件。",
    ]

    def parse_rows(self, table_rows, mapping: ColumnMap, *, today: date, on_progress=None):
        rows, seen = [], {}
        for line, raw in table_rows:
            row = ImportedRow(line=line, raw=raw, labels=LABELS)
            code = cells.text(mapping.get(raw, "county_code"))
            row.values["county_code"] = code
            row.values["school_code"] = code  # shown in the preview's code column
            row.values["name"] = cells.text(mapping.get(raw, "county_name"))[:60]
            if not (code.isascii() and code.isdigit() and len(code) == 6):
                row.refuse("county_code", code, _("Give the 6-digit division code."))
            year = cells.text(mapping.get(raw, "year")).removesuffix("年")
            number = kernel_rules.small_int(year, digits=4)
            problem = rules.report_year_problem(number, today.year)
            if problem:
                row.refuse("year", year, problem)
            else:
                row.values["year"] = number
            for key in FIGURES:
                value = mapping.get(raw, key)
                try:
                    row.values[key] = _money(value)
                except (InvalidOperation, ValueError):
                    row.refuse(
                        key,
                        value,
                        _("Write an amount in yuan, such as 152000 (0 to 9,999,999.99)."),
                    )
            row.values["note"] = cells.text(mapping.get(raw, "note"))[:200]
            if not row.errors and not any(row.values[k] is not None for k in FIGURES):
                row.refuse("teacher_pay", "", _("The row has no figure."))
            key = (code, row.values.get("year"))
            if not row.errors:
                first = seen.setdefault(key, line)
                if first != line:
                    row.refuse(
                        "county_code",
                        code,
                        _("The same county and year are already on row %(row)d.") % {"row": first},
                    )
            row.parse_error_count = len(row.errors)
            rows.append(row)
        return rows

    def check_rows(self, rows: list[ImportedRow], ctx: CheckContext) -> None:
        user = ctx.user
        staff = permissions.is_bureau_staff(user)
        codes = {r.values.get("county_code") for r in rows}
        counties = {
            c.code: c
            for c in scope_queryset(user, Region.objects.filter(level="county", code__in=codes))
        }
        existing = {
            (r.county_id, r.year): r for r in PayReport.objects.filter(county__in=counties.values())
        }
        for row in rows:
            del row.errors[row.parse_error_count :]
            if row.errors:
                row.action = "refused"
                continue
            county = counties.get(row.values["county_code"])
            if not staff:
                row.refuse(
                    "county_code", row.values["county_code"], _("Only bureau staff report pay.")
                )
            elif county is None:
                row.refuse(
                    "county_code",
                    row.values["county_code"],
                    _("No county in your region has this code."),
                )
            if row.errors:
                row.action = "refused"
                continue
            row.values["county"] = county
            row.values["name"] = county.name
            report = existing.get((county.pk, row.values["year"]))
            if report is None:
                row.action = "new"
                continue
            # An empty cell keeps what was reported before.
            row.changes = {
                key: [str(getattr(report, key) or ""), str(row.values[key])]
                for key in [*FIGURES, "note"]
                if row.values[key] not in (None, "") and getattr(report, key) != row.values[key]
            }
            row.action = "changed" if row.changes else "unchanged"

    def schools_touched(self, rows, user) -> set[int]:
        return set()

    def write_rows(self, rows, *, today: date, job=None) -> WriteResult:
        result = WriteResult()
        user = job.uploaded_by if job is not None else None
        for row in rows:
            if row.action not in ("new", "changed"):
                continue
            services.pay_report_save(
                county=row.values["county"],
                year=row.values["year"],
                values={
                    k: row.values[k] for k in [*FIGURES, "note"] if row.values[k] not in (None, "")
                },
                actor=user,
            )
            if row.action == "new":
                result.created += 1
            else:
                result.updated += 1
        return result
