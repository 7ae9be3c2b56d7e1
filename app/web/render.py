"""Rendering a page: the language, the CSRF token, and for a page with a script its catalog and
the workshop's vocabulary (``app/web/vocabulary.py``), in one place."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from app import labels
from app.accounts.security import ensure_csrf_cookie
from app.i18n import LANGUAGE_NAMES, pick_language, script_catalog, translations
from app.settings import Settings
from app.templating import templates
from app.web.vocabulary import vocabulary

LANGUAGE_COOKIE = "atelier_lang"


def request_language(request: Request, fallback: str | None = None) -> str:
    """``?lang=`` first, then the person's cookie, then the workshop's language, then Dutch."""
    return pick_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE), fallback
    )


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
    """Render ``template`` in the request's language, with a CSRF token for its forms."""
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
        script_catalog=json_for_script(script_catalog(language, page_script)),
        vocabulary=json_for_script(vocabulary(language)) if page_script else None,
        **context,
    )
    response.body = response.render(body)
    response.headers["content-length"] = str(len(response.body))
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86_400, samesite="lax")
    return response


def json_for_script(data: object) -> Markup:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` breakout)."""
    return Markup(
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
