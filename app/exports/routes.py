"""Downloading a workshop's summary: ``/api/workshops/{id}/export.{md,html,pdf,json,docx,xlsx,odt}``
and the CSV tables ``/api/workshops/{id}/export/{table}.csv``.

Facilitators of the workshop only. ``?lang=nl|en`` picks the language (default: the workshop's).
"""

from __future__ import annotations

import re
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from app.deps import CurrentFacilitator, EngineDep, Id
from app.exports.formats import render
from app.exports.names import CSV_TABLES, DOWNLOADS
from app.exports.renderers import csv_table
from app.exports.summary import Summary, build_summary
from app.i18n import pick_language
from app.workshops.access import resolve

router = APIRouter(prefix="/api/workshops", tags=["exports"])
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
Language = Annotated[str | None, Query(pattern="^(nl|en)$")]


async def _summary(request: Request, workshop_id: int, facilitator_id: int) -> Summary:
    engine = request.app.state.engine
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    k = request.app.state.settings.min_group_size
    summary = await to_thread.run_sync(
        lambda: build_summary(engine, workshop_id=workshop_id, min_group_size=k)
    )
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    return summary


def _download(summary: Summary, body: bytes | str, extension: str, suffix: str = "") -> Response:
    slug = re.sub(r"[^a-z0-9]+", "-", summary.workshop.title.lower()).strip("-") or "workshop"
    name = f"{slug}{suffix}-{summary.generated_at[:10]}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if extension == "html":  # the page is self-contained: its own styles and embedded photos only
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return Response(body, media_type=MEDIA[extension], headers=headers)


@router.get("/{workshop_id}/export.{extension}")
async def export(
    request: Request,
    workshop_id: Id,
    extension: str,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    lang: Language = None,
) -> Response:
    if extension not in DOWNLOADS:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Formats: {', '.join(DOWNLOADS)}, and CSV tables."
        )
    summary = await _summary(request, workshop_id, facilitator_id)
    if extension == "json":
        return _download(summary, summary.model_dump_json(indent=2), "json")
    language = pick_language(lang, summary.workshop.language)
    images = request.app.state.images
    body = await to_thread.run_sync(lambda: render(summary, extension, language, images))
    return _download(summary, body, extension)


@router.get("/{workshop_id}/export/{table}.csv")
async def export_csv(
    request: Request,
    workshop_id: Id,
    table: str,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
) -> Response:
    if table not in CSV_TABLES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Tables: {', '.join(CSV_TABLES)}.")
    summary = await _summary(request, workshop_id, facilitator_id)
    return _download(summary, csv_table(summary, table), "csv", f"-{table}")
