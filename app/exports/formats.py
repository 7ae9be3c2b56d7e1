"""Every document format by its file extension: one place that turns a summary into bytes.

The download route and ``atelier export`` both go through :func:`render`, so a format added here
is available in both.
"""

from __future__ import annotations

from app.exports.document import document
from app.exports.opendocument import odt
from app.exports.pdf import pdf
from app.exports.renderers import html, markdown
from app.exports.spreadsheet import xlsx
from app.exports.summary import Summary
from app.exports.word import docx
from app.images.storage import ImageStore


def render(summary: Summary, fmt: str, language: str, images: ImageStore | None) -> bytes | str:
    """The summary in ``fmt`` (one of :data:`DOCUMENT_FORMATS` or ``json``), in ``language``.

    Blocking (PDF and office files take a moment): run it in a worker thread from async code.
    """
    if fmt == "json":
        return summary.model_dump_json(indent=2) + "\n"
    if fmt == "xlsx":
        return xlsx(summary, language=language)
    doc = document(summary, language=language)
    if fmt == "md":
        return markdown(doc)
    if fmt == "html":
        return html(doc, images=images)
    if fmt == "pdf":
        return pdf(doc, images=images)
    if fmt == "docx":
        return docx(doc, images=images)
    if fmt == "odt":
        return odt(doc, images=images)
    raise ValueError(f"no export format {fmt!r}")
