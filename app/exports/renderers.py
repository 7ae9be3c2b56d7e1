"""Rendering the summary document: Markdown, a self-contained HTML page, a PDF, and CSV tables.

The PDF is made by reportlab (platypus), whose built-in Helvetica covers Dutch text; the HTML page
embeds its photos, so it can be mailed and archived as one file and prints on its own.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.exports.document import Document, Heading, Items, Paragraph, Photo, Table
from app.exports.escaping import csv_cell, markdown_text
from app.exports.summary import Summary
from app.images.storage import ImageStore, file_key

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
)
_environment.tests["instanceof"] = isinstance


def markdown(doc: Document) -> str:
    """The document as Markdown in which every text is data: see :mod:`app.exports.escaping`."""
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {markdown_text(block.text)}\n")
        elif isinstance(block, Paragraph):
            text = markdown_text(block.text)
            out.append(f"**{text}**\n" if block.emphasis and text else f"{text}\n")
        elif isinstance(block, Items):
            out.append("\n".join(f"- {markdown_text(item)}" for item in block.items) + "\n")
        elif isinstance(block, Table):
            cells = [
                [markdown_text(h) for h in block.headers],
                ["---"] * len(block.headers),
                *([markdown_text(c) for c in row] for row in block.rows),
            ]
            out.append("\n".join("| " + " | ".join(row) + " |" for row in cells) + "\n")
        elif isinstance(block, Photo):
            out.append(f"*\\[{markdown_text(block.caption)}\\]*\n")
    return "\n".join(out)


def _data_uri(images: ImageStore | None, key: str) -> str | None:
    data = images.get(file_key(key, "thumb")) if images else None
    return f"data:image/jpeg;base64,{base64.b64encode(data).decode()}" if data else None


def html(doc: Document, *, images: ImageStore | None) -> str:
    photos = {
        b.image_key: _data_uri(images, b.image_key) for b in doc.blocks if isinstance(b, Photo)
    }
    return _environment.get_template("export.html").render(
        doc=doc,
        photos=photos,
        Heading=Heading,
        Paragraph=Paragraph,
        Items=Items,
        Table=Table,
        Photo=Photo,
    )


def pdf(doc: Document, *, images: ImageStore | None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, ListFlowable, ListItem, SimpleDocTemplate, Spacer
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    styles = getSampleStyleSheet()
    heading = {1: styles["Title"], 2: styles["Heading2"], 3: styles["Heading3"]}
    flow: list[object] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            flow.append(P(escape(block.text), heading.get(block.level, styles["Heading4"])))
        elif isinstance(block, Paragraph):
            text = escape(block.text)
            flow.append(P(f"<b>{text}</b>" if block.emphasis else text, styles["BodyText"]))
        elif isinstance(block, Items):
            flow.append(
                ListFlowable(
                    [ListItem(P(escape(item), styles["BodyText"])) for item in block.items],
                    bulletType="bullet",
                    leftIndent=12,
                )
            )
        elif isinstance(block, Table):
            rows = [[P(f"<b>{escape(h)}</b>", styles["BodyText"]) for h in block.headers]]
            rows += [[P(escape(cell), styles["BodyText"]) for cell in row] for row in block.rows]
            table = T(rows, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
            )
            flow.append(table)
        elif isinstance(block, Photo):
            data = images.get(file_key(block.image_key, "thumb")) if images else None
            if data:
                picture = Image(io.BytesIO(data))
                ratio = picture.imageHeight / picture.imageWidth
                picture.drawWidth, picture.drawHeight = 5 * cm, 5 * cm * ratio
                picture.hAlign = "LEFT"
                flow.append(picture)
        flow.append(Spacer(1, 4))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=doc.title,
        author="Opgave Atelier",
        lang=doc.language,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    ).build(flow)
    return out.getvalue()


CSV_TABLES = ("cards", "dots", "ratings")


def csv_table(summary: Summary, table: str) -> str:
    """One table of the summary as CSV, with a header row. Never a rater's identity.

    Groups are the labels the summary may show (small groups merged, see ``app/privacy.py``;
    empty where even merged they would be too small), and no text cell can start a formula.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    rows: Iterable[list[object]]
    if table == "cards":
        writer.writerow(
            [
                "id",
                "kind",
                "text",
                "world",
                "factor_ids",
                "tags",
                "cluster_id",
                "hidden",
                "merged_into_id",
                "stakeholder_group",
                "author",
            ]
        )
        rows = (
            [
                c.id,
                c.kind,
                c.text,
                c.world or "",
                " ".join(map(str, c.factor_ids)),
                " ".join(c.tags),
                c.cluster_id or "",
                c.hidden,
                c.merged_into_id or "",
                c.stakeholder_group or "",
                c.author_name or "",
            ]
            for c in summary.cards
        )
    elif table == "dots":
        writer.writerow(["vote_id", "target_type", "target_id", "dots"])
        rows = (
            [v.id, line.target_type.value, line.target_id, line.dots]
            for v in summary.votes
            for line in v.results
        )
    elif table == "ratings":
        writer.writerow(["kind", "round", "proposal_id", "score", "reason", "stakeholder_group"])
        rows = (
            [r.kind, r.round_number, r.proposal_id, r.score, r.reason, r.stakeholder_group or ""]
            for r in summary.ratings
        )
    else:
        raise ValueError(f"no CSV table {table!r}")
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()
