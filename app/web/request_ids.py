"""Request ids: one id per HTTP request, on the response and on every log line it causes.

A reverse proxy (nginx ``$request_id``, Caddy, an ingress) may send its own ``X-Request-ID``; a
sane one is kept, so the proxy's log and ours can be matched line by line. Anything else (too
long, characters outside a small set, several values) is replaced by a fresh id rather than
refused: the header is a convenience, and what a caller writes must never reach the log
unchecked (no line breaks, no markup, bounded length). The id is sent back as ``X-Request-ID``
on every response, so a facilitator who reports an error page can quote it.

Pure ASGI, as the other middleware here: a room socket never passes (``RoomSockets`` hands it
on first), and nothing is kept per request beyond two context variables (:mod:`app.logs`).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import REQUEST_ID, REQUEST_STARTED

HEADER: Final = "X-Request-ID"
#: What an incoming id may be: a UUID, a proxy's hex id, a trace id; nothing that could break a
#: log line or grow it.
SANE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def new_request_id() -> str:
    """A fresh id: 32 hexadecimal characters (a random UUID)."""
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """``value`` when it is a sane id, else a fresh one."""
    if value is not None and SANE.fullmatch(value):
        return value
    return new_request_id()


class RequestIds:
    """Give each HTTP request its id (:func:`accepted_request_id`), for the log and the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = [v for k, v in scope["headers"] if k == b"x-request-id"]
        request_id = accepted_request_id(given[0].decode("latin-1") if len(given) == 1 else None)
        started = REQUEST_STARTED.set(time.perf_counter())
        named = REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)  # uvicorn writes its access line here, in this context

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(named)
            REQUEST_STARTED.reset(started)
