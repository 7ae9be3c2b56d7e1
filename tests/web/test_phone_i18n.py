"""Translations for the phone's scripts: every t()/tn() string reaches the catalog, plurals
carry both forms in both languages, and each page's catalog holds the plurals it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from app.i18n import SCRIPT_KEYWORDS, script_catalog

SCRIPTS = Path(__file__).resolve().parents[2] / "app" / "static" / "js"
PHONE_SCRIPTS = sorted(
    [
        *SCRIPTS.glob("participant*.js"),
        *(SCRIPTS / n for n in ("glossary.js", "i18n.js", "timer.js")),
    ]
)
#: A literal first argument of t( or tn( in the source, comments left out.
CALL = re.compile(r"""\btn?\(\s*"((?:[^"\\]|\\.)*)\"""")


@pytest.mark.parametrize("path", PHONE_SCRIPTS, ids=lambda p: p.name)
def test_every_string_the_phone_translates_is_extracted(path: Path):
    """Babel's extractor skips a t() nested in another t()'s arguments or inside a template
    literal; such a string would stay English on a Dutch phone ("anonymously" did)."""
    source = re.sub(r"^\s*//.*$", "", path.read_text(encoding="utf-8"), flags=re.M)
    extracted: set[str] = set()
    for _line, message, _comments, _context in extract_from_file(
        "javascript", path, keywords=SCRIPT_KEYWORDS
    ):
        extracted.update([message] if isinstance(message, str) else [m for m in message if m])
    missed = sorted(set(CALL.findall(source)) - extracted)
    assert not missed, f"{path.name}: written so that extraction misses {missed}"


def test_plurals_reach_the_phone_in_both_languages():
    dutch = script_catalog("nl", "participant.js")
    english = script_catalog("en", "participant.js")
    assert dutch["%(n)s objection"] == ["%(n)s bezwaar", "%(n)s bezwaren"]
    assert english["%(n)s objection"] == ["%(n)s objection", "%(n)s objections"]
    assert dutch["%(n)s dot"] == ["%(n)s stip", "%(n)s stippen"]
    assert dutch["anonymously"] == "anoniem"
    # The glossary reaches the phone through its import, not a list kept by hand.
    assert dutch["The real core of the problem: where it hurts most."].startswith("De echte kern")
