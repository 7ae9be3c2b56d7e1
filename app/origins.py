"""The addresses the app is served under: ``ATELIER_PUBLIC_URL`` and ``ATELIER_ALLOWED_ORIGINS``.

One room can be reached under several origins at once: the public name (often ``https://``
behind a TLS proxy), the laptop's address on the local network (``http://192.168.1.20:8000``,
see ``atelier serve --lan``), a host name. Which of them a request or socket came in under
decides what the live socket accepts (:func:`origin_accepted`), which pages say "open the
right address" (:mod:`app.web.address`) and how cookies are set (:func:`secure_connection`).

Host names and ports are compared, not the scheme the app sees: behind a TLS proxy that is not
in ``ATELIER_TRUSTED_PROXIES`` the app sees ``http`` while the browser used ``https``. The
scheme is taken from the configured origin the browser's host and port match.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from app.settings import DEFAULT_PORTS, Settings, normalised_origin


def host_port(netloc: str, scheme: str) -> tuple[str, int] | None:
    """``(host, port)`` of ``netloc``, lower case and with the scheme's default port filled in."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:  # a malformed port or bracket in a header
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower().rstrip("."), port or DEFAULT_PORTS.get(scheme, 80)


def opened_host(connection: HTTPConnection) -> str:
    """The host (and port) the browser asked for, as it would show it in the address bar."""
    forwarded = connection.headers.get("x-forwarded-host", "").split(",")[0].strip()
    return forwarded or connection.headers.get("host", "")


def accepted_origins(settings: Settings) -> frozenset[str]:
    """The public origin and ``ATELIER_ALLOWED_ORIGINS`` (already normalised by the settings)."""
    origins = {settings.public_origin, *settings.allowed_origins}
    with suppress(ValueError):  # https://x:443 is https://x
        origins.add(normalised_origin(settings.public_origin))
    return frozenset(origins)


def origin_accepted(origin: str, settings: Settings) -> bool:
    """A browser's ``Origin`` header names one of :func:`accepted_origins` (``null`` does not)."""
    try:
        return normalised_origin(origin) in accepted_origins(settings)
    except ValueError:
        return False


def opened_origin(connection: HTTPConnection, settings: Settings) -> str | None:
    """The accepted origin whose host and port this request or socket was opened under, or None.

    Should one host and port be configured with both schemes, ``https`` wins.
    """
    opened = opened_host(connection)
    for origin in sorted(accepted_origins(settings), key=lambda o: not o.startswith("https:")):
        parts = urlsplit(origin)
        want = host_port(parts.netloc, parts.scheme)
        if want is not None and host_port(opened, parts.scheme) == want:
            return origin
    return None


def secure_connection(connection: HTTPConnection, settings: Settings) -> bool:
    """Whether cookies for this browser are ``Secure`` (and ``__Host-`` named).

    By the origin it came in under: a phone on the laptop's plain-http address must get cookies
    it can keep, even when the public URL is ``https://``; browsers refuse a ``Secure`` cookie
    over http. A browser on an ``https`` origin gets them secure whatever scheme the app sees.
    An address that matches no origin (development without a public URL, a misdirected page)
    follows the public URL.
    """
    if connection.url.scheme in ("https", "wss"):
        return True
    origin = opened_origin(connection, settings)
    if origin is None:
        return settings.secure_cookies
    return origin.startswith("https://")
