"""The document as Word (.docx, python-docx): the verslag a municipality edits and files.

Built from the same blocks as every other format, with Word's own headings (so its navigation
pane and table of contents work), bullet lists, tables with a repeating header row, embedded
photo thumbnails, the chain as an indented list, and a footer with the workshop, the date and
"page n of m" as live page fields. Charts appear as their tables: Word users edit numbers.
"""

from __future__ import annotations

import io
import re
from typing import Any

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
    thumbnail,
    walk,
)
from app.exports.cover import LOGO_HEIGHT_CM, Cover
from app.exports.document import document
from app.exports.escaping import xml_text
from app.exports.summary import Summary
from app.images.storage import ImageStore

PHOTO_CM = 4.5
#: The language Word spell-checks each export language as (the OpenDocument file says the same:
#: ``opendocument._Styles``); python-docx's template says en-US, which marks every Dutch word.
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}
TREE_PHOTO_CM = 3.5
INDENT_CM = 0.63


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", code), ("separate", None), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
        if kind == "separate":
            shown = OxmlElement("w:t")
            shown.text = "1"
            run._r.append(shown)


def _footer(section: Any, footer: str, page_label: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.text = ""
    paragraph.add_run(xml_text(footer) + "\t\t")
    for part in re.split(r"(%\([nm]\)s)", page_label):
        if part == "%(n)s":
            _field(paragraph, "PAGE")
        elif part == "%(m)s":
            _field(paragraph, "NUMPAGES")
        elif part:
            paragraph.add_run(part)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _language(word: Any, language: str) -> None:
    """Tag the document defaults and every paragraph and character style with ``language``,
    so Word proofs the text in it, also text a reader adds later."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = LANGUAGE_TAGS.get(language, "nl-NL")
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    default = defaults.find(qn("w:rPrDefault"))
    if default is None:
        default = OxmlElement("w:rPrDefault")
        defaults.insert(0, default)
    if default.find(qn("w:rPr")) is None:
        default.append(OxmlElement("w:rPr"))
    properties = [default.find(qn("w:rPr"))]
    properties += [
        style.get_or_add_rPr()  # in its schema place, before any table properties
        for style in styles.findall(qn("w:style"))
        if style.get(qn("w:type")) in ("paragraph", "character")
    ]
    after = {qn("w:eastAsianLayout"), qn("w:specVanish"), qn("w:oMath")}  # lang's successors
    for run in properties:
        lang = run.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            successor = next((child for child in run if child.tag in after), None)
            if successor is None:
                run.append(lang)
            else:
                successor.addprevious(lang)
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)
    word.core_properties.language = tag


def docx_file(
    summary: Summary, *, language: str, images: ImageStore | None, cover: Cover | None = None
) -> bytes:
    """The summary's document as Word: the renderer of ``docx`` in :mod:`app.exports.registry`."""
    doc = document(summary, language=language)
    doc.cover = cover
    return docx(doc, images=images)


def docx(doc: Document, *, images: ImageStore | None) -> bytes:
    import docx as python_docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    word = python_docx.Document()
    word.core_properties.title = xml_text(doc.title)
    word.core_properties.author = "Opgave Atelier"
    _language(word, doc.language)
    section = word.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    _footer(section, doc.footer, doc.page_label)

    def table(block: Table, caption: str | None = None) -> None:
        if caption:
            word.add_paragraph(xml_text(caption), style="Caption")
        figures = figure_columns(block)
        grid = word.add_table(rows=1 + len(block.rows), cols=len(block.headers))
        grid.style = "Table Grid"
        _repeat_header(grid.rows[0])
        for r, row in enumerate([block.headers, *block.rows]):
            for c, text in enumerate(row):
                paragraph = grid.cell(r, c).paragraphs[0]
                run = paragraph.add_run(xml_text(text))
                run.bold = r == 0
                if c in figures:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        word.add_paragraph()

    def picture(key: str, width_cm: float, indent_cm: float = 0.0) -> bool:
        data = thumbnail(images, key)
        if not data:
            return False
        paragraph = word.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(indent_cm)
        paragraph.add_run().add_picture(io.BytesIO(data), width=Cm(width_cm))
        return True

    if doc.cover is not None:  # the organisation, above the title (app/exports/cover.py)
        if doc.cover.logo is not None:
            word.add_paragraph().add_run().add_picture(
                io.BytesIO(doc.cover.logo), height=Cm(LOGO_HEIGHT_CM)
            )
        word.add_paragraph().add_run(xml_text(doc.cover.name)).bold = True
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(xml_text(block.text), level=max(block.level - 1, 0))
        elif isinstance(block, Paragraph):
            run = word.add_paragraph().add_run(xml_text(block.text))
            run.bold = block.emphasis
        elif isinstance(block, Items):
            for item in block.items:
                word.add_paragraph(xml_text(item), style="List Bullet")
        elif isinstance(block, Table):
            table(block)
        elif isinstance(block, Photo):
            if picture(block.image_key, PHOTO_CM):
                word.add_paragraph(xml_text(block.caption), style="Caption")
        elif isinstance(block, Tree):
            for depth, node in walk(block.root):
                paragraph = word.add_paragraph(style="List Bullet")
                paragraph.paragraph_format.left_indent = Cm(INDENT_CM * (depth + 1))
                paragraph.paragraph_format.first_line_indent = Cm(-INDENT_CM)
                run = paragraph.add_run(xml_text(node.text))
                run.bold = node.kind in ("opgave", "waarom", "cluster")
                if node.image_key:
                    picture(node.image_key, TREE_PHOTO_CM, INDENT_CM * (depth + 1))
        elif isinstance(block, Columns):
            grid = word.add_table(rows=2, cols=len(block.columns))
            grid.style = "Table Grid"
            for c, column in enumerate(block.columns):
                grid.cell(0, c).paragraphs[0].add_run(xml_text(column.heading)).bold = True
                cell = grid.cell(1, c)
                first = cell.paragraphs[0]
                for n, item in enumerate(column.items or ["—"]):
                    paragraph = first if n == 0 else cell.add_paragraph()
                    paragraph.style = word.styles["List Bullet"]
                    paragraph.add_run(xml_text(item))
            word.add_paragraph()
        elif isinstance(block, Chart):
            word.add_paragraph(xml_text(block.description))
            table(block.table, block.title)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
