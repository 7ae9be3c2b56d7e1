"""The theme's style sheet and logo, served by the app itself (no CDN, ``'self'`` in the CSP).

Both live under ``/theme/<version>/``, where the version is a hash of what is served
(:class:`app.theme.Theme`): like the static files (``app/web/static.py``) they are cached by
browsers for a year, and a changed theme, after a restart, has new addresses. An address with an
older version (a page cached before the change) still gets today's file, with ``no-cache``. The
bytes were checked and made once at start; nothing here reads the folder again.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from app.theme_logo import LOGO_POLICY
from app.web.static import IMMUTABLE

router = APIRouter(tags=["theme"], include_in_schema=False)


def _cache(version: str, current: str) -> str:
    return IMMUTABLE if version == current else "no-cache"


@router.get("/theme/{version}/theme.css")
async def theme_css(version: str, request: Request) -> Response:
    theme = request.app.state.settings.theme
    if theme is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This server has no theme.")
    return Response(
        theme.css,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": _cache(version, theme.version)},
    )


@router.get("/theme/{version}/logo.{extension}")
async def theme_logo(version: str, extension: str, request: Request) -> Response:
    theme = request.app.state.settings.theme
    logo = theme.logo if theme else None
    if theme is not None and theme.raster is not None and extension == "png":
        logo = theme.raster
    if theme is None or logo is None or logo.extension != extension:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This server has no such logo.")
    return Response(
        logo.data,
        media_type=logo.media_type,
        headers={
            "Cache-Control": _cache(version, theme.version),
            # Opened on its own an SVG is a document: it may run nothing and load nothing.
            "Content-Security-Policy": LOGO_POLICY,
        },
    )
