"""The summary as a spreadsheet (.xlsx, openpyxl): one sheet per table, for analysis.

Every sheet has a bold, frozen header row and set column widths. What a participant typed is
always a text cell, also when it starts with ``=``, ``+``, ``-`` or ``@``: it is stored as a
string with Excel's quote prefix, so no spreadsheet runs it as a formula (OWASP "CSV
injection"). Numbers the app writes itself stay numbers. Like the CSV tables: never a rater's
identity, groups only as :mod:`app.privacy` allows, drijfveren only as people consented.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from app import labels
from app.exports import window_section
from app.exports.elsewhere_section import sheet_rows
from app.exports.escaping import starts_formula, xml_text
from app.exports.summary import Summary
from app.i18n import translations
from app.images.storage import ImageStore
from app.privacy import OTHER_GROUPS
from app.workshops.schemas import ChainNode

MAX_WIDTH = 70
#: Excel's built-in whole-percentage format: the cell holds 0.75 and shows "75%".
PERCENT = "0%"
Row = Sequence[object]


def _fraction(whole_percent: int | None) -> float | None:
    """A whole percentage (25) as the fraction a percentage cell holds (0.25); none stays empty."""
    return None if whole_percent is None else whole_percent / 100


def _walk(node: ChainNode | None, depth: int = 0) -> Iterable[tuple[int, ChainNode]]:
    if node is None:
        return
    yield depth, node
    for child in node.children:
        yield from _walk(child, depth + 1)


def _sheet(
    book: Any,
    title: str,
    headers: list[str],
    rows: Iterable[Row],
    *,
    shares: frozenset[int] = frozenset(),
) -> Any:
    """A sheet of ``rows`` under a bold, frozen header. Columns in ``shares`` hold fractions
    (0.75) shown as percentages ("75%"): numbers a spreadsheet can sum, sort and chart."""
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(title=title[:31])
    sheet.append([xml_text(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in headers]
    for values in rows:
        sheet.append([xml_text(v) if isinstance(v, str) else v for v in values])
        for index, value in enumerate(values):
            widths[index] = max(widths[index], min(len(str(value)), MAX_WIDTH))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if starts_formula(cell.value):
                cell.data_type = "s"  # a string, never a formula
                cell.quotePrefix = True  # and it stays one when someone edits the cell
            if isinstance(cell.value, str) and len(cell.value) > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.column - 1 in shares and isinstance(cell.value, int | float):
                cell.number_format = PERCENT
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width + 3
    return sheet


def xlsx_file(summary: Summary, *, language: str, images: ImageStore | None) -> bytes:
    """The renderer of ``xlsx`` in :mod:`app.exports.registry`; the workbook holds no photos."""
    return xlsx(summary, language=language)


def xlsx(summary: Summary, *, language: str) -> bytes:
    """The workbook: chain, cards, clusters, dots (with a bar chart), rounds, ratings, who was
    at the table and who was heard, and what people agreed to share."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    book.properties.title = xml_text(f"{summary.trajectory.theme} — {summary.workshop.title}")
    book.properties.creator = "Opgave Atelier"
    book.properties.language = language
    sheets = _Sheets(book, summary, language)
    sheets.chain()
    sheets.cards()
    sheets.clusters()
    sheets.dots()
    sheets.rounds()
    sheets.ratings()
    sheets.at_the_table()
    sheets.from_elsewhere()
    sheets.heard()
    sheets.voice()
    sheets.assisted()
    sheets.consented()
    sheets.after_window()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Sheets:
    """The workbook's sheets, one method each, in the order they appear; cells in ``language``."""

    def __init__(self, book: Any, summary: Summary, language: str) -> None:
        self.book = book
        self.summary = summary
        self._: Callable[[str], str] = translations(language).gettext
        self.cluster_titles = {c.id: c.title for c in summary.clusters}
        closed = [v for v in summary.votes if not v.is_open]
        self.results = closed[-1].results if closed else []
        self.proposal_texts = {p.id: p.text for p in summary.proposals}
        #: A reframing's first proposals: the framing the workshop started from.
        self.seeded = {p.id for p in summary.proposals if p.seeded_from_id is not None}

    def group(self, name: str | None) -> str:
        if name == OTHER_GROUPS:
            return self._("Other groups")
        return self._(labels.group(name)) if name else ""

    def kind(self, value: str) -> str:
        _ = self._
        names = {"opgave": _("Mission"), "waarom": _("Why"), "cluster": _("Cluster")}
        return names.get(value) or _(labels.CARD_KINDS.get(value, value))

    def tags(self, values: list[str]) -> str:
        return ", ".join(self._(labels.TAGS[t]) for t in values if t in labels.TAGS)

    def world(self, value: str | None) -> str:
        return self._(labels.WORLDS[value]) if value in labels.WORLDS else ""

    def chain(self) -> None:
        _ = self._
        _sheet(
            self.book,
            _("Chain"),
            [_("Level"), _("Kind"), _("Text"), _("World"), _("Tags"), _("Dots"), _("Photo")],
            (
                [
                    depth,
                    self.kind(node.kind),
                    node.text,
                    self.world(node.world),
                    self.tags(node.tags),
                    node.dots,
                    _("yes") if node.image_key else "",
                ]
                for depth, node in _walk(self.summary.tree)
            ),
        )

    def cards(self) -> None:
        _ = self._
        _sheet(
            self.book,
            _("Cards"),
            [
                "id",
                _("Kind"),
                _("Text"),
                _("World"),
                _("Tags"),
                _("Cluster"),
                _("From factors (ids)"),
                _("Stakeholder group"),
                _("Author"),
                _("Hidden"),
                _("Merged into (id)"),
                _("Sent in beforehand"),
            ],
            (
                [
                    c.id,
                    self.kind(c.kind),
                    c.text,
                    self.world(c.world),
                    self.tags(c.tags),
                    self.cluster_titles.get(c.cluster_id, "") if c.cluster_id else "",
                    " ".join(map(str, c.factor_ids)),
                    self.group(c.stakeholder_group),
                    c.author_name or "",
                    _("yes") if c.hidden else "",
                    c.merged_into_id,
                    _("yes") if c.channel == "before" else "",
                ]
                for c in self.summary.cards
            ),
        )

    def clusters(self) -> None:
        _ = self._
        dots = {(line.target_type.value, line.target_id): line.dots for line in self.results}
        _sheet(
            self.book,
            _("Clusters"),
            ["id", _("Title"), _("Tags"), _("Cards"), _("Dots")],
            (
                [c.id, c.title, self.tags(c.tags), len(c.card_ids), dots.get(("cluster", c.id), 0)]
                for c in self.summary.clusters
            ),
        )

    def dots(self) -> None:
        """The last closed dot vote, with a bar chart beside it."""
        from openpyxl.chart import BarChart, Reference

        _ = self._
        results = self.results
        cards = {c.id: c.text for c in self.summary.cards}
        sheet = _sheet(
            self.book,
            _("Dots"),
            [_("Card or cluster"), _("Kind"), _("Dots")],
            (
                [
                    self.cluster_titles.get(line.target_id, "")
                    if line.target_type.value == "cluster"
                    else cards.get(line.target_id, ""),
                    _("Cluster") if line.target_type.value == "cluster" else _("Card"),
                    line.dots,
                ]
                for line in results
            ),
        )
        if not results:
            return
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Dots per card or cluster")
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=len(results) + 1), True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(results) + 1))
        chart.y_axis.title = _("Dots")
        chart.height = max(6.0, 0.8 * len(results) + 3)
        sheet.add_chart(chart, "E2")

    def rounds(self) -> None:
        _ = self._
        _sheet(
            self.book,
            _("Rounds"),
            [
                _("Kind"),
                _("Round"),
                _("Proposal"),
                _("Starting point"),
                _("Rated"),
                _("Eligible"),
                _("Agree (4–5)"),
                "1",
                "2",
                "3",
                "4",
                "5",
                _("Objections"),
                _("Converged"),
                _("Reasons given with objections:").rstrip(":"),
            ],
            (
                [
                    self.kind(r.kind),
                    r.number,
                    self.proposal_texts.get(int(pid), f"#{pid}"),
                    _("yes") if int(pid) in self.seeded else "",
                    f.raters,
                    r.eligible,
                    # Nobody rated it: say so, where 0% would read as nobody agreeing.
                    f.agree_share if f.raters else _("not rated"),
                    *f.counts,
                    f.objections,
                    _("yes") if f.converged else _("no"),
                    " | ".join(f.objection_reasons),
                ]
                for r in self.summary.rounds
                for pid, f in r.figures.items()
            ),
            shares=frozenset({6}),
        )

    def ratings(self) -> None:
        """Each rating with its reason and shown group, never who gave it."""
        _ = self._
        _sheet(
            self.book,
            _("Ratings"),
            [_("Kind"), _("Round"), _("Proposal"), _("Score"), _("Reason"), _("Stakeholder group")],
            (
                [
                    self.kind(x.kind),
                    x.round_number,
                    self.proposal_texts.get(x.proposal_id, f"#{x.proposal_id}"),
                    x.score,
                    x.reason,
                    self.group(x.stakeholder_group),
                ]
                for x in self.summary.ratings
            ),
        )

    def at_the_table(self) -> None:
        _ = self._
        rep = self.summary.representation
        _sheet(
            self.book,
            _("At the table"),
            [_("Stakeholder group"), _("Present"), _("Contributing"), _("Expected"), _("Missing")],
            [
                *(
                    [
                        f"{self.group(row.group)} ({', '.join(self.group(g) for g in row.pooled)})"
                        if row.pooled
                        else self.group(row.group),
                        row.present,
                        row.contributing if row.contributing is not None else "",
                        _("yes") if row.group in rep.expected else "",
                        _("yes") if row.group in rep.missing else "",
                    ]
                    for row in rep.table_rows()
                ),
                [_("Total"), rep.people_present, rep.people_contributing, "", ""],
            ],
        )

    def from_elsewhere(self) -> None:
        """Who took part from elsewhere, per shown group (app/exports/elsewhere_section.py)."""
        _ = self._
        rows = sheet_rows(self.summary.from_elsewhere, self.group, _("Total"))
        if rows is not None:
            _sheet(
                self.book, _("From elsewhere"), [_("Stakeholder group"), _("From elsewhere")], rows
            )

    def heard(self) -> None:
        """Absent from a summary written before ``heard`` was recorded."""
        _ = self._
        heard = self.summary.heard
        if heard is None:
            return
        total = heard.total
        _sheet(
            self.book,
            _("Heard"),
            [
                _("Stakeholder group"),
                _("People"),
                _("Cards"),
                _("Proposals"),
                _("Dots"),
                _("Objections"),
                _("Share of the people"),
                _("Share of cards and proposals"),
                _("Mostly listened"),
            ],
            [
                *(
                    [
                        self.group(g.group),
                        g.people,
                        g.cards,
                        g.proposals,
                        g.dots,
                        g.objections,
                        _fraction(g.shares.people),
                        _fraction(g.shares.said),
                        _("yes") if g.under_heard else "",
                    ]
                    for g in heard.groups
                ),
                [
                    _("Total"),
                    total.people,
                    total.cards,
                    total.proposals,
                    total.dots,
                    total.objections,
                    "",
                    "",
                    "",
                ],
            ],
            shares=frozenset({6, 7}),
        )

    def voice(self) -> None:
        """Equal voice: the check-out per group (when it was asked, and k people answered) and
        how evenly people contributed. Absent from a summary written before it was recorded."""
        _ = self._
        voice = self.summary.voice
        if voice is None:
            return
        check = voice.check_out
        if check is not None and check.total is not None:
            _sheet(
                self.book,
                _("Check-out"),
                [_("Stakeholder group"), _("Answers"), _("Average"), "1", "2", "3", "4", "5"],
                (
                    [
                        self.group(line.group) if line.group else _("Total"),
                        line.answers,
                        line.average,
                        *line.counts,
                    ]
                    for line in [*check.groups, check.total]
                ),
            )
        even = voice.evenness
        _sheet(
            self.book,
            _("Evenness"),
            [
                _("Stakeholder group"),
                _("People"),
                _("Cards and proposals"),
                _("Most active fifth"),
                _("Their share"),
                _("If everyone wrote as much"),
            ],
            (
                [
                    self.group(line.group) if line.group else _("Total"),
                    line.people,
                    line.said,
                    line.top,
                    _fraction(line.share),
                    _fraction(line.even_share),
                ]
                for line in [*even.groups, even.total]
            ),
            shares=frozenset({4, 5}),
        )

    def assisted(self) -> None:
        """Entries a tafelhulp made for people without a phone, per shown group (k rule)."""
        _ = self._
        figures = self.summary.assisted
        if figures is None:
            return
        _sheet(
            self.book,
            _("Table helper"),
            [_("Stakeholder group"), _("People"), _("Cards"), _("Ratings")],
            (
                [
                    self.group(line.group) if line.group else _("Total"),
                    line.people,
                    line.cards,
                    line.ratings,
                ]
                for line in [*figures.groups, figures.total]
            ),
        )

    def consented(self) -> None:
        """Drijfveren and wished contributions, as people agreed at joining."""
        _ = self._
        shared = self.summary.consented
        if shared is None:
            return
        _sheet(
            self.book, _("Motivations"), [_("Why people came")], ([d] for d in shared.drijfveren)
        )
        ways = list(labels.CONTRIBUTIONS)
        _sheet(
            self.book,
            _("Contributions"),
            [_("Stakeholder group"), *(_(labels.CONTRIBUTIONS[w]) for w in ways)],
            (
                [self.group(g), *(counts.get(w, 0) for w in ways)]
                for g, counts in shared.contributions.items()
            ),
        )

    def after_window(self) -> None:
        """The after-windows: per proposal the room, the window and together, per group."""
        if not self.summary.after_windows:
            return
        _ = self._
        rows = window_section.rows(
            self.summary.after_windows, {int(k): v for k, v in self.proposal_texts.items()}
        )
        _sheet(
            self.book,
            _("Weighing in afterwards"),
            [
                _("Kind"),
                _("Round"),
                "id",
                _("Proposal"),
                _("Channel"),
                _("Stakeholder group"),
                _("Rated"),
                _("Agree (4–5)"),
                _("Objections"),
                _("Converged"),
                _("An objection given afterwards"),
            ],
            (self.window_row(row) for row in rows),
            shares=frozenset({7}),
        )

    def window_row(self, row: list[object]) -> list[object]:
        """A row of :func:`app.exports.window_section.rows` in the workbook's language."""
        _ = self._
        kind, number, pid, text, channel, group, raters, agree, objections, converged, rule = row
        channels = {"room": _("In the room"), "after": _("Afterwards"), "together": _("Together")}
        rules = {
            "counts": _("counts as in the room"),
            "reported": _("is reported, without blocking"),
        }
        return [
            self.kind(str(kind)),
            number,
            pid,
            text,
            channels[str(channel)],
            self.group(str(group)) if group else _("Everyone"),
            raters,
            agree,
            objections,
            "" if converged == "" else _("yes") if converged else _("no"),
            rules.get(str(rule), ""),
        ]
