"""The accessibility statement (``/toegankelijkheid``): how accessible the app is, and how that
is known.

Dutch public bodies publish one for every website and app (the model statement's parts: which
pages, the standard, the status, what was tested and how, known limitations, contact). This page
gives those parts for the app itself, and says only what this repository's tests actually check
(``tests/web``): what they do not check is listed as a limitation, and the status is "partly
meets", because no independent audit has been done. The contact is the operator's own
(``ATELIER_PRIVACY_ORGANISATION`` and ``ATELIER_PRIVACY_CONTACT``, the people who answer for the
installation), so the page needs no setting of its own.

Public, no sign-in: people read it before or while they take part. ``/accessibility`` leads to
the same page in English.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from babel.dates import format_date
from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import SettingsDep
from app.web.privacy import contact_href
from app.web.render import render, request_language

router = APIRouter(include_in_schema=False, tags=["accessibility"])

#: The statement's address, linked from every page's footer (``base.html``).
STATEMENT_PATH: Final = "/toegankelijkheid"
#: When the statement was last checked against the tests it describes. Change it with them.
CHECKED_ON: Final = date(2026, 12, 7)
#: The screen sizes the browser tests use (width × height in CSS pixels), per kind of screen:
#: ``tests/web/pages.py`` and the ``*_at_size`` tests. The statement names them.
TESTED_SIZES: Final = {
    "phone": ((360, 740), (390, 844)),
    "laptop": ((1280, 900), (1366, 900), (1440, 900)),
    "projector": ((1024, 768), (1280, 720), (1920, 1080)),
}


def sizes_text(kind: str) -> str:
    """``360 × 740, 390 × 844``: the sizes of one kind of screen, for the statement."""
    return ", ".join(f"{width} × {height}" for width, height in TESTED_SIZES[kind])


@router.get(STATEMENT_PATH, response_class=HTMLResponse)
def accessibility_statement(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Public, no login: anyone may want to know before taking part."""
    language = request_language(request)
    return render(
        request,
        "accessibility.html",
        settings,
        language=language,
        organisation=settings.privacy_organisation.strip(),
        contact=settings.privacy_contact.strip(),
        contact_href=contact_href(settings.privacy_contact),
        checked_on=format_date(CHECKED_ON, format="long", locale=language),
        sizes={kind: sizes_text(kind) for kind in TESTED_SIZES},
    )


@router.get("/accessibility")
def accessibility_in_english() -> RedirectResponse:
    """The English name of the page: the statement, in English (the language switch remembers)."""
    return RedirectResponse(f"{STATEMENT_PATH}?lang=en", status.HTTP_308_PERMANENT_REDIRECT)
