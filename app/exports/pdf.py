"""The document as a PDF (reportlab platypus): what is sent to a director and archived.

Headings stay with what follows them, table columns are as wide as their content needs (figures
never wrap), charts are vector drawings followed by their table, photos are embedded thumbnails,
and every page carries the workshop, the date and "page n of m". Reportlab's built-in Helvetica
covers Dutch text.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from app.exports.blocks import (
    Chart,
    Columns,
    Document,
    Heading,
    Items,
    Paragraph,
    Photo,
    Table,
    Tree,
    figure_columns,
    walk,
)
from app.exports.charts import drawing
from app.exports.cover import LOGO_HEIGHT_CM, Cover
from app.exports.document import document
from app.exports.summary import Summary
from app.images.storage import ImageStore, file_key

PADDING = 6.0  # reportlab's default cell padding, left and right
BODY_SIZE = 10.0
PHOTO_WIDTH_CM = 4.5


def column_widths(
    rows: list[list[str]], figures: set[int], available: float, *, size: float = BODY_SIZE
) -> list[float]:
    """Widths that fit each column's content: figure columns as wide as their widest cell (so
    digits never wrap), text columns sharing what is left in proportion to their length.

    ``rows[0]`` is the header (bold); a header may wrap between words, a figure may not.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def width(text: str, bold: bool) -> float:
        return float(stringWidth(text, "Helvetica-Bold" if bold else "Helvetica", size))

    count = len(rows[0])
    pad = 2 * PADDING + 2
    natural, least = [], []
    for i in range(count):
        cells = [(row[i] if i < len(row) else "", n == 0) for n, row in enumerate(rows)]
        natural.append(max(width(text, bold) for text, bold in cells) + pad)
        words = [(w, bold) for text, bold in cells for w in text.split()] or [("", False)]
        longest_word = max(width(w, bold) for w, bold in words) + pad
        body = [width(text, False) + pad for text, bold in cells if not bold] or [pad]
        least.append(max(longest_word, max(body)) if i in figures else min(longest_word, 120.0))
    if sum(natural) <= available:
        return natural
    widths: dict[int, float] = {}
    fair = available / count
    for i in range(count):
        if i in figures or natural[i] <= fair:
            widths[i] = least[i] if i in figures else natural[i]
    while True:
        flexible = [i for i in range(count) if i not in widths]
        if not flexible:
            break
        left = max(available - sum(widths.values()), 0.0)
        total = sum(natural[i] for i in flexible)
        share = {i: left * natural[i] / total for i in flexible}
        settled = [i for i in flexible if share[i] >= natural[i] or share[i] < least[i]]
        if not settled:
            widths.update(share)
            break
        for i in settled:
            widths[i] = natural[i] if share[i] >= natural[i] else least[i]
    result = [widths[i] for i in range(count)]
    if sum(result) > available:  # still too wide (many figure columns): shrink the text ones
        over = sum(result) - available
        text = [i for i in range(count) if i not in figures] or list(range(count))
        room = sum(result[i] for i in text)
        result = [w - over * w / room if i in text else w for i, w in enumerate(result)]
    return result


def _numbered_canvas(footer: str, page_label: str) -> type:
    """A canvas that knows the page count when it saves, to write "page n of m" in the footer."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, _height = self._pagesize
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.HexColor("#3b434a"))
                self.setStrokeColor(colors.HexColor("#8a939b"))
                self.line(2 * cm, 1.5 * cm, width - 2 * cm, 1.5 * cm)
                self.drawString(2 * cm, 1.1 * cm, footer)
                self.drawRightString(
                    width - 2 * cm, 1.1 * cm, page_label % {"n": number, "m": total}
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def pdf_file(
    summary: Summary, *, language: str, images: ImageStore | None, cover: Cover | None = None
) -> bytes:
    """The summary's document as a PDF: the renderer of ``pdf`` in :mod:`app.exports.registry`."""
    doc = document(summary, language=language)
    doc.cover = cover
    return pdf(doc, images=images)


