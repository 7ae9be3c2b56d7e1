"""Translations: gettext catalogs (Babel) for Dutch and English, for pages and scripts alike.

Message ids are English; ``app/locale/nl`` holds the Dutch, which is the default language.
Catalogs are read from the ``.po`` files at start-up and compiled in memory, so there is no
build step and no binary file to keep in step. Scripts get the translations of the strings they
use (found with Babel's JavaScript extractor, keyword ``t``) as JSON embedded in the page.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
JS_DIR = Path(__file__).parent / "static" / "js"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> Translations:
    """The compiled catalog for ``language`` (falls back to the message id when missing)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def script_message_ids(scripts: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The strings the given scripts (default: all) pass to ``t()``, read from the scripts."""
    found: list[str] = []
    paths = sorted(JS_DIR.glob("*.js")) if scripts is None else [JS_DIR / name for name in scripts]
    for path in paths:
        for _line, message, _comments, _context in extract_from_file(
            "javascript", path, keywords={"t": None}
        ):
            if isinstance(message, str):
                found.append(message)
    return tuple(dict.fromkeys(found))


#: The modules each page loads besides its own: a page embeds only the strings it can show.
SHARED_SCRIPTS = ("socket.js", "state.js", "dom.js", "i18n.js", "labels.js", "timer.js")


@cache
def script_catalog(language: str, page_script: str | None = None) -> dict[str, str]:
    """The translations a page's scripts need, as a JSON-ready dict."""
    catalog = translations(language)
    scripts = None
    if page_script is not None:
        scripts = (
            *SHARED_SCRIPTS,
            page_script,
            *(("upload.js",) if page_script == "participant.js" else ()),
        )
    return {message: catalog.gettext(message) for message in script_message_ids(scripts)}


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates (cookie, workshop, default)."""
    for candidate in candidates:
        if candidate:
            short = candidate.split("-")[0].split("_")[0].lower()
            if short in LANGUAGES:
                return short
    return DEFAULT_LANGUAGE
