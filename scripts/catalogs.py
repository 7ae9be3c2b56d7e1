"""Catalog chores for scripts/i18n: English is the source language, so its catalog is filled
with the message ids; Dutch translations can be merged from TSV files (``msgid<TAB>Dutch``, and
for a plural ``English singular<TAB>Dutch singular<TAB>Dutch plural``).

    .venv/bin/python scripts/catalogs.py fill-en
    .venv/bin/python scripts/catalogs.py merge-nl FILE.tsv [FILE.tsv ...]
    .venv/bin/python scripts/catalogs.py missing
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "app" / "locale"


def _path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def _load(lang: str):  # type: ignore[no-untyped-def]
    with _path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _save(lang: str, catalog) -> None:  # type: ignore[no-untyped-def]
    with _path(lang).open("wb") as handle:
        write_po(handle, catalog, omit_header=True, sort_output=True, width=100)


def _done(message) -> bool:  # type: ignore[no-untyped-def]
    """Translated: a plural needs every form, a plain message its one string."""
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def fill_en() -> None:
    catalog = _load("en")
    for message in catalog:
        if message.id and not _done(message):
            message.string = message.id
    _save("en", catalog)


def merge_nl(files: list[str]) -> None:
    catalog = _load("nl")
    for name in files:
        for line in Path(name).read_text(encoding="utf-8").splitlines():
            if "\t" not in line or line.startswith("#"):
                continue
            msgid, dutch = line.split("\t", 1)
            message = catalog.get(msgid.strip())
            if message is None or not dutch.strip():
                continue
            if message.pluralizable:
                forms = tuple(form.strip() for form in dutch.split("\t"))
                if len(forms) == 2 and all(forms):
                    message.string = forms
            else:
                message.string = dutch.strip()
    _save("nl", catalog)


def missing() -> int:
    gaps = [
        m.id if isinstance(m.id, str) else m.id[0] for m in _load("nl") if m.id and not _done(m)
    ]
    for gap in gaps:
        print(gap)
    return 1 if gaps else 0


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "fill-en":
        fill_en()
    elif command == "merge-nl":
        merge_nl(rest)
    elif command == "missing":
        sys.exit(missing())
