"""Rendering a page: the language, the CSRF token, and for a page with a script its catalog and
the workshop's vocabulary (``app/web/vocabulary.py``), in one place."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from app import labels
from app.accounts.security import ensure_csrf_cookie, resolved_facilitator
from app.i18n import (
    LANGUAGE_NAMES,
    imported_scripts,
    pick_language,
    script_catalog,
    translations,
)
from app.settings import Settings
from app.templating import templates
from app.version import VERSION
from app.web.vocabulary import vocabulary

LANGUAGE_COOKIE = "atelier_lang"
#: Pages of the room, for participants and the projector: never the version in their footer,
#: even in a browser where a facilitator is signed in (the projector is often a window of the
#: facilitator's own laptop). The version helps a facilitator report a problem; to anyone else
#: it only tells which known weaknesses might apply.
ROOM_PAGES = frozenset(
    {"participant.html", "projector.html", "join.html", "join_code.html", "screen_pair.html"}
)


def request_language(
    request: Request, fallback: str | None = None, *, browser: bool = False
) -> str:
    """``?lang=`` first, then the person's cookie (the language switch), then (``browser``:
    the phone's own pages) the browser's languages, then the workshop's language, then Dutch.

    A resident whose phone is set to English gets the join form and the room in English
    without looking for the switch; the projector and the exports keep the workshop's.
    """
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        *(browser_languages(request.headers.get("accept-language", "")) if browser else ()),
        fallback,
    )


def browser_languages(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header we speak, most wanted first (``q=0``
    means "not this one"; a malformed weight counts as 0)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        language = pick_language(tag.strip()) if tag.strip() not in ("", "*") else None
        if weight > 0 and language is not None and tag.split("-")[0].strip().lower() == language:
            ranked.append((-weight, position, language))
    return list(dict.fromkeys(language for _, _, language in sorted(ranked)))


def render(
    request: Request,
    template: str,
    settings: Settings,
    *,
    status_code: int = 200,
    language: str | None = None,
    page_script: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the request's language, with a CSRF token for its forms.

    ``page_script``: the page's script; the page then carries the translations of the strings
    that script and the modules it imports show, and no others (a phone no console strings),
    and preloads those modules (``page_modules``). A page without a script carries none.
    """
    language = language or request_language(request)
    response = HTMLResponse("", status_code=status_code)
    csrf_token = ensure_csrf_cookie(request, response, settings)
    catalog = translations(language)
    body = templates.get_template(template).render(
        request=request,
        csrf_token=csrf_token,
        lang=language,
        languages=LANGUAGE_NAMES,
        labels=labels,
        _=catalog.gettext,
        ngettext=catalog.ngettext,
        script_catalog=json_for_script(script_catalog(language, page_script))
        if page_script
        else None,
        page_modules=imported_scripts(page_script) if page_script else (),
        vocabulary=json_for_script(vocabulary(language)) if page_script else None,
        theme=settings.theme,  # the organisation's name, logo and colours (app/theme.py)
        app_version=version_for(request, template),
        **context,
    )
    response.body = response.render(body)
    response.headers["content-length"] = str(len(response.body))
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86_400, samesite="lax")
    return response


def version_for(request: Request, template: str) -> str | None:
    """The release's version for the footer of a page a facilitator is signed in to (one whose
    route asked who is signed in); ``None`` for everyone else and on the room's pages."""
    if template in ROOM_PAGES or resolved_facilitator(request) is None:
        return None
    return VERSION


def json_for_script(data: object) -> Markup:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` breakout)."""
    return Markup(
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