def pdf(doc: Document, *, images: ImageStore | None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Indenter, SimpleDocTemplate, Spacer
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    figure = ParagraphStyle("Figure", parent=body, alignment=TA_RIGHT)
    heading = {
        level: ParagraphStyle(f"Kept{level}", parent=styles[name], keepWithNext=1)
        for level, name in ((1, "Title"), (2, "Heading2"), (3, "Heading3"), (4, "Heading4"))
    }
    caption = ParagraphStyle("Caption", parent=body, fontSize=8, leading=10)
    margin = 2 * cm
    available = A4[0] - 2 * margin

    def photo(key: str, width_cm: float = PHOTO_WIDTH_CM) -> Any | None:
        data = images.get(file_key(key, "thumb")) if images else None
        if not data:
            return None
        picture = Image(io.BytesIO(data))
        ratio = picture.imageHeight / picture.imageWidth
        picture.drawWidth, picture.drawHeight = width_cm * cm, width_cm * cm * ratio
        picture.hAlign = "LEFT"
        return picture

    def table(block: Table) -> Any:
        figures = figure_columns(block)
        rows = [block.headers, *block.rows]
        widths = column_widths(rows, figures, available)
        cells = [[P(f"<b>{escape(h)}</b>", body) for h in block.headers]]
        cells += [
            [P(escape(cell), figure if i in figures else body) for i, cell in enumerate(row)]
            for row in block.rows
        ]
        out = T(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
        out.setStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
            ]
        )
        return out

    lead_in = ParagraphStyle("LeadIn", parent=body, keepWithNext=1, spaceAfter=4)
    bullet = ParagraphStyle("Bullet", parent=body, leftIndent=14, bulletIndent=3)
    flow: list[Any] = []
    if doc.cover is not None:  # the organisation, above the title (app/exports/cover.py)
        if doc.cover.logo is not None:
            logo = Image(io.BytesIO(doc.cover.logo))
            logo.drawWidth, logo.drawHeight = doc.cover.logo_width_cm * cm, LOGO_HEIGHT_CM * cm
            logo.hAlign = "LEFT"
            flow.append(logo)
        flow.append(P(f"<b>{escape(doc.cover.name)}</b>", lead_in))
    # Containers (lists, KeepTogether) break reportlab's keepWithNext, so lists are plain bullet
    # paragraphs and what belongs together is chained with keepWithNext instead.
    for index, block in enumerate(doc.blocks):
        following = doc.blocks[index + 1] if index + 1 < len(doc.blocks) else None
        if isinstance(block, Heading):
            flow.append(P(escape(block.text), heading.get(block.level, heading[4])))
            continue  # no spacer: keepWithNext binds the heading to the next flowable
        if isinstance(block, Paragraph):
            text = escape(block.text)
            introduces = following is not None and not isinstance(following, (Heading, Paragraph))
            style = lead_in if introduces else body
            flow.append(P(f"<b>{text}</b>" if block.emphasis else text, style))
        elif isinstance(block, Items):
            flow += [P(escape(item), bullet, bulletText="•") for item in block.items]
        elif isinstance(block, Table):
            flow.append(table(block))
        elif isinstance(block, Photo):
            picture = photo(block.image_key)
            if picture is not None:
                picture.keepWithNext = 1
                flow += [picture, P(escape(block.caption), caption)]
        elif isinstance(block, Tree):
            for depth, node in walk(block.root):
                indent = 14 * depth
                style = ParagraphStyle(
                    f"Tree{depth}", parent=body, leftIndent=indent + 12, bulletIndent=indent
                )
                text = escape(node.text)
                strong = node.kind in ("opgave", "waarom", "cluster")
                flow.append(P(f"<b>{text}</b>" if strong else text, style, bulletText="•"))
                picture = photo(node.image_key, 3.5) if node.image_key else None
                if picture is not None:
                    flow += [Indenter(left=indent + 12), picture, Indenter(left=-(indent + 12))]
        elif isinstance(block, Columns):
            headers = [P(f"<b>{escape(c.heading)}</b>", body) for c in block.columns]
            longest = max((len(c.items) for c in block.columns), default=0)
            # One row per item, so a long column breaks across pages (the header repeats).
            rows = [
                [
                    P(escape(c.items[i]), bullet, bulletText="•") if i < len(c.items) else ""
                    for c in block.columns
                ]
                for i in range(longest)
            ] or [["—"] * len(block.columns)]
            grid = T(
                [headers, *rows],
                colWidths=[available / len(block.columns)] * len(block.columns),
                repeatRows=1,
                hAlign="LEFT",
            )
            grid.setStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                    ("LINEAFTER", (0, 0), (-2, -1), 0.5, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ]
            )
            flow.append(grid)
        elif isinstance(block, Chart):
            picture = drawing(block, available)
            picture.__dict__["keepWithNext"] = 1  # Drawing refuses unknown attributes otherwise
            flow += [picture, P(escape(block.description), lead_in), table(block.table)]
        if isinstance(block, (Table, Columns, Chart, Tree)):
            flow.append(Spacer(1, 6))  # after a paragraph its own spaceBefore does this
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=doc.title,
        author="Opgave Atelier",
        lang=doc.language,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
    ).build(flow, canvasmaker=_numbered_canvas(doc.footer, doc.page_label))
    return out.getvalue()
