"""Who is asking: the one client address every limiter keys on.

The app never parses ``X-Forwarded-For`` itself. uvicorn does, and only for connections from the
addresses in ``ATELIER_TRUSTED_PROXIES`` (its ``forwarded_allow_ips``, set in :mod:`app.cli`);
from anyone else the header is ignored. So by the time a request reaches the app,
``request.client.host`` is already the right address: the peer, or the address a trusted proxy
vouched for. Keeping this in one function means no limiter can be tricked by a header that
another limiter ignores.
"""

from __future__ import annotations

import re
import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from app.accounts.security import cookie_name, set_cookie
from app.settings import Settings


def client_address(request: Request | WebSocket) -> str:
    """The caller's address as uvicorn resolved it; ``"unknown"`` without a socket peer.

    Works for HTTP requests and WebSockets alike, so socket limiters key on the same address.
    """
    client = request.client
    return client.host if client is not None and client.host else "unknown"


#: A random id per phone browser, set when it joins a workshop. It outlives leaving and
#: re-joining (the participant cookie does not), so per-person limits such as the photo quota
#: follow the phone, not the participant row. It never leaves the server in readable form:
#: see :func:`app.images.quota.device_tag`. (Not ``atelier_device``: that name is the
#: facilitator's known-browser cookie, :data:`app.accounts.security.DEVICE_COOKIE`.)
PHONE_COOKIE = "atelier_phone"
_DEVICE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def device_id(request: Request | WebSocket, settings: Settings) -> str | None:
    """The browser's device id, if it has a well-formed one."""
    value = request.cookies.get(cookie_name(request, settings, PHONE_COOKIE), "")
    return value if _DEVICE_PATTERN.match(value) else None


def remember_device(request: Request, response: Response, settings: Settings) -> None:
    """Give a joining browser a device id, unless it has one already."""
    if device_id(request, settings) is None:
        set_cookie(
            response,
            request,
            settings,
            PHONE_COOKIE,
            secrets.token_urlsafe(18),
            max_age=60 * 60 * 24 * 60,
        )
