"""The one Jinja2 environment for server-rendered pages."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.web.static import inline_icon, static_url

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
#: ``{{ static("app.css") }}``: every page links static files by their versioned address.
templates.env.globals["static"] = static_url
templates.env.globals["icon"] = inline_icon()
