"""User text in PDFs is text, never markup.

ReportLab's ``Paragraph`` reads its text as markup: ``<img src>`` reads a file of the server
into the PDF, ``<a href>`` adds a link, ``<font>`` restyles, and an unbalanced tag or a bad
image path raises, which made a transcript answer 500 for good (the ledger is append-only).
Every name, title and description that reaches a PDF must come out literally.
"""

import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from honors.models import HonourType
from portal.models import Region, School, Teacher
from training import services as training
from training.models import Course, Provider, RuleSet

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def png():
    """A real image on the server: markup that is obeyed would embed it."""
    folder = tempfile.mkdtemp(prefix="m", dir="/tmp")
    path = Path(folder) / "i.png"
    Image.new("RGB", (8, 8), "red").save(path)
    yield str(path)
    shutil.rmtree(folder)


def snippets(png):
    """Markup of every kind, each short enough for a 64-character name."""
    return [
        f'<img src="{png}" width="9" height="9"/>',
        '<font color="red" size="40">F</font>',
        '<a href="https://example.invalid/">A</a>',
        "<b>unclosed & more",
        "<para>P</para>&nbsp;&amp;",
        '<img src="/nonexistent/x.png"/>',
    ]


@pytest.fixture
def drawn(monkeypatch):
    """Every text handed to a Paragraph (as the text it shows) or drawn on a canvas."""
    texts = []
    original = Paragraph.__init__

    def paragraph(self, text, *args, **kwargs):
        original(self, text, *args, **kwargs)
        texts.append(self.getPlainText())
        images = [f for f in self.frags if getattr(getattr(f, "cbDefn", None), "kind", "") == "img"]
        assert not images, f"an image in a paragraph: {text!r}"

    monkeypatch.setattr(Paragraph, "__init__", paragraph)
    for name in ("drawString", "drawRightString", "drawCentredString"):
        method = getattr(Canvas, name)

        def draw(self, x, y, text, *args, _method=method, **kwargs):
            texts.append(text)
            return _method(self, x, y, text, *args, **kwargs)

        monkeypatch.setattr(Canvas, name, draw)
    return texts


def _set(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)  # as an import or the admin could


def _check_pdf(response, values, drawn):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    assert not re.search(rb"/Subtype\s*/Image|/XObject", body), "a server file is in the PDF"
    assert b"/URI" not in body, "a link from user text is in the PDF"
    shown = "\n".join(drawn)
    for value in values:
        assert value in shown, f"{value!r} is not shown literally"
    pdftotext = shutil.which("pdftotext")  # poppler-utils, where installed
    if pdftotext:
        text = subprocess.run(
            [pdftotext, "-", "-"], input=body, capture_output=True, check=True
        ).stdout.decode()
        flat = re.sub(r"\s+", "", text)
        for value in values:
            assert re.sub(r"\s+", "", value) in flat, f"{value!r} not in the extracted text"


def test_transcript_shows_markup_literally(client, world, png, drawn):
    img, font, link, bold, para, missing = snippets(png)
    values = {
        "teacher": "林" + img,
        "school": "校" + font,
        "county": "区" + bold,
        "rule_set": "规" + para,
        "course": "课" + link,
        "description": "述" + missing,
    }
    _set(Teacher, world.teacher.pk, name=values["teacher"])
    _set(School, world.school.pk, name=values["school"])
    _set(Region, world.county.pk, name=values["county"])
    _set(RuleSet, world.rule_set.pk, name=values["rule_set"])
    provider = Provider.objects.create(name="机构" + img, region=world.city, qualified=True)
    _set(Course, world.course.pk, title=values["course"], provider=provider)
    for course, description in ((world.course, ""), (None, values["description"])):
        training.record_create(
            teacher=world.teacher,
            hours=8,
            completed_on=date(2026, 3, 3),  # within the course (it ran 1–3 March)
            level="county",
            category="subject",
            source="staff",
            actor=world.users["superuser"],
            course=course,
            description=description,
        )

    client.force_login(world.users["teacher"])
    _check_pdf(client.get(reverse("my_transcript")), values.values(), drawn)
    client.force_login(world.users["county"])
    drawn.clear()
    url = reverse("training_transcript", args=[world.teacher.pk])
    _check_pdf(client.get(url), values.values(), drawn)


@pytest.mark.cjk_font
def test_certificates_show_markup_literally(client, world, png, drawn):
    img, font, link, bold, para, missing = snippets(png)
    values = {
        "teacher": "林" + link,
        "honour": "荣" + img + bold,
        "region": "市" + font + para,
    }
    _set(Teacher, world.teacher.pk, name=values["teacher"])
    _set(School, world.school.pk, name="校" + missing)
    _set(HonourType, world.award.honour_type_id, name=values["honour"])
    _set(Region, world.city.pk, name=values["region"])

    client.force_login(world.users["teacher"])
    url = reverse("honours_certificate", args=[world.award.pk])
    _check_pdf(client.get(url), values.values(), drawn)
    drawn.clear()
    client.force_login(world.users["city"])
    _check_pdf(client.get(reverse("honours_batch", args=[world.batch.pk])), values.values(), drawn)
    drawn.clear()
    url = reverse("award-certificate", args=[world.award.pk])
    _check_pdf(client.get(url), values.values(), drawn)


def test_no_pdf_code_builds_a_paragraph_itself():
    """Only ``portal.pdf`` makes Paragraphs (and escapes what it is given): a module that
    imports ReportLab's markup flowables directly could forget to."""
    root = Path(__file__).resolve().parents[2]
    helper = root / "portal" / "pdf.py"
    offenders = []
    for package in ("portal", "training", "talent", "honors", "compensation"):
        for path in (root / package).rglob("*.py"):
            if path == helper:
                continue
            if re.search(r"\b(Paragraph|XPreformatted|ImageAndFlowables)\b", path.read_text()):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
    assert helper.exists()


def test_the_helper_escapes_values_and_keeps_its_own_markup():
    from reportlab.lib.styles import ParagraphStyle

    from portal.pdf import escape, markup, para

    style = ParagraphStyle("t")
    name = '<img src="/etc/x.png"/> & <b>'
    assert escape(name) == '&lt;img src="/etc/x.png"/&gt; &amp; &lt;b&gt;'
    assert para(name, style).getPlainText() == name
    bold = markup("<b>{name}</b>：{n}", name=name, n=3)
    assert para(bold, style).getPlainText() == f"{name}：3"
    assert escape(bold) == bold  # already escaped: not escaped twice
    assert para(bold, style).frags[0].bold
