"""Signed facilitator sessions and CSRF tokens.

The session cookie holds only a signed facilitator id (itsdangerous, timestamped, so it expires).
CSRF uses the signed double-submit pattern: a random ``atelier_csrf`` cookie, and a token that is
its HMAC under the secret key, sent back in a form field or the ``X-CSRF-Token`` header. A page on
another site can neither read the cookie nor compute the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.settings import Settings

SESSION_COOKIE = "atelier_session"
CSRF_COOKIE = "atelier_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="facilitator-session")


def sign_session(settings: Settings, facilitator_id: int) -> str:
    return _serializer(settings).dumps({"f": facilitator_id})


def facilitator_id_from_session(settings: Settings, value: str | None) -> int | None:
    """The facilitator id in a session cookie, or ``None`` if it is missing, forged or expired."""
    if not value:
        return None
    try:
        data = _serializer(settings).loads(value, max_age=settings.session_max_age_days * 86_400)
    except BadSignature:
        return None
    facilitator_id = data.get("f") if isinstance(data, dict) else None
    return facilitator_id if isinstance(facilitator_id, int) else None


def set_session_cookie(response: Response, settings: Settings, facilitator_id: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(settings, facilitator_id),
        max_age=settings.session_max_age_days * 86_400,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)


def csrf_token_for(settings: Settings, cookie_value: str) -> str:
    return hmac.new(settings.secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def ensure_csrf_cookie(request: Request, response: Response, settings: Settings) -> str:
    """Return the CSRF token for this browser, setting its cookie first if it has none."""
    value = request.cookies.get(CSRF_COOKIE)
    if not value:
        value = secrets.token_urlsafe(32)
        response.set_cookie(
            CSRF_COOKIE, value, httponly=True, secure=settings.secure_cookies, samesite="lax"
        )
    return csrf_token_for(settings, value)


async def check_csrf(request: Request, settings: Settings) -> None:
    """Refuse a state-changing request whose token does not match its CSRF cookie (403)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not cookie or not sent or not hmac.compare_digest(sent, csrf_token_for(settings, cookie)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Missing or invalid CSRF token.")
