"""The privacy page (``/privacy``): what the app keeps about a participant, and who sees it.

A resident reads it before joining, so the built-in text is plain language and is filled in from
the real settings (retention period, the smallest group shown on its own, the responsible
organisation and its contact), so it cannot drift from what the server does.

An operator who must publish their own statement points ``ATELIER_PRIVACY_PAGE`` at a Markdown
file. Markdown rather than an HTML fragment: a privacy officer can write it, and it is rendered
with raw HTML switched off (markdown-it-py), so the file cannot put script, styles or forms into
the page — the page keeps its strict Content-Security-Policy whatever the file says.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from app.deps import SettingsDep
from app.i18n import DEFAULT_LANGUAGE
from app.web.render import render, request_language

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

router = APIRouter(include_in_schema=False, tags=["privacy"])
log = logging.getLogger(__name__)

#: Loose on purpose, like the account form's check: it only decides between mailto: and text.
EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/]+\.[^@\s/]+$")
WEB_ADDRESS = re.compile(r"^https?://\S+$")
#: How long a phone keeps its place in a workshop (the participant cookie, app/web/pages.py).
PARTICIPANT_COOKIE_DAYS = 60


@cache
def _markdown() -> MarkdownIt:
    """CommonMark with raw HTML off; markdown-it's link check already refuses ``javascript:``."""
    from markdown_it import MarkdownIt  # with its parsers, on the first page that needs it

    return MarkdownIt("commonmark", {"html": False})


def operator_text(page: Path | None, language: str) -> Markup | None:
    """The operator's own page text as safe HTML, or ``None`` to show the built-in text.

    ``{lang}`` in the file name picks the language's file, falling back to the Dutch one. The
    file is read on every request (it is small), so an edit shows without a restart.
    """
    if page is None:
        return None
    template = str(page)
    candidates = dict.fromkeys(
        [template.replace("{lang}", language), template.replace("{lang}", DEFAULT_LANGUAGE)]
    )
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("privacy page %s unreadable (%s); showing the built-in text", path, exc)
                return None
            return Markup(_markdown().render(source))  # safe: raw HTML is off, text is escaped
    log.warning("privacy page %s is gone; showing the built-in text", template)
    return None


def contact_href(contact: str) -> str | None:
    """A link for the contact setting: ``mailto:`` for an address, the URL itself for a site."""
    contact = contact.strip()
    if EMAIL.match(contact):
        return f"mailto:{contact}"
    if WEB_ADDRESS.match(contact):
        return contact
    return None  # a phone number or a postal address: shown as text


@router.get("/privacy", response_class=HTMLResponse)
def privacy_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Public, no login: people read it before they decide to join."""
    language = request_language(request)
    return render(
        request,
        "privacy.html",
        settings,
        language=language,
        custom=operator_text(settings.privacy_page, language),
        organisation=settings.privacy_organisation.strip(),
        contact=settings.privacy_contact.strip(),
        contact_href=contact_href(settings.privacy_contact),
        retention_days=settings.retention_days,
        min_group_size=settings.min_group_size,
        cookie_days=PARTICIPANT_COOKIE_DAYS,
    )
