"""``atelier export``: a workshop's summary to a file, for archives and the docs' examples."""

from __future__ import annotations

import sys
from pathlib import Path

from app.db import make_engine, migrate
from app.exports.formats import render
from app.exports.names import FILE_FORMATS
from app.exports.renderers import csv_table
from app.exports.summary import build_summary
from app.i18n import pick_language
from app.images.storage import LocalImageStore
from app.settings import Settings


def export_command(
    settings: Settings, *, workshop_id: int, fmt: str, language: str | None, out: str
) -> int:
    if fmt not in FILE_FORMATS:
        print(f"Formats: {', '.join(FILE_FORMATS)}.", file=sys.stderr)
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
    if fmt.endswith(".csv"):
        body: bytes | str = csv_table(summary, fmt.removesuffix(".csv"))
    else:
        language_ = pick_language(language, summary.workshop.language)
        body = render(summary, fmt, language_, LocalImageStore(settings.image_dir))
    if isinstance(body, bytes):
        target.write_bytes(body)
    else:
        target.write_text(body, encoding="utf-8")
    print(f"Wrote {target}")
    return 0
