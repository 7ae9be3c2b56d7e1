"""A summary in a format named by its ``atelier export --format`` name, for callers that hold a
name rather than a record (``atelier export``, the export tests).

The formats themselves, and which function makes each, are in :mod:`app.exports.registry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.exports.registry import BY_NAME

if TYPE_CHECKING:
    from app.exports.summary import Summary
    from app.images.storage import ImageStore


def render(summary: Summary, fmt: str, language: str, images: ImageStore | None) -> bytes | str:
    """The summary in ``fmt`` (a name in :data:`~app.exports.registry.BY_NAME`: ``pdf``,
    ``json``, ``cards.csv`` …), in ``language``.

    Blocking (PDF and office files take a moment): run it in a worker thread from async code.
    """
    if fmt not in BY_NAME:
        raise ValueError(f"no export format {fmt!r}")
    return BY_NAME[fmt].render(summary, language=language, images=images)
