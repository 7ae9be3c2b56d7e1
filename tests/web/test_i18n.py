"""Every visible string goes through the catalogs, and both catalogs translate all of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, po_path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "app" / "templates"
#: Text that is the same in every language (the product's name, punctuation).
UNTRANSLATED_OK = {"Opgave", "Atelier"}


def extracted() -> set[str]:
    found: set[str] = set()
    method_map = [
        ("app/**.py", "python"),
        ("app/templates/**.html", "jinja2"),
        ("app/static/js/**.js", "javascript"),
    ]
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        keywords={
            "_": None,
            "N_": None,
            "t": None,
            "gettext": None,
            "tn": (1, 2),
            "ngettext": (1, 2),
        },
    ):
        if isinstance(message, str):
            found.add(message)
        elif isinstance(message, tuple) and message[0]:
            found.add(message[0])  # a plural: the catalog keys it by its singular
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_translates_every_string(language: str):
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    # A plural (id and string are tuples) counts as translated only with every form.
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]: (
            m.string if isinstance(m.string, str) else all(m.string) and m.string[0]
        )
        for m in catalog
        if m.id and not m.fuzzy
    }
    messages = extracted()
    assert messages, "extraction found nothing: the test would prove nothing"
    missing = sorted(m for m in messages if not translated.get(m))
    assert not missing, f"untranslated in {language} (run scripts/i18n): {missing}"


def test_no_visible_text_outside_the_catalogs_in_templates():
    leaks: list[str] = []
    for path in sorted(TEMPLATES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        # Blocks that fill attributes or the <head> hold no visible text.
        text = re.sub(
            r"\{% block (body_class|body_attrs|head|scripts) %\}.*?\{% endblock %\}",
            " ",
            text,
            flags=re.S,
        )
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        for word in re.findall(r"[A-Za-zÀ-ÿ][\w'-]*", text):
            if word not in UNTRANSLATED_OK:
                leaks.append(f"{path.name}: {word!r}")
    assert not leaks, leaks


def test_no_untranslated_attributes_in_templates():
    """aria-label, alt, title and placeholder must be translated too."""
    leaks = []
    for path in sorted(TEMPLATES.glob("*.html")):
        for match in re.finditer(
            r'\b(aria-label|alt|title|placeholder)="([^"]*)"', path.read_text(encoding="utf-8")
        ):
            value = match.group(2)
            if re.search(r"[A-Za-z]", re.sub(r"\{\{.*?\}\}", "", value)):
                leaks.append(f"{path.name}: {match.group(0)}")
    assert not leaks, leaks


def test_pages_render_in_english_and_dutch():
    from app.i18n import translations

    assert translations("nl").gettext("Log in") == "Inloggen"
    assert translations("en").gettext("Log in") == "Log in"
    assert translations("xx").gettext("Log in") == "Inloggen", (
        "unknown languages fall back to Dutch"
    )
