"""The building blocks of an exported document, and what every renderer needs to know of them.

:mod:`app.exports.document` decides what the record says as a list of these blocks; Markdown,
HTML, PDF, Word and OpenDocument render the same list, each as well as its format allows (a
chart is a picture in HTML and PDF and its table everywhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.exports.cover import Cover
from app.images.storage import ImageStore, file_key


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Items:
    items: list[str]


@dataclass(frozen=True)
class Table:
    """``notes`` are words that stand in a figure's place ("not rated"): a column of figures
    and notes is still a figure column, aligned as one."""

    headers: list[str]
    rows: list[list[str]]
    notes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Photo:
    image_key: str
    caption: str


@dataclass(frozen=True)
class Node:
    """One line of the chain: ``text`` says what it is (``kind`` only styles it); ``caption``
    is the card's own text, the photo's alternative."""

    kind: str
    text: str
    caption: str = ""
    image_key: str | None = None
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Tree:
    """The chain behind the result, read from the root down: what grew from what."""

    root: Node


@dataclass(frozen=True)
class Column:
    heading: str
    items: list[str]


@dataclass(frozen=True)
class Columns:
    """Lists side by side (leefwereld | systeemwereld): reading across compares them."""

    columns: list[Column]


@dataclass(frozen=True)
class Chart:
    """A bar chart and its text alternative.

    ``values[c][s]`` is the bar of category ``c`` in series ``s`` (``None``: no bar). Shares are
    fractions (0–1) when ``percent``. ``notes[(c, s)]`` is said where a bar has no value to
    show ("not rated": nobody rated it, which is not 0%). ``table`` holds the same figures for
    people who cannot see the picture, and for formats without pictures; ``description`` says
    in one sentence what the chart shows.
    """

    title: str
    description: str
    categories: list[str]
    series: list[str]
    values: list[list[float | None]]
    percent: bool
    table: Table
    notes: dict[tuple[int, int], str] = field(default_factory=dict)


Block = Heading | Paragraph | Items | Table | Photo | Tree | Columns | Chart


@dataclass
class Document:
    """A record in one language. ``footer`` goes on every page; ``page_label`` formats
    ``%(n)s`` and ``%(m)s`` into "page n of m" in that language."""

    title: str
    language: str
    blocks: list[Block] = field(default_factory=list)
    footer: str = ""
    page_label: str = "%(n)s / %(m)s"
    #: The organisation's name and logo above the title (a theme's; ``None``: no cover).
    cover: Cover | None = None


#: A cell holding only figures: numbers, shares, "3/7", "0 1 2 3 4", "12 (40%)", a dash.
_FIGURE = re.compile(r"^[\d\s/%.,()+–—-]*$")


def figure_columns(table: Table) -> set[int]:
    """The columns whose cells are all figures: they are kept on one line and right-aligned."""
    columns = set()
    for index in range(len(table.headers)):
        cells = [row[index] for row in table.rows if index < len(row)]
        figures = [cell for cell in cells if cell not in table.notes]
        if figures and all(_FIGURE.match(cell) for cell in figures):
            columns.add(index)
    return columns


def walk(node: Node, depth: int = 0) -> Iterator[tuple[int, Node]]:
    """Every node of the tree with its depth, parents before children."""
    yield depth, node
    for child in node.children:
        yield from walk(child, depth + 1)


def images(doc: Document) -> list[str]:
    """Every image key the document shows, in photos and in the tree, each once."""
    keys: dict[str, None] = {}
    for block in doc.blocks:
        if isinstance(block, Photo):
            keys[block.image_key] = None
        elif isinstance(block, Tree):
            keys.update((n.image_key, None) for _d, n in walk(block.root) if n.image_key)
    return list(keys)


def thumbnail(images: ImageStore | None, key: str) -> bytes | None:
    """The photo's thumbnail (a JPEG without metadata): what every document embeds."""
    return images.get(file_key(key, "thumb")) if images else None
