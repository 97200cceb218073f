"""Text into PDFs. The one door to ReportLab's ``Paragraph``.

A ``Paragraph`` reads its text as markup: ``<img src="…">`` reads a file of the server into
the PDF, ``<a href>`` adds a link, ``<font>`` restyles, and an unbalanced tag or a missing
image raises, so one teacher's name could break every PDF that shows it. Names, titles and
descriptions are data, never markup: ``para`` escapes all of its text. Code that needs
markup of its own builds it with ``markup``, which escapes every value it fills in.

Only this module imports ``Paragraph`` (``tests/portal/test_pdf_markup.py`` checks).
Strings drawn straight on a canvas (``drawString``) or put in a ``Table`` cell as ``str``
are not parsed and need no escaping.
"""

from __future__ import annotations

from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

__all__ = ["escape", "markup", "para"]


class Markup(str):
    """Paragraph markup that is already safe: built by ``markup`` from escaped values."""


def escape(text) -> str:
    """``text`` as Paragraph markup that shows it literally (``&``, ``<``, ``>``)."""
    if isinstance(text, Markup):
        return str(text)
    return _xml_escape(str(text))


def markup(template: str, **values) -> Markup:
    """Trusted ``template`` markup with ``{name}`` fields filled by escaped ``values``:
    ``markup("<b>{name}</b>", name=teacher.name)``. The template is code, never data."""
    return Markup(template.format(**{key: escape(value) for key, value in values.items()}))


def para(text, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing ``text`` literally; a ``Markup`` from ``markup`` passes as is."""
    return Paragraph(escape(text), style)
