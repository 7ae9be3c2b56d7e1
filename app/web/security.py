"""HTTP hardening as pure ASGI middleware: security headers, and bounded request bodies.

No inline script may run (data for scripts travels in ``type="application/json"`` blocks, which
are not executed), nothing loads from another host, and no other site may frame the app.
Everything but the static files is ``Cache-Control: no-store``: pages, room state, tokens and
photos must not outlive a deleted workshop in a shared browser's cache.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
]


NO_STORE = (b"cache-control", b"no-store")
#: A versioned script or style sheet is no document: a policy for documents (CSP, framing,
#: permissions) does nothing on it, and on slow 3G its 370 bytes, on each of a phone's twenty
#: files, cost a tenth of a second. What matters for a script, nosniff, stays.
SUBRESOURCE_HEADERS = [(b"x-content-type-options", b"nosniff")]
SUBRESOURCE_SUFFIXES = (".js", ".css")
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Pure ASGI middleware (no buffering), so it also passes WebSocket traffic untouched.

    A header the route set itself wins (e.g. the API docs page's own CSP). ``hsts`` is on only
    when the public URL is https in production: HSTS on a plain-http install would lock it out.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts: bool = False,
        cacheable: str = "/static/",
        subresources: str = "/static/v/",
    ) -> None:
        self.app = app
        self.headers = [*HEADERS, HSTS] if hsts else list(HEADERS)
        self.cacheable = cacheable
        self.subresources = subresources

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself: a WebSocket is handed straight on, so a thousand idle sockets
        # do not each keep a suspended frame of this middleware alive.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        defaults = self.headers
        path: str = scope["path"]
        if path.startswith(self.subresources) and path.endswith(SUBRESOURCE_SUFFIXES):
            defaults = SUBRESOURCE_HEADERS
        elif not path.startswith(self.cacheable):
            defaults = [*defaults, NO_STORE]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in defaults if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit.

    An ``HTTPException`` on purpose: FastAPI passes those through its body parsing untouched
    (other errors there become a 400), so the client gets the 413 wherever the body is read.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request is too large (at most {limit} bytes).")
        self.limit = limit


class BodyLimit:
    """Refuse request bodies above a per-route limit before they are read into memory or disk.

    A declared ``Content-Length`` above the limit is answered with 413 at once, without reading
    a byte. Bodies without one (chunked) are counted as they stream in, and the read that passes
    the limit raises :class:`BodyTooLarge`. ``limit_for(method, path)`` picks the limit, so
    uploads may be larger than JSON and form bodies.
    """

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str, str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":  # as in SecurityHeaders: no frame kept per socket
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def too_large_payload(limit: int) -> dict[str, str]:
    """The 413's body, the same however the limit was found: short, and nothing of the input."""
    message = f"The request is too large (at most {limit} bytes)."
    return {"code": "too_large", "message": message, "detail": message}


async def body_too_large_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return JSONResponse(
        too_large_payload(exc.limit), status_code=413, headers={"Connection": "close"}
    )


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(too_large_payload(limit)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *HEADERS,
                NO_STORE,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def upload_aware_limits(
    *, body_bytes: int, upload_bytes: int, upload_path: str = r"^/api/workshops/[^/]+/beelden$"
) -> Callable[[str, str], int]:
    """The limit rule: ``upload_bytes`` for POSTs to the photo upload route, else ``body_bytes``."""
    pattern = re.compile(upload_path)

    def limit_for(method: str, path: str) -> int:
        return upload_bytes if method == "POST" and pattern.match(path) else body_bytes

    return limit_for


def _printable(value: object, limit: int = 100) -> str | int:
    """A loc part safe to serialise: no lone surrogates, and not a whole submitted key."""
    if isinstance(value, int):
        return value
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "…"


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Where and what, never the submitted value: ``input`` and ``ctx`` are dropped.

    Echoing input hands a 200 MB body back to its sender, reflects whatever an attacker chose,
    and crashes on text that is not valid UTF-8 (a lone surrogate in a JSON string).
    """
    return [
        {
            "loc": [_printable(part) for part in error.get("loc", ())],
            "msg": _printable(error.get("msg", ""), 300),
            "type": _printable(error.get("type", ""), 60),
        }
        for error in errors
    ]


async def validation_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": validation_errors(exc.errors())}, status_code=HTTP_422_UNPROCESSABLE_CONTENT
    )
