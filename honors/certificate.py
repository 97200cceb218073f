"""Printable honour certificates (PDF, A4 landscape), one page per award, with the Chinese
font embedded (subset) so that every reader prints them the same, and a verification code
with its QR code. The font is a TrueType file found on the server (``CERTIFICATE_FONTS``):
Debian's ``fonts-arphic-uming`` or ``fonts-wqy-zenhei`` (the Dockerfile and CI install
them)."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from portal.pdf import para

FONT = "CertificateFont"
RED = colors.HexColor("#9b1c1c")
GOLD = colors.HexColor("#b7892f")


class FontMissing(RuntimeError):
    """No Chinese TrueType font is installed: certificates cannot be printed."""


def _font() -> str:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    for path, index in settings.CERTIFICATE_FONTS:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))
            return FONT
    raise FontMissing(
        _(
            "No Chinese font for certificates is installed on the server: install "
            "fonts-arphic-uming or fonts-wqy-zenhei, or set CERTIFICATE_FONTS."
        )
    )


def wording(award) -> str:
    """The sentence of the certificate, by what earned the honour."""
    honour, years = award.honour_type.name, award.years
    basis = award.honour_type.basis
    if basis == "rural":
        text = f"您在乡村学校从教满{years}年，扎根乡村、教书育人，特授予“{honour}”"
    elif basis == "teaching":
        text = f"您从事教育教学工作满{years}年，为教育事业作出了贡献，特授予“{honour}”"
    elif basis == "head_teacher":
        text = f"您担任班主任工作{years}年，潜心育人、成绩突出，特授予“{honour}”"
    elif basis == "retirement":
        text = f"您光荣退休，感谢您为教育事业付出的辛勤劳动，特授予“{honour}”"
    else:
        text = f"您在{award.year}年度评选中荣获“{honour}”"
    return text + "。特发此证，以资鼓励。"


def render(awards, *, verify_url) -> bytes:
    """``verify_url(code)`` gives the absolute address of the verification page."""
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle("荣誉证书")
    pdf.setAuthor("教师队伍建设管理平台")
    body = ParagraphStyle(
        "body", fontName=font, fontSize=19, leading=34, firstLineIndent=38, wordWrap="CJK"
    )
    for award in awards:
        _page(pdf, award, width, height, font, body, verify_url(award.verification_code))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _page(pdf, award, width, height, font, body, url) -> None:
    pdf.setStrokeColor(RED)
    pdf.setLineWidth(6)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(1.5)
    pdf.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)
    pdf.setFillColor(RED)
    pdf.setFont(font, 46)
    pdf.drawCentredString(width / 2, height - 52 * mm, "荣 誉 证 书")
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 20)
    pdf.drawString(40 * mm, height - 76 * mm, f"{award.teacher.name}同志：")
    paragraph = para(wording(award), body)
    _w, h = paragraph.wrap(width - 80 * mm, 80 * mm)
    paragraph.drawOn(pdf, 40 * mm, height - 84 * mm - h)
    pdf.setFont(font, 18)
    right = width - 45 * mm
    pdf.drawRightString(right, 62 * mm, award.honour_type.region.name + "教育局")
    pdf.drawRightString(
        right,
        52 * mm,
        f"{award.awarded_on.year} 年 {award.awarded_on.month} 月 {award.awarded_on.day} 日",
    )
    pdf.setFont(font, 10)
    pdf.setFillColor(colors.HexColor("#444444"))
    pdf.drawString(52 * mm, 40 * mm, f"证书编号：{award.certificate_number}")
    pdf.drawString(52 * mm, 34 * mm, f"验证码：{award.code_display}")
    pdf.drawString(52 * mm, 28 * mm, f"查验：{url}")
    qr = QrCodeWidget(url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 26 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, 23 * mm, 22 * mm)
