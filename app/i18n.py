"""Translations: gettext catalogs (Babel) for Dutch and English, for pages and scripts alike.

Message ids are English; ``app/locale/nl`` holds the Dutch, which is the default language.
Catalogs are read from the ``.po`` files at start-up and compiled in memory, so there is no
build step and no binary file to keep in step. Scripts get the translations of the strings they
use (found with Babel's JavaScript extractor, keywords ``t`` and ``tn`` for plurals) as JSON
embedded in the page.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from typing import Any

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


#: The scripts' translation functions, as Babel keyword specs: ``t(message)`` and
#: ``tn(singular, plural, n)`` (an ngettext: Dutch and English both have two forms).
SCRIPT_KEYWORDS: dict[str, Any] = {"t": None, "tn": (1, 2)}


@cache
def _script_messages(scripts: tuple[str, ...] | None) -> tuple[str | tuple[str, str], ...]:
    found: list[str | tuple[str, str]] = []
    paths = sorted(JS_DIR.glob("*.js")) if scripts is None else [JS_DIR / name for name in scripts]
    for path in paths:
        for _line, message, _comments, _context in extract_from_file(
            "javascript", path, keywords=SCRIPT_KEYWORDS
        ):
            if isinstance(message, str):
                found.append(message)
            elif isinstance(message, tuple) and len(message) >= 2 and message[0] and message[1]:
                found.append((message[0], message[1]))
    return tuple(dict.fromkeys(found))


@cache
def script_message_ids(scripts: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The strings the given scripts (default: all) pass to ``t()``, read from the scripts."""
    return tuple(m for m in _script_messages(scripts) if isinstance(m, str))


@cache
def script_plural_ids(scripts: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
    """The (singular, plural) pairs the given scripts (default: all) pass to ``tn()``."""
    return tuple(m for m in _script_messages(scripts) if isinstance(m, tuple))


#: ``from "./x.js"`` and ``import("./x.js")``: the modules a script loads, statically or lazily.
_IMPORT = re.compile(r"""(?:from\s+|import\s*\(\s*)["']\./([\w.-]+\.js)["']""")


@cache
def imported_scripts(page_script: str) -> tuple[str, ...]:
    """The page script and every module it imports, directly or not (relative imports only)."""
    found: list[str] = []
    todo = [page_script]
    while todo:
        name = todo.pop(0)
        path = JS_DIR / name
        if name in found or not path.is_file():
            continue
        found.append(name)
        todo.extend(_IMPORT.findall(path.read_text(encoding="utf-8")))
    return tuple(found)


@cache
def script_catalog(language: str, page_script: str | None = None) -> dict[str, str | list[str]]:
    """The translations a page's scripts need, as a JSON-ready dict: the strings of
    ``page_script`` and of every module it imports (all scripts' strings when None).

    Read from the scripts themselves, once per language and page: a page carries its own
    role's strings only (the phone's join and room pages no console strings).
    """
    catalog = translations(language)
    scripts = None
    if page_script is not None:
        scripts = imported_scripts(page_script)
    found: dict[str, str | list[str]] = {
        message: catalog.gettext(message) for message in script_message_ids(scripts)
    }
    # A plural is keyed by its singular and carries [one, other]: tn() in i18n.js picks the form.
    for singular, plural in script_plural_ids(scripts):
        found[singular] = [catalog.ngettext(singular, plural, n) for n in (1, 2)]
    return found


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates (cookie, workshop, default)."""
    for candidate in candidates:
        if candidate:
            short = candidate.split("-")[0].split("_")[0].lower()
            if short in LANGUAGES:
                return short
    return DEFAULT_LANGUAGE
