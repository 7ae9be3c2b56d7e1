"""Downloading a workshop's summary: ``/api/workshops/{id}/export.{ext}`` for the whole summary
and ``/api/workshops/{id}/export/{table}.csv`` for one of its tables, in every format of
:mod:`app.exports.registry`.

Facilitators of the workshop only. ``?lang=nl|en`` picks the language (default: the workshop's).

This module imports the registry only: the summary and the renderers are imported on the first
download (see :func:`_made`), so starting the app loads none of them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlalchemy.engine import Engine

from app.deps import CurrentFacilitator, EngineDep, Id
from app.exports.registry import SUMMARIES, TABLES, ExportFormat
from app.i18n import pick_language
from app.workshops.access import resolve

if TYPE_CHECKING:
    from app.exports.summary import Summary
    from app.images.storage import ImageStore
    from app.theme import Theme

router = APIRouter(prefix="/api/workshops", tags=["exports"])
Language = Annotated[str | None, Query(pattern="^(nl|en)$")]
NO_WORKSHOP = "No such workshop."


def _made(
    engine: Engine,
    fmt: ExportFormat,
    *,
    workshop_id: int,
    min_group_size: int,
    lang: str | None,
    images: ImageStore | None,
    theme: Theme | None = None,
) -> tuple[Summary, bytes | str] | None:
    """The workshop's summary and the file made from it (``None``: no such workshop). Blocking.

    The summary module is imported here, not at the top: it pulls in most of the workshop model
    (chain, heard, rounds, votes, reframing …), which the app need not load to start. This runs
    in a worker thread, so that import, and the renderer's on its first use, does not hold up
    the event loop.
    """
    from app.exports.cover import cover_of
    from app.exports.summary import build_summary

    summary = build_summary(engine, workshop_id=workshop_id, min_group_size=min_group_size)
    if summary is None:
        return None
    language = pick_language(lang, summary.workshop.language)
    cover = cover_of(theme)  # the organisation's name and logo (ATELIER_THEME_DIR)
    return summary, fmt.render(summary, language=language, images=images, cover=cover)


async def _download(
    request: Request,
    engine: Engine,
    fmt: ExportFormat,
    *,
    workshop_id: int,
    facilitator_id: int,
    lang: str | None = None,
) -> Response:
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_WORKSHOP)
    state = request.app.state
    made = await to_thread.run_sync(
        lambda: _made(
            engine,
            fmt,
            workshop_id=workshop_id,
            min_group_size=state.settings.min_group_size,
            lang=lang,
            images=state.images,
            theme=state.settings.theme,
        )
    )
    if made is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_WORKSHOP)
    summary, body = made
    stem = re.sub(r"[^a-z0-9]+", "-", summary.workshop.title.lower()).strip("-") or "workshop"
    name = fmt.file_name(stem, summary.generated_at[:10])
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt.content_security_policy is not None:
        headers["Content-Security-Policy"] = fmt.content_security_policy
    return Response(body, media_type=fmt.media_type, headers=headers)


@router.get("/{workshop_id}/export.{extension}")
async def export(
    request: Request,
    workshop_id: Id,
    extension: str,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    lang: Language = None,
) -> Response:
    fmt = SUMMARIES.get(extension)
    if fmt is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Formats: {', '.join(SUMMARIES)}, and CSV tables."
        )
    return await _download(
        request, engine, fmt, workshop_id=workshop_id, facilitator_id=facilitator_id, lang=lang
    )


@router.get("/{workshop_id}/export/{table}.csv")
async def export_csv(
    request: Request,
    workshop_id: Id,
    table: str,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
) -> Response:
    fmt = TABLES.get(table)
    if fmt is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Tables: {', '.join(TABLES)}.")
    return await _download(
        request, engine, fmt, workshop_id=workshop_id, facilitator_id=facilitator_id
    )
