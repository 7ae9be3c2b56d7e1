"""Cookie names, the facilitator's session cookie, and CSRF tokens bound to the session.

The session cookie carries a random session id, signed (itsdangerous) so garbage never reaches
the database; whether the session still counts is decided by its row (:mod:`app.accounts.sessions`),
so logout, a password change or a disabled account end it at once.

CSRF: the token a page gets is an HMAC, under the secret key, of the session id when logged in,
else of a random pre-session cookie. So a token works only with the session (or the pre-login
browser) it was made for: a token from one session is refused in another, and logging in starts
with a fresh token. The token goes back in a form field or the ``X-CSRF-Token`` header.

Cookie names are decided here and nowhere else: on https they get the ``__Host-`` prefix, which
browsers only accept when Secure, for Path=/ and without Domain, so no sibling subdomain can plant
or overwrite them. On plain http (development, or the laptop's address on the local network
beside an https public URL) the prefix would be refused, so the plain names. Which applies is
decided per browser, by the address it came in under (:func:`app.origins.secure_connection`);
a cookie set on one address is never read on the other (browsers keep them per host anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal

from fastapi import HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection

from app.origins import secure_connection
from app.settings import Settings

SESSION_COOKIE = "atelier_session"
CSRF_COOKIE = "atelier_csrf"
#: Set after a successful login; lets this browser past the per-address login limit.
DEVICE_COOKIE = "atelier_device"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
HOST_PREFIX = "__Host-"


def _decided(connection: HTTPConnection, settings: Settings, name: str) -> tuple[str, bool]:
    """Cookie ``name`` as this browser gets it: its name, and whether it is Secure."""
    secure = secure_connection(connection, settings)
    return (HOST_PREFIX + name if secure else name), secure


def cookie_name(connection: HTTPConnection, settings: Settings, name: str) -> str:
    """The name to use for cookie ``name``: ``__Host-`` prefixed on https, plain on http."""
    return _decided(connection, settings, name)[0]


def set_cookie(
    response: Response,
    connection: HTTPConnection,
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    """Set a HttpOnly cookie for the whole site, under its decided name; SameSite=Lax unless
    only the site's own pages may send it (``strict``)."""
    decided, secure = _decided(connection, settings, name)
    response.set_cookie(
        decided,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=secure,
        samesite=samesite,
    )


def delete_cookie(
    response: Response, connection: HTTPConnection, settings: Settings, name: str
) -> None:
    decided, secure = _decided(connection, settings, name)
    response.delete_cookie(decided, path="/", httponly=True, secure=secure, samesite="lax")


# ----------------------------------------------------------------------------- session cookie


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="facilitator-session")


def sign_session_id(settings: Settings, session_id: str) -> str:
    return _serializer(settings).dumps(session_id)


def session_id_from_cookie(settings: Settings, value: str | None) -> str | None:
    """The session id in a cookie value, or ``None`` if missing or forged (no database needed)."""
    if not value:
        return None
    try:
        session_id = _serializer(settings).loads(value)
    except BadSignature:
        return None
    return session_id if isinstance(session_id, str) and session_id else None


def session_id_of(connection: HTTPConnection, settings: Settings) -> str | None:
    return session_id_from_cookie(
        settings, connection.cookies.get(cookie_name(connection, settings, SESSION_COOKIE))
    )


def set_session_cookie(
    response: Response, connection: HTTPConnection, settings: Settings, session_id: str
) -> None:
    """A session cookie for the browser; it lives as long as the session may (the row decides)."""
    set_cookie(
        response,
        connection,
        settings,
        SESSION_COOKIE,
        sign_session_id(settings, session_id),
        max_age=settings.session_max_age_days * 86_400,
    )


def clear_session_cookie(
    response: Response, connection: HTTPConnection, settings: Settings
) -> None:
    delete_cookie(response, connection, settings, SESSION_COOKIE)


def facilitator_id_from_session(connection: HTTPConnection) -> int | None:
    """The logged-in facilitator of a request or WebSocket, or ``None``.

    One indexed lookup of the session row (it must exist, be neither expired nor idle too long,
    and belong to an enabled account). The answer is kept on the connection, so the several
    dependencies of one request ask the database once. Blocking: call it from a worker thread
    (FastAPI does so for sync dependencies; async code uses ``to_thread.run_sync``).
    """
    cached: tuple[int | None] | None = getattr(connection.state, "facilitator_session", None)
    if cached is not None:
        return cached[0]
    from app.accounts.sessions import facilitator_for_session

    settings: Settings = connection.app.state.settings
    session_id = session_id_of(connection, settings)
    facilitator_id = (
        None
        if session_id is None
        else facilitator_for_session(connection.app.state.engine, settings, session_id)
    )
    connection.state.facilitator_session = (facilitator_id,)
    return facilitator_id


def resolved_facilitator(connection: HTTPConnection) -> int | None:
    """The facilitator :func:`facilitator_id_from_session` already found for this request, or
    ``None`` when it found none or was not asked: never a database look-up, so safe in async
    code. A page that needs a login has asked (its dependency); a public page has not.
    """
    cached: tuple[int | None] | None = getattr(connection.state, "facilitator_session", None)
    return None if cached is None else cached[0]


# ----------------------------------------------------------------------------- CSRF


def _csrf_binding(request: Request, settings: Settings) -> str | None:
    """What this browser's token is bound to: its session id, else its pre-session cookie."""
    session_id = session_id_of(request, settings)
    if session_id is not None:
        return "session:" + session_id
    pre_session = request.cookies.get(cookie_name(request, settings, CSRF_COOKIE))
    return "pre-session:" + pre_session if pre_session else None


def csrf_token_for(settings: Settings, binding: str) -> str:
    return hmac.new(settings.secret_key.encode(), binding.encode(), hashlib.sha256).hexdigest()


def ensure_csrf_cookie(request: Request, response: Response, settings: Settings) -> str:
    """The CSRF token for this browser; sets a pre-session cookie first if it needs one."""
    binding = _csrf_binding(request, settings)
    if binding is None:
        value = secrets.token_urlsafe(32)
        set_cookie(response, request, settings, CSRF_COOKIE, value)
        binding = "pre-session:" + value
    return csrf_token_for(settings, binding)


async def check_csrf(request: Request, settings: Settings) -> None:
    """Refuse a state-changing request whose token was not made for its session (403)."""
    binding = _csrf_binding(request, settings)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not binding or not sent or not hmac.compare_digest(sent, csrf_token_for(settings, binding)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Missing or invalid CSRF token.")
