"""Static files under a versioned address, cached by browsers for a year.

A phone on a slow network should fetch the style sheets and scripts once, not ask again on every
page (each question is a round trip of half a second on slow 3G). So every page links them as
``/static/v/<version>/…`` (:func:`static_url`, the templates' ``static()``), served with
``Cache-Control: public, max-age=31536000, immutable``. The version is a hash of every file under
``app/static``, computed once at start: a changed file makes a new address, so no browser keeps
an old script. One version for the whole folder, not one per file, because the scripts import
each other by relative address (``import … from "./socket.js"``): within one versioned folder
those imports stay versioned and each module is loaded once.

An address with an older version (a page cached before an upgrade) still gets today's file, but
with ``no-cache``: it must not be kept a year under a name that promises other content. The plain
``/static/…`` addresses stay, revalidated on each use, for anything outside the pages.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent.parent / "static"
VERSIONED_PREFIX = "/static/v"
IMMUTABLE = "public, max-age=31536000, immutable"


def _folder_version(folder: Path) -> str:
    """A short hash of every file's relative path and content under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


#: The version of this process's static files (the same in every worker: same files, same hash).
VERSION = _folder_version(STATIC_DIR)


def static_url(path: str) -> str:
    """The versioned address of ``app/static/<path>``, e.g. ``static_url("js/i18n.js")``."""
    return f"{VERSIONED_PREFIX}/{VERSION}/{path.lstrip('/')}"


def inline_icon() -> str:
    """The site icon as a ``data:`` address, written into each page: one request fewer on a
    slow network (the icon is 214 bytes; ``img-src`` allows ``data:``)."""
    svg = (STATIC_DIR / "favicon.svg").read_text(encoding="utf-8").strip()
    return "data:image/svg+xml," + quote(svg, safe=" /=:\"'")


class VersionedStatic(StaticFiles):
    """``/static/v/<version>/<path>``: the file at ``<path>``, immutable when the version is
    this process's."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    async def get_response(self, path: str, scope: Scope) -> Response:
        version, _, rest = path.partition("/")
        response = await super().get_response(rest, scope)
        if response.status_code in (200, 304):
            current = version == VERSION
            response.headers["cache-control"] = IMMUTABLE if current else "no-cache"
        return response
