"""``atelier export``: a workshop's summary to a file, for archives and the docs' examples.

The formats, and their ``--format`` names, are those of :mod:`app.exports.registry`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.db import make_engine, migrate
from app.exports.cover import cover_of
from app.exports.registry import BY_NAME
from app.exports.summary import build_summary
from app.i18n import pick_language
from app.images.storage import LocalImageStore
from app.settings import Settings


def export_command(
    settings: Settings, *, workshop_id: int, fmt: str, language: str | None, out: str
) -> int:
    export_format = BY_NAME.get(fmt)
    if export_format is None:
        print(f"Formats: {', '.join(BY_NAME)}.", file=sys.stderr)
        return 2
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        summary = build_summary(
            engine, workshop_id=workshop_id, min_group_size=settings.min_group_size
        )
    finally:
        engine.dispose()
    if summary is None:
        print(f"There is no workshop {workshop_id}.", file=sys.stderr)
        return 1
    target = Path(out)
    body = export_format.render(
        summary,
        language=pick_language(language, summary.workshop.language),
        images=LocalImageStore(settings.image_dir),
        cover=cover_of(settings.theme),
    )
    if isinstance(body, bytes):
        target.write_bytes(body)
    else:
        target.write_text(body, encoding="utf-8")
    print(f"Wrote {target}")
    return 0
