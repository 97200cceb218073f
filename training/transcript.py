"""A teacher's transcript of training hours for the cycle, as PDF.

Chinese text uses the Adobe CID font STSong-Light that every PDF reader provides, so the
file needs no font files on the server (not embedded; certificates, which must look the same
everywhere, embed theirs)."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from portal.pdf import para
from portal.rules import fmt_decimal

from .choices import Category, Level, RecordStatus

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11, textColor=colors.grey)


def _fmt(value) -> str:
    return fmt_decimal(value)  # as the pages write it


def render(teacher, training) -> bytes:
    assessment = training.assessment
    unit = "学分" if training.rule.unit == "credits" else "学时"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{teacher.name} 继续教育{unit}证明",
    )
    story = [
        para(f"中小学教师继续教育{unit}证明", TITLE),
        Spacer(1, 6 * mm),
        para(
            f"姓名：{teacher.name}　　身份证号：{teacher.id_number_masked}　　"
            f"学校：{teacher.school.name}（{teacher.school.county.name}）",
            BODY,
        ),
        para(f"周期：{assessment.cycle.label()}　　执行规则：{training.rule_set.name}", BODY),
        para(
            f"周期要求 {_fmt(assessment.required)} {unit}，已认定 {_fmt(assessment.credited)} "
            f"{unit}，其中县级及以上 {_fmt(assessment.county_or_above)} {unit}；"
            f"{timezone.localdate().year} 年师德 {_fmt(assessment.ethics_this_year)}/"
            f"{_fmt(assessment.ethics_required)} {unit}。",
            BODY,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [["完成日期", "培训名称", "层级", "类别", "学时", "状态"]]
    levels, categories = dict(Level.choices), dict(Category.choices)
    for record in training.records:
        if record.status != RecordStatus.APPROVED:
            continue
        if not (assessment.cycle.start <= record.completed_on <= assessment.cycle.end):
            continue
        rows.append(
            [
                record.completed_on.isoformat(),
                para(record.title, BODY),
                _zh(levels.get(record.level, record.level)),
                _zh(categories.get(record.category, record.category)),
                _fmt(record.hours),
                "冲销" if record.reverses_id else "已认定",
            ]
        )
    table = Table(
        rows, colWidths=[24 * mm, 70 * mm, 16 * mm, 28 * mm, 14 * mm, 18 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F5F99")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#C5CED8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (4, 1), (4, -1), "RIGHT"),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    for line in assessment.explanations:
        story.append(para("· " + line, BODY))
    story += [
        Spacer(1, 8 * mm),
        para(
            f"本证明由教师队伍建设管理平台于 {timezone.localtime():%Y-%m-%d %H:%M} 生成，"
            "仅列出已审核认定的记录。",
            SMALL,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _zh(label) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(label)
