"""Rendering the summary document: Markdown, a self-contained HTML page, and CSV tables.

The HTML page embeds its photos and draws its charts as inline SVG, so it can be mailed and
archived as one file and prints on its own. The PDF is in :mod:`app.exports.pdf`, Word in
:mod:`app.exports.word`, OpenDocument in :mod:`app.exports.opendocument`, the spreadsheet in
:mod:`app.exports.spreadsheet`; :mod:`app.exports.registry` names them all.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app.exports import blocks, window_section
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
from app.exports.charts import svg
from app.exports.cover import Cover
from app.exports.document import document
from app.exports.escaping import csv_cell, markdown_text
from app.exports.pdf import pdf
from app.exports.registry import TABLES
from app.exports.summary import Summary
from app.images.storage import ImageStore, file_key
from app.workshops.schemas import ChainNode

__all__ = ["CSV_TABLES", "csv_table", "html", "markdown", "pdf"]

#: The tables :func:`csv_table` makes, as the registry offers them.
CSV_TABLES = tuple(TABLES)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
)
_environment.tests["instanceof"] = isinstance


def _markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    cells = [
        [markdown_text(h) for h in headers],
        ["---"] * len(headers),
        *([markdown_text(c) for c in row] for row in rows),
    ]
    return "\n".join("| " + " | ".join(row) + " |" for row in cells) + "\n"


def markdown_file(summary: Summary, *, language: str, images: ImageStore | None) -> str:
    """The summary's document as Markdown: the renderer of ``md`` in :mod:`app.exports.registry`
    (photos appear as their captions)."""
    return markdown(document(summary, language=language))


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
            out.append(_markdown_table(block.headers, block.rows))
        elif isinstance(block, Photo):
            out.append(f"*\\[{markdown_text(block.caption)}\\]*\n")
        elif isinstance(block, Tree):
            out.append(
                "\n".join(
                    f"{'  ' * depth}- {markdown_text(node.text)}"
                    for depth, node in walk(block.root)
                )
                + "\n"
            )
        elif isinstance(block, Columns):
            longest = max((len(c.items) for c in block.columns), default=0)
            rows = [
                [c.items[i] if i < len(c.items) else "" for c in block.columns]
                for i in range(longest)
            ]
            out.append(_markdown_table([c.heading for c in block.columns], rows))
        elif isinstance(block, Chart):
            out.append(f"**{markdown_text(block.title)}**\n")
            out.append(f"{markdown_text(block.description)}\n")
            out.append(_markdown_table(block.table.headers, block.table.rows))
    return "\n".join(out)


def _data_uri(images: ImageStore | None, key: str) -> str | None:
    data = images.get(file_key(key, "thumb")) if images else None
    return f"data:image/jpeg;base64,{base64.b64encode(data).decode()}" if data else None


def html_file(
    summary: Summary, *, language: str, images: ImageStore | None, cover: Cover | None = None
) -> str:
    """The summary's document as one page: the renderer of ``html`` in
    :mod:`app.exports.registry`."""
    doc = document(summary, language=language)
    doc.cover = cover
    return html(doc, images=images)


def html(doc: Document, *, images: ImageStore | None) -> str:
    """One self-contained page: styles inline, photos as data: URIs, charts as inline SVG."""
    photos = {key: _data_uri(images, key) for key in blocks.images(doc)}
    charts = {
        id(block): Markup(svg(block, f"chart-{n}"))
        for n, block in enumerate(b for b in doc.blocks if isinstance(b, Chart))
    }
    return _environment.get_template("export.html").render(
        doc=doc,
        photos=photos,
        charts=charts,
        figure_columns=figure_columns,
        walk=walk,
        id=id,
        Heading=Heading,
        Paragraph=Paragraph,
        Items=Items,
        Table=Table,
        Photo=Photo,
        Tree=Tree,
        Columns=Columns,
        Chart=Chart,
    )


def chain_nodes(root: ChainNode | None, depth: int = 0) -> Iterable[tuple[int, ChainNode]]:
    """The chain's nodes with their depth, parents first (nothing when nothing was adopted)."""
    if root is None:
        return
    yield depth, root
    for child in root.children:
        yield from chain_nodes(child, depth + 1)


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
                "channel",
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
                c.channel,
            ]
            for c in summary.cards
        )
    elif table == "clusters":
        # What the cluster ids of cards.csv and dots.csv stand for, with the closing tally.
        closed = [v for v in summary.votes if not v.is_open]
        tally = {
            line.target_id: line.dots
            for line in (closed[-1].results if closed else [])
            if line.target_type.value == "cluster"
        }
        writer.writerow(["id", "title", "tags", "cards", "dots"])
        rows = (
            [c.id, c.title, " ".join(c.tags), len(c.card_ids), tally.get(c.id, 0)]
            for c in summary.clusters
        )
    elif table == "dots":
        # The title or text beside the id: the file reads on its own in a spreadsheet.
        titles = {
            "cluster": {c.id: c.title for c in summary.clusters},
            "card": {c.id: c.text for c in summary.cards},
        }
        writer.writerow(["vote_id", "target_type", "target_id", "target", "dots"])
        rows = (
            [
                v.id,
                line.target_type.value,
                line.target_id,
                titles.get(line.target_type.value, {}).get(line.target_id, ""),
                line.dots,
            ]
            for v in summary.votes
            for line in v.results
        )
    elif table == "ratings":
        writer.writerow(["kind", "round", "proposal_id", "score", "reason", "stakeholder_group"])
        rows = (
            [r.kind, r.round_number, r.proposal_id, r.score, r.reason, r.stakeholder_group or ""]
            for r in summary.ratings
        )
    elif table == "chain":
        writer.writerow(["level", "kind", "id", "text", "world", "tags", "dots", "photo"])
        rows = (
            [
                depth,
                node.kind,
                node.id,
                node.text,
                node.world or "",
                " ".join(node.tags),
                "" if node.dots is None else node.dots,
                "yes" if node.image_key else "",
            ]
            for depth, node in chain_nodes(summary.tree)
        )
    elif table == "after_window":
        writer.writerow(window_section.COLUMNS)
        texts = {p.id: p.text for p in summary.proposals}
        rows = window_section.rows(summary.after_windows, texts)
    elif table == "rounds":
        writer.writerow(
            [
                "kind",
                "round",
                "proposal_id",
                "proposal",
                "raters",
                "eligible",
                "agree_share",
                "counts_1_to_5",
                "objections",
                "converged",
                "objection_reasons",
                "starting_point",
                "lowest_group_share",
                "not_carried",
            ]
        )
        texts = {p.id: p.text for p in summary.proposals}
        seeded = {p.id for p in summary.proposals if p.seeded_from_id is not None}
        rows = (
            [
                r.kind,
                r.number,
                int(pid),
                texts.get(int(pid), ""),
                f.raters,
                r.eligible,
                round(f.agree_share, 4) if f.raters else "",  # nobody rated: no share, not 0
                " ".join(map(str, f.counts)),
                f.objections,
                f.converged,
                " | ".join(f.objection_reasons),
                int(pid) in seeded,
                # As by_group shows the groups (pooled below k): empty when it shows none.
                "" if f.lowest_group_share is None else round(f.lowest_group_share, 4),
                " | ".join(f.not_carried),
            ]
            for r in summary.rounds
            for pid, f in r.figures.items()
        )
    elif table == "heard":
        writer.writerow(
            [
                "stakeholder_group",
                "people",
                "cards",
                "proposals",
                "dots",
                "objections",
                "under_heard",
            ]
        )
        heard = summary.heard
        lines = [*heard.groups, heard.total] if heard else []
        rows = (
            [
                g.group or "total",
                g.people,
                g.cards,
                g.proposals,
                g.dots,
                g.objections,
                "" if not g.group else g.under_heard,
            ]
            for g in lines
        )
    elif table == "consented":
        writer.writerow(["what", "stakeholder_group", "text", "people"])
        shared = summary.consented
        drijfveren = [["drijfveer", "", text, 1] for text in shared.drijfveren] if shared else []
        wishes = (
            [
                ["contribution", group, way, n]
                for group, ways in shared.contributions.items()
                for way, n in ways.items()
            ]
            if shared
            else []
        )
        rows = [*drijfveren, *wishes]
    elif table == "voice":
        writer.writerow(VOICE_COLUMNS)
        rows = voice_rows(summary)
    elif table == "assisted":
        writer.writerow(["stakeholder_group", "people", "cards", "ratings"])
        rows = assisted_rows(summary)
    else:
        raise ValueError(f"no CSV table {table!r}")
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


