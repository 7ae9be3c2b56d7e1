"""``atelier export``: a workshop's summary to a file, for archives and the docs' examples."""

from __future__ import annotations

import sys
from pathlib import Path

from app.db import make_engine, migrate
from app.exports.document import document
from app.exports.renderers import csv_table, html, markdown, pdf
from app.exports.summary import build_summary
from app.i18n import pick_language
from app.images.storage import LocalImageStore
from app.settings import Settings


def export_command(
    settings: Settings, *, workshop_id: int, fmt: str, language: str | None, out: str
) -> int:
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
    images = LocalImageStore(settings.image_dir)
    doc = document(summary, language=pick_language(language, summary.workshop.language))
    target = Path(out)
    if fmt == "json":
        target.write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    elif fmt == "md":
        target.write_text(markdown(doc), encoding="utf-8")
    elif fmt == "html":
        target.write_text(html(doc, images=images), encoding="utf-8")
    elif fmt == "pdf":
        target.write_bytes(pdf(doc, images=images))
    else:
        target.write_text(csv_table(summary, fmt.removesuffix(".csv")), encoding="utf-8")
    print(f"Wrote {target}")
    return 0
