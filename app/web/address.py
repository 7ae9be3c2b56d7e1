"""The address a page was opened under, against the configured public URL.

The live socket accepts browsers only when their ``Origin`` is ``ATELIER_PUBLIC_URL`` or one of
``ATELIER_ALLOWED_ORIGINS`` (:func:`app.origins.origin_accepted`, used by
:func:`app.realtime.endpoint.origin_allowed`). A phone or beamer computer that opened the app
under another name (the laptop's IP address, ``localhost``, an old host name) would therefore
show "Reconnecting…" for ever. The pages that open a socket check the address first and, when it
is none of those, say so and link the public address (:func:`misdirected`). ``atelier serve
--lan`` adds the laptop's address on the local network to the allowed origins, so the address
phones scan, a host name and the public URL can all be right at once.

Only the host name and port are compared, not the scheme: behind a TLS proxy that is not in
``ATELIER_TRUSTED_PROXIES`` the app sees ``http`` while the browser used ``https``, and that
must not make every page complain. The proxy must pass the browser's ``Host`` header (nginx:
``proxy_set_header Host $host;``) or ``X-Forwarded-Host``. A forged header can only fool the
browser that sends it, so it needs no trust. When ``ATELIER_PUBLIC_URL`` is not set
(development on one laptop), nothing is checked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from app.deps import SettingsDep
from app.origins import host_port, opened_host, opened_origin, origin_accepted
from app.settings import Settings
from app.web.render import render

router = APIRouter(include_in_schema=False)


def configured(settings: Settings) -> bool:
    """``ATELIER_PUBLIC_URL`` was set, by environment or by the code that made the settings."""
    return "public_url" in settings.model_fields_set


def misdirected(request: Request, settings: Settings) -> str | None:
    """The public address of this same page when it was opened under a host that is neither
    the public one nor an allowed origin's, else None.

    The query string is kept (``?lang=``); the fragment never reaches the server.
    """
    if not configured(settings):
        return None
    public = urlsplit(settings.public_url)
    if host_port(public.netloc, public.scheme) is None:
        return None
    if opened_origin(request, settings) is not None:
        return None
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{settings.public_url.rstrip('/')}{request.url.path}{query}"


def same_site_post(request: Request, settings: Settings) -> bool:
    """A form post came from one of our own pages (defence in depth beside the CSRF token).

    Browsers send ``Origin`` with every POST; it must be an accepted origin (the public one or
    an allowed one) or this request's own. Clients without ``Origin`` (scripts, old browsers)
    rely on the CSRF token alone.
    """
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin_accepted(origin, settings):
        return True
    own = f"{request.url.scheme}://{opened_host(request)}".lower()
    return origin.rstrip("/").lower() == own


def wrong_host_page(
    request: Request, settings: Settings, *, screen: bool = False
) -> Response | None:
    """The page that says where to go instead (400), or None when the address is right.

    ``screen``: a projector page; its token stays behind in the fragment, so it links the
    pairing page at the right address rather than the same page.
    """
    right = misdirected(request, settings)
    if right is None:
        return None
    if screen:
        right = f"{settings.public_url.rstrip('/')}/screen"
    return render(
        request,
        "wrong_host.html",
        settings,
        status_code=400,
        opened=opened_host(request),
        right_url=right,
        public_host=urlsplit(settings.public_url).netloc,
        screen=screen,
    )


def _own_path(value: str) -> str:
    """``value`` when it is a path on this site (``/w/3?lang=en``), else ``/``."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/address", response_class=HTMLResponse)
def address_page(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    """Where a page goes when its live socket was refused for its address (close 4012,
    ``app/static/js/socket.js``): the page that says which address to open, whether or not
    ``ATELIER_PUBLIC_URL`` was set. Shown even when the host and port look right: the socket
    also compares the scheme (a browser on ``http://`` where the public URL is ``https://``),
    and sending the browser back would loop."""
    path = _own_path(next)
    screen = path.startswith("/screen")
    right = settings.public_url.rstrip("/") + ("/screen" if screen else path)
    return render(
        request,
        "wrong_host.html",
        settings,
        opened=opened_host(request),
        right_url=right,
        public_host=urlsplit(settings.public_url).netloc,
        screen=screen,
    )
