"""Responses compressed for slow networks: pages, scripts, style sheets, JSON, SVG, CSV.

gzip, by Starlette's middleware: brotli would save some 15% more on text, but no brotli library
is among the app's dependencies, and gzip is what every browser takes. Small responses (under
500 bytes) and what is compressed already go as they are: photos (JPEG, PNG, WebP; SVG is text
and is compressed), PDF, and the office formats of the exports (ZIP containers). WebSocket
frames are not touched: per-message deflate stays off (see :func:`app.cli.serve`).

A compressed page that holds a secret (the CSRF token) and echoes what a request sent is what a
BREACH attack measures. Here the session cookies are ``SameSite=Lax``: another site's requests
for our pages (images, fetches) carry no session, so the pages it could make a browser load
hold no secret of that person, and the room's data travels over the socket, uncompressed.
"""

from __future__ import annotations

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp

#: Already compressed: compressing again costs the server time and saves nothing.
COMPRESSED_ALREADY = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "image/heic",
    "image/heif",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/octet-stream",
)


class Compression(GZipMiddleware):
    """gzip for text responses, level 6 (level 9 saves under 1% more for twice the time)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(
            app, minimum_size=500, compresslevel=6, exclude_content_types=COMPRESSED_ALREADY
        )
