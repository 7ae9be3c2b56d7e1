"""The export formats: one record per downloadable file, registered here and nowhere else.

Every list of formats reads :data:`FORMATS`: the download routes
(``/api/workshops/{id}/export.{ext}`` and ``…/export/{table}.csv``), ``atelier export
--format``, the trajectory page's links and the console's download list. A new format is its
renderer in its own module and one record here.

A record names its renderer as ``"module:function"`` and imports it on the first render, so this
module imports nothing but the label marker: the app and the ``atelier`` command list the
formats without loading a renderer, its library (reportlab, python-docx, openpyxl, odfpy), the
summary or the export templates; only making a file does. A renderer takes the summary with
``language=`` and ``images=`` and returns the file's body.

The CSV tables are one record each (``cards.csv`` …), not one CSV family: each is a file of its
own, with its own address, label and ``--format`` name, so every list is simply the records and
nothing expands a family into tables. They share one renderer,
:func:`app.exports.renderers.csv_table`, which is told its ``table`` (a table is the same in
every language and holds no photo).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, cast

from app.labels import N_

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.exports.cover import Cover
    from app.exports.summary import Summary
    from app.images.storage import ImageStore

#: The page opened from a download is self-contained: its own styles and embedded photos only.
SELF_CONTAINED_PAGE = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class ExportFormat:
    """One downloadable file: how it is named, served and labelled, and what makes it."""

    #: What ``atelier export --format`` takes: the extension, or ``{table}.csv`` for a table.
    name: str
    extension: str
    media_type: str
    #: A message id (marked with ``N_``), translated where it is shown.
    label: str
    #: ``"module:function"``, imported on the first render.
    renderer: str
    #: For a CSV table, which of the summary's tables; ``None`` for the whole summary.
    table: str | None = None
    #: Sent with the download, for a format a browser may open as a page.
    content_security_policy: str | None = None
    #: A record read as a document, with the organisation's name and logo above its title
    #: (:mod:`app.exports.cover`): its renderer takes ``cover=``.
    cover: bool = False

    @property
    def path(self) -> str:
        """Where it is downloaded, relative to ``/api/workshops/{id}/``."""
        if self.table is not None:
            return f"export/{self.table}.{self.extension}"
        return f"export.{self.extension}"

    def url(self, workshop_id: int) -> str:
        return f"/api/workshops/{workshop_id}/{self.path}"

    def file_name(self, stem: str, day: str) -> str:
        """The downloaded file's name: ``{stem}-{day}.pdf``, ``{stem}-cards-{day}.csv``."""
        table = f"-{self.table}" if self.table is not None else ""
        return f"{stem}{table}-{day}.{self.extension}"

    def render(
        self,
        summary: Summary,
        *,
        language: str,
        images: ImageStore | None,
        cover: Cover | None = None,
    ) -> bytes | str:
        """The file's body. Blocking (PDF and office files take a moment): from async code, run
        it in a worker thread, where the first call also imports the renderer. ``cover``: the
        theme's organisation, for a format that has a cover."""
        module, _, function = self.renderer.partition(":")
        made = cast("Callable[..., bytes | str]", getattr(import_module(module), function))
        if self.table is not None:
            return made(summary, self.table)
        if self.cover:
            return made(summary, language=language, images=images, cover=cover)
        return made(summary, language=language, images=images)


def _table(table: str, label: str) -> ExportFormat:
    return ExportFormat(
        name=f"{table}.csv",
        extension="csv",
        media_type="text/csv; charset=utf-8",
        label=label,
        renderer="app.exports.renderers:csv_table",
        table=table,
    )


_OFFICE = "application/vnd.openxmlformats-officedocument"

#: Every format, in the order the lists show them: the whole summary first, then its tables.
FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "pdf", "pdf", "application/pdf", N_("PDF"), "app.exports.pdf:pdf_file", cover=True
    ),
    ExportFormat(
        "docx",
        "docx",
        f"{_OFFICE}.wordprocessingml.document",
        N_("Word"),
        "app.exports.word:docx_file",
        cover=True,
    ),
    ExportFormat(
        "odt",
        "odt",
        "application/vnd.oasis.opendocument.text",
        N_("OpenDocument"),
        "app.exports.opendocument:odt_file",
        cover=True,
    ),
    ExportFormat(
        "xlsx",
        "xlsx",
        f"{_OFFICE}.spreadsheetml.sheet",
        N_("Spreadsheet"),
        "app.exports.spreadsheet:xlsx_file",
    ),
    ExportFormat(
        "html",
        "html",
        "text/html; charset=utf-8",
        N_("Web page"),
        "app.exports.renderers:html_file",
        content_security_policy=SELF_CONTAINED_PAGE,
        cover=True,
    ),
    ExportFormat(
        "md",
        "md",
        "text/markdown; charset=utf-8",
        N_("Markdown"),
        "app.exports.renderers:markdown_file",
    ),
    ExportFormat("json", "json", "application/json", N_("JSON"), "app.exports.summary:json_file"),
    _table("cards", N_("Cards (CSV)")),
    _table("clusters", N_("Clusters (CSV)")),
    _table("dots", N_("Dots (CSV)")),
    _table("ratings", N_("Ratings (CSV)")),
    _table("chain", N_("Chain (CSV)")),
    _table("rounds", N_("Rounds (CSV)")),
    _table("heard", N_("Who was heard (CSV)")),
    _table("consented", N_("Motivations and contributions (CSV)")),
    _table("voice", N_("Equal voice (CSV)")),
    _table("after_window", N_("Weighing in afterwards (CSV)")),
    _table("assisted", N_("Entered by a table helper (CSV)")),
)

#: By ``--format`` name.
BY_NAME = {f.name: f for f in FORMATS}
#: The whole summary in one file, by extension: ``export.{extension}``.
SUMMARIES = {f.extension: f for f in FORMATS if f.table is None}
#: One table of the summary, by table: ``export/{table}.csv``.
TABLES = {f.table: f for f in FORMATS if f.table is not None}