#: ``voice.csv``: the check-out's lines (``measure`` ``check_out``) and the evenness lines
#: (``evenness``), each per shown group and for everyone (``total``); a column that does not
#: belong to a measure is empty.
VOICE_COLUMNS = [
    "measure",
    "stakeholder_group",
    "answers",
    "average",
    "counts_1_to_5",
    "people",
    "said",
    "top_fifth",
    "top_fifth_said",
    "share",
    "even_share",
]


def assisted_rows(summary: Summary) -> list[list[object]]:
    """The rows of ``assisted.csv``: entries a tafelhulp made, per shown group, then the total
    (an empty group)."""
    figures = summary.assisted
    if figures is None:
        return []
    return [
        [line.group or "", line.people, line.cards, line.ratings]
        for line in [*figures.groups, figures.total]
    ]


def voice_rows(summary: Summary) -> list[list[object]]:
    """The rows of ``voice.csv``: figures per group only, never one person's."""
    voice = summary.voice
    if voice is None:
        return []
    rows: list[list[object]] = []
    check = voice.check_out
    if check is not None and check.total is not None:
        for line in [*check.groups, check.total]:
            counts = " ".join(map(str, line.counts))
            rows.append(
                ["check_out", line.group or "total", line.answers, line.average, counts, *[""] * 6]
            )
    for even in [*voice.evenness.groups, voice.evenness.total]:
        share = "" if even.share is None else even.share
        even_share = "" if even.even_share is None else even.even_share
        rows.append(
            [
                "evenness",
                even.group or "total",
                *["", "", ""],
                even.people,
                even.said,
                even.top,
                even.top_said,
                share,
                even_share,
            ]
        )
    return rows
