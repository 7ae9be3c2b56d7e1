"""The API's interactive docs (Swagger UI) at ``/api/docs``, served from local files.

Swagger UI's files come from the ``fastapi-offline`` package, so the docs never load from a CDN;
the app turns them off in production.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"


def add_api_docs(app: FastAPI) -> None:
    """Swagger UI at ``/api/docs`` from local files (development only).

    FastAPI's page starts Swagger UI with one inline script, which the app's CSP forbids; this
    page's own CSP allows exactly that script by its hash, and nothing else inline.
    """
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Opgave Atelier — API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )
        html = bytes(page.body).decode()
        hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
            for script in re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        )
        csp = (
            f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})
