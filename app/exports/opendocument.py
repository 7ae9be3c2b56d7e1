"""The document as OpenDocument text (.odt, odfpy): the Dutch government's open standard.

The same blocks as the Word file: real headings (kept with the next paragraph), bullet lists,
the chain as nested lists, bordered tables with a repeating header row, embedded photo
thumbnails, and a footer with the workshop, the date and "page n of m" as page fields.

odfpy is imported at the top: this module is loaded only when an .odt is made (the registry,
:mod:`app.exports.registry`, imports it on first use).
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

from odf import teletype
from odf.dc import Language, Title
from odf.draw import Frame, Image
from odf.opendocument import OpenDocumentText
from odf.style import (
    Footer,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TextProperties,
)
from odf.table import Table as OdfTable
from odf.table import TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import (
    H,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListStyle,
    P,
    PageCount,
    PageNumber,
    Span,
)
from PIL import Image as Pillow

from app.exports.blocks import (
    Chart,
    Columns,
    Document,
    Heading,
    Items,
    Node,
    Paragraph,
    Photo,
    Table,
    Tree,
    figure_columns,
    thumbnail,
)
from app.exports.cover import LOGO_HEIGHT_CM, Cover
from app.exports.document import document
from app.exports.escaping import xml_text
from app.exports.summary import Summary
from app.images.storage import ImageStore

HEADING_SIZES = {1: "20pt", 2: "15pt", 3: "12.5pt", 4: "11pt"}
PHOTO_CM = 4.5
TREE_PHOTO_CM = 3.5


class _Styles:
    """The few named styles the document uses, registered once."""

    def __init__(self, odt: Any, language: str) -> None:
        country = {"nl": "NL", "en": "GB"}.get(language, "NL")
        default = Style(name="Standard", family="paragraph")
        default.addElement(
            TextProperties(
                fontname="Liberation Sans",
                fontfamily="'Liberation Sans', Arial, sans-serif",
                fontsize="10.5pt",
                language=language,
                country=country,
            )
        )
        default.addElement(ParagraphProperties(marginbottom="0.15cm"))
        odt.styles.addElement(default)
        self.body = default
        self.headings = {}
        for level, size in HEADING_SIZES.items():
            style = Style(
                name=f"Heading_20_{level}",
                displayname=f"Heading {level}",
                family="paragraph",
                parentstylename=default,
                defaultoutlinelevel=str(level),
            )
            style.addElement(TextProperties(fontsize=size, fontweight="bold", color="#0b4f8a"))
            style.addElement(
                ParagraphProperties(keepwithnext="always", margintop="0.4cm", marginbottom="0.2cm")
            )
            odt.styles.addElement(style)
            self.headings[level] = style
        self.bold = Style(name="Strong", family="text")
        self.bold.addElement(TextProperties(fontweight="bold"))
        odt.styles.addElement(self.bold)
        self.right = Style(name="Figure", family="paragraph", parentstylename=default)
        self.right.addElement(ParagraphProperties(textalign="end"))
        odt.styles.addElement(self.right)
        self.caption = Style(name="Caption", family="paragraph", parentstylename=default)
        self.caption.addElement(TextProperties(fontsize="9pt", fontstyle="italic"))
        odt.styles.addElement(self.caption)
        self.cell = Style(name="Cell", family="table-cell")
        self.cell.addElement(TableCellProperties(border="0.5pt solid #5c6670", padding="0.1cm"))
        odt.automaticstyles.addElement(self.cell)
        self.head_cell = Style(name="HeadCell", family="table-cell")
        self.head_cell.addElement(
            TableCellProperties(
                border="0.5pt solid #5c6670", padding="0.1cm", backgroundcolor="#eef2f6"
            )
        )
        odt.automaticstyles.addElement(self.head_cell)
        self.bullets = ListStyle(name="Bullets")
        for level in range(1, 11):
            bullet = ListLevelStyleBullet(level=level, bulletchar="•")
            bullet.addElement(
                ListLevelProperties(spacebefore=f"{0.6 * (level - 1):.1f}cm", minlabelwidth="0.5cm")
            )
            self.bullets.addElement(bullet)
        odt.automaticstyles.addElement(self.bullets)
        layout = PageLayout(name="Page")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="21cm",
                pageheight="29.7cm",
                margintop="2cm",
                marginbottom="1.5cm",
                marginleft="2cm",
                marginright="2cm",
                printorientation="portrait",
            )
        )
        odt.automaticstyles.addElement(layout)
        self.master = MasterPage(name="Standard", pagelayoutname=layout)
        self.footer = Footer()
        self.master.addElement(self.footer)
        odt.masterstyles.addElement(self.master)


def odt_file(
    summary: Summary, *, language: str, images: ImageStore | None, cover: Cover | None = None
) -> bytes:
    """The summary's document as OpenDocument: the renderer of ``odt`` in
    :mod:`app.exports.registry`."""
    doc = document(summary, language=language)
    doc.cover = cover
    return odt(doc, images=images)


def odt(doc: Document, *, images: ImageStore | None) -> bytes:
    writer = _Writer(doc, images)
    if doc.cover is not None:
        writer.cover(doc.cover)
    for block in doc.blocks:
        writer.add(block)
    out = io.BytesIO()
    writer.odf_text.write(out)
    return out.getvalue()


class _Writer:
    """One OpenDocument text being written: its styles, metadata and footer, and a method per
    kind of block."""

    def __init__(self, doc: Document, images: ImageStore | None) -> None:
        self.odf_text = OpenDocumentText()
        self.styles = _Styles(self.odf_text, doc.language)
        self.images = images
        for element in _meta(doc):
            self.odf_text.meta.addElement(element)
        self.body = self.odf_text.text
        self.styles.footer.addElement(self.footer(doc))

    def footer(self, doc: Document) -> Any:
        """The workshop and the date, then "page n of m" with live page fields."""
        footer = P(stylename=self.styles.caption)
        teletype.addTextToElement(footer, xml_text(doc.footer) + " — ")
        for part in re.split(r"(%\([nm]\)s)", doc.page_label):
            if part == "%(n)s":
                footer.addElement(PageNumber(selectpage="current", text="1"))
            elif part == "%(m)s":
                footer.addElement(PageCount(text="1"))
            elif part:
                teletype.addTextToElement(footer, part)
        return footer

    def add(self, block: object) -> None:
        body, styles = self.body, self.styles
        if isinstance(block, Heading):
            level = min(block.level, 4)
            heading = H(outlinelevel=level, stylename=styles.headings[level])
            teletype.addTextToElement(heading, xml_text(block.text))
            body.addElement(heading)
        elif isinstance(block, Paragraph):
            body.addElement(self.para(block.text, bold=block.emphasis))
        elif isinstance(block, Items):
            body.addElement(self.bullets(block.items))
        elif isinstance(block, Table):
            body.addElement(self.table(block))
        elif isinstance(block, Photo):
            picture = self.frame(block.image_key, PHOTO_CM)
            if picture is not None:
                holder = P(stylename=styles.body)
                holder.addElement(picture)
                body.addElement(holder)
                body.addElement(self.para(block.caption, style=styles.caption))
        elif isinstance(block, Tree):
            listing = List(stylename=styles.bullets)
            listing.addElement(self.branch(block.root))
            body.addElement(listing)
        elif isinstance(block, Columns):
            body.addElement(self.columns(block))
        elif isinstance(block, Chart):
            body.addElement(self.para(block.title, bold=True))
            body.addElement(self.para(block.description))
            body.addElement(self.table(block.table))

    def cover(self, cover: Cover) -> None:
        """The organisation's logo and name, above the title (app/exports/cover.py)."""
        if cover.logo is not None:
            href = self.odf_text.addPicture("Pictures/logo.png", "image/png", cover.logo)
            holder = Frame(
                width=f"{cover.logo_width_cm:.2f}cm",
                height=f"{LOGO_HEIGHT_CM}cm",
                anchortype="as-char",
            )
            holder.addElement(Image(href=href))
            paragraph = P(stylename=self.styles.body)
            paragraph.addElement(holder)
            self.body.addElement(paragraph)
        self.body.addElement(self.para(cover.name, bold=True))

    def para(self, text: str, *, bold: bool = False, style: Any = None) -> Any:
        element = P(stylename=style or self.styles.body)
        target = Span(stylename=self.styles.bold) if bold else element
        teletype.addTextToElement(target, xml_text(text))
        if bold:
            element.addElement(target)
        return element

    def frame(self, key: str, width_cm: float) -> Any | None:
        """The photo's thumbnail, embedded once per picture; ``None`` when it is gone."""
        data = thumbnail(self.images, key)
        if not data:
            return None
        with Pillow.open(io.BytesIO(data)) as picture:
            ratio = picture.height / picture.width
        name = f"Pictures/{hashlib.sha256(data).hexdigest()[:24]}.jpg"
        href = self.odf_text.addPicture(name, "image/jpeg", data)
        holder = Frame(
            width=f"{width_cm}cm", height=f"{width_cm * ratio:.2f}cm", anchortype="as-char"
        )
        holder.addElement(Image(href=href))
        return holder

    def bullets(self, items: list[str]) -> Any:
        listing = List(stylename=self.styles.bullets)
        for item in items:
            entry = ListItem()
            entry.addElement(self.para(item))
            listing.addElement(entry)
        return listing

    def table(self, block: Table) -> Any:
        """A bordered table whose header row repeats on every page; figures to the right."""
        styles = self.styles
        figures = figure_columns(block)
        grid = OdfTable()
        grid.addElement(TableColumn(numbercolumnsrepeated=len(block.headers)))
        header = TableHeaderRows()
        row = TableRow()
        for text in block.headers:
            cell = TableCell(stylename=styles.head_cell, valuetype="string")
            cell.addElement(self.para(text, bold=True))
            row.addElement(cell)
        header.addElement(row)
        grid.addElement(header)
        for cells in block.rows:
            row = TableRow()
            for index, text in enumerate(cells):
                cell = TableCell(stylename=styles.cell, valuetype="string")
                cell.addElement(self.para(text, style=styles.right if index in figures else None))
                row.addElement(cell)
            grid.addElement(row)
        return grid

    def columns(self, block: Columns) -> Any:
        """Lists side by side (leefwereld | systeemwereld): a heading row, then one row of lists."""
        styles = self.styles
        grid = OdfTable()
        grid.addElement(TableColumn(numbercolumnsrepeated=len(block.columns)))
        for cells in ([c.heading for c in block.columns], None):
            row = TableRow()
            for column in block.columns:
                cell = TableCell(
                    stylename=styles.head_cell if cells else styles.cell, valuetype="string"
                )
                if cells:
                    cell.addElement(self.para(column.heading, bold=True))
                else:
                    cell.addElement(self.bullets(column.items or ["—"]))
                row.addElement(cell)
            grid.addElement(row)
        return grid

    def branch(self, node: Node) -> Any:
        """A node of the chain as a list item, its photo under it and its children nested."""
        entry = ListItem()
        entry.addElement(self.para(node.text, bold=node.kind in ("opgave", "waarom", "cluster")))
        picture = self.frame(node.image_key, TREE_PHOTO_CM) if node.image_key else None
        if picture is not None:
            holder = P(stylename=self.styles.body)
            holder.addElement(picture)
            entry.addElement(holder)
        if node.children:
            nested = List()
            for child in node.children:
                nested.addElement(self.branch(child))
            entry.addElement(nested)
        return entry


def _meta(doc: Document) -> list[Any]:
    return [Title(text=xml_text(doc.title)), Language(text=doc.language)]
