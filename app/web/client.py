"""Who is asking: the one client address, and the one key every per-address limit counts under.

The app never parses ``X-Forwarded-For`` itself. uvicorn does, and only for connections from the
addresses in ``ATELIER_TRUSTED_PROXIES`` (its ``forwarded_allow_ips``, set in :mod:`app.cli`);
from anyone else the header is ignored. So by the time a request reaches the app,
``request.client.host`` is already the right address: the peer, or the address a trusted proxy
vouched for. Keeping this in one function means no limiter can be tricked by a header that
another limiter ignores.

Per-address limits (wrong join and pairing codes, joins, wrong passwords, sockets that have not
said ``hello``) count under :func:`address_key`, not the address itself: an IPv6 address by
its /64. One IPv6 subscriber, phone or server usually gets a whole /64 (2**64 addresses) and
may use any address in it, so counting exact addresses would give one guesser as many tries as
it has addresses. An IPv4 address is one key: a town hall or a school behind one NAT address is
one key whichever way it is counted, and the limits are sized for that (``docs/security.md``,
"Flooding and lockout").
"""

from __future__ import annotations

import ipaddress
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


#: The IPv6 prefix one key stands for: what a subscriber, phone or server is usually given.
IPV6_PREFIX = 64


def address_key(address: str) -> str:
    """The key an address counts under in every per-address limit.

    IPv6 by its /64 (``2001:db8:1:2::/64``); an IPv4-mapped IPv6 address (``::ffff:192.0.2.7``,
    as a dual-stack socket reports IPv4 peers) as the IPv4 address it is; IPv4 as it is.
    Anything that is not an address (``"unknown"``, a test client's name) stays itself.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone (fe80::1%eth0)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def client_key(request: Request | WebSocket) -> str:
    """The caller's :func:`address_key`: what the per-address limits count this request under."""
    return address_key(client_address(request))


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
