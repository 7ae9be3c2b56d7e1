"""``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus).

- ``/healthz`` answers from the event loop itself: 200 ``{"status": "ok"}`` as long as the loop
  runs. It checks nothing else, so a database outage never gets a healthy process restarted.
- ``/readyz`` is 200 when this process can serve a room: the database answers ``SELECT 1`` and
  the broker says it is healthy (when it can tell: ``healthy()``). Else 503, naming the checks
  that failed and nothing more — no addresses, no error texts (those go to the log, once per
  change). It is 503 from the moment shutdown begins, so a load balancer sends no new sockets to
  a process that is leaving.
- Redis (when ``ATELIER_REDIS_URL`` is set) is checked too, but it is not needed to serve a room:
  without it presence and the rate limits are counted per process. So Redis gone is *degraded*:
  still 200, with ``"status": "degraded"`` and ``"degraded": ["redis"]`` in the body. A proxy
  that took every process out of rotation for a Redis outage would shut newcomers out of rooms
  that work. ``atelier_dependency_up{dependency=…}`` in ``/metrics`` says the same per check.
- ``/metrics`` answers loopback and private addresses only, or, with ``ATELIER_METRICS_TOKEN``
  set, only requests that carry ``Authorization: Bearer <token>``.

None of them is in the OpenAPI schema. :func:`install` adds them and the HTTP request counter.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Final

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import metrics
from app.settings import Settings
from app.web.client import client_address

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

#: Each readiness check gets this long; a load balancer's probe typically waits a few seconds.
CHECK_TIMEOUT: Final = 2.0
#: Checks whose failure leaves the process serving rooms (in a lesser way): degraded, not unready.
OPTIONAL: Final = frozenset({"redis"})
#: Headers a reverse proxy adds. Without ATELIER_TRUSTED_PROXIES uvicorn ignores them, and the
#: peer address is then the proxy's own (often 127.0.0.1), which says nothing about the caller.
FORWARDING_HEADERS: Final = ("forwarded", "x-forwarded-for", "x-real-ip")
NO_STORE: Final = {"Cache-Control": "no-store"}


# --------------------------------------------------------------------------- liveness


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive: the event loop answers (``async``: served on the loop, not in a worker thread)."""
    return {"status": "ok"}


# --------------------------------------------------------------------------- readiness


class CheckFailed(Exception):
    """A readiness check that answered, but not well."""


class Readiness:
    """The readiness checks of one app, and whether its shutdown has begun."""

    def __init__(self) -> None:
        self.shutting_down = False
        #: Held while a database probe runs: a probe stuck on a hanging server makes later probes
        #: fail at once instead of piling up threads behind it.
        self._database_busy = threading.Lock()
        self._failing: set[str] = set()

    async def report(self, app: FastAPI) -> tuple[bool, dict[str, Any]]:
        """Whether the process is ready, and the body that says so."""
        if self.shutting_down:
            return False, {
                "status": "shutting down",
                "failed": ["shutdown"],
                "checks": {"shutdown": "in progress"},
            }
        state = app.state
        checks: dict[str, Callable[[], Awaitable[None]]] = {}
        engine: Engine | None = getattr(state, "engine", None)
        checks["database"] = lambda: self._database(engine)
        settings: Settings | None = getattr(state, "settings", None)
        if settings is not None and settings.redis_url:
            url = settings.redis_url
            checks["redis"] = lambda: _redis(url)
        hub = getattr(state, "hub", None)
        healthy = getattr(getattr(hub, "broker", None), "healthy", None)
        if healthy is not None:
            checks["broker"] = lambda: _broker(healthy)
        names = list(checks)
        results = await asyncio.gather(*(self._run(name, checks[name]) for name in names))
        outcome = dict(zip(names, results, strict=True))
        for name, result in outcome.items():
            metrics.dependency_up(name, up=result == "ok")
        return verdict(outcome)

    async def _run(self, name: str, check: Callable[[], Awaitable[None]]) -> str:
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT)
        except TimeoutError:
            self._changed(name, failing=True, why=f"no answer within {CHECK_TIMEOUT:g} s")
            return "timeout"
        except Exception as exc:
            self._changed(name, failing=True, why=f"{type(exc).__name__}: {str(exc)[:300]}")
            return "failed"
        self._changed(name, failing=False, why="")
        return "ok"

    def _changed(self, name: str, *, failing: bool, why: str) -> None:
        """Log a check's failure once when it starts failing, and once when it recovers."""
        if failing and name not in self._failing:
            self._failing.add(name)
            what = "degraded" if name in OPTIONAL else "not ready"
            log.warning("%s: the %s check failed (%s)", what, name, why)
        elif not failing and name in self._failing:
            self._failing.discard(name)
            again = "whole" if name in OPTIONAL else "ready"
            log.info("%s again: the %s check passes", again, name)

    async def _database(self, engine: Engine | None) -> None:
        if engine is None:
            raise CheckFailed("no engine yet")
        # Abandoned on timeout: the thread finishes (or fails) on its own, holding the lock.
        await to_thread.run_sync(self._select_one, engine, abandon_on_cancel=True)

    def _select_one(self, engine: Engine) -> None:
        """``SELECT 1`` on a pooled connection of the app's engine (pre-pinged on PostgreSQL).

        A raw DB-API connection: no ``BEGIN IMMEDIATE`` on SQLite, so a probe never waits for
        (or holds up) a command's write lock.
        """
        if not self._database_busy.acquire(blocking=False):
            raise CheckFailed("the previous probe has not returned yet")
        try:
            connection = engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                cursor.close()
            finally:
                connection.close()  # back to the pool, rolled back
        finally:
            self._database_busy.release()


def verdict(outcome: dict[str, str]) -> tuple[bool, dict[str, Any]]:
    """Ready or not, and the body, from each check's result (``ok``, ``failed``, ``timeout``).

    A failed optional check (:data:`OPTIONAL`) makes the process *degraded*, still ready.
    """
    failed = [name for name, result in outcome.items() if result != "ok" and name not in OPTIONAL]
    degraded = [name for name, result in outcome.items() if result != "ok" and name in OPTIONAL]
    status = "not ready" if failed else "degraded" if degraded else "ready"
    body: dict[str, Any] = {"status": status, "checks": outcome}
    if failed:
        body["failed"] = failed
    if degraded:
        body["degraded"] = degraded
    return not failed, body


async def _redis(url: str) -> None:
    """``PING`` on a new connection (no retries: the probe's own timeout is the limit)."""
    try:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError as exc:  # pragma: no cover - redis is a dependency
        raise CheckFailed("the redis package is not installed") from exc
    client = Redis.from_url(
        url,
        socket_connect_timeout=CHECK_TIMEOUT,
        socket_timeout=CHECK_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        if not await client.ping():
            raise CheckFailed("no PONG")
    finally:
        await client.aclose()


async def _broker(healthy: object) -> None:
    """The broker's own word (``healthy()``, plain or awaitable, or a ``healthy`` flag)."""
    result = healthy() if callable(healthy) else healthy
    if inspect.isawaitable(result):
        result = await result
    if not result:
        raise CheckFailed("the broker reports it is not connected")


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    readiness: Readiness = request.app.state.readiness
    ready, body = await readiness.report(request.app)
    return JSONResponse(body, status_code=200 if ready else 503, headers=NO_STORE)


def shutting_down(app: FastAPI) -> None:
    """Shutdown begins: readiness says 503 from now on; this process's live gauges end.

    Call first thing in the lifespan's teardown.
    """
    app.state.readiness.shutting_down = True
    metrics.process_exiting()


# --------------------------------------------------------------------------- metrics


def local_address(host: str) -> bool:
    """A loopback or private-network address (IPv4, IPv6, IPv4-mapped IPv6)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # "unknown", a host name
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_private


def metrics_refusal(request: Request, settings: Settings) -> Response | None:
    """Why this request may not read ``/metrics``, as the response to send; ``None``: it may.

    With ``ATELIER_METRICS_TOKEN`` set, the token decides, wherever the request comes from.
    Without it, the caller must be on a loopback or private address as uvicorn resolved it
    (:func:`app.web.client.client_address`) — and a request that came through a proxy whose
    forwarding headers are not trusted is refused, since its peer address is the proxy's.
    """
    token = settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        return JSONResponse(
            {"detail": "A bearer token is required."},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"', **NO_STORE},
        )
    proxied = not settings.trusted_proxies and any(
        name in request.headers for name in FORWARDING_HEADERS
    )
    if proxied or not local_address(client_address(request)):
        return JSONResponse(
            {"detail": "Metrics are served to local and private addresses only."},
            status_code=403,
            headers=NO_STORE,
        )
    return None


@router.get("/metrics")
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus text format, after running the readiness checks.

    The checks set ``atelier_dependency_up`` for this process, so a scrape reads it as it is now
    even where no proxy probes ``/readyz``. Reading the worker files runs in a thread.
    """
    refusal = metrics_refusal(request, request.app.state.settings)
    if refusal is not None:
        return refusal
    readiness: Readiness = request.app.state.readiness
    if not readiness.shutting_down:
        await readiness.report(request.app)
    text = await to_thread.run_sync(metrics.render)
    return Response(text, media_type=metrics.CONTENT_TYPE, headers=NO_STORE)


# --------------------------------------------------------------------------- HTTP requests


class RequestMetrics:
    """Counts HTTP requests by route template, method and status class (pure ASGI).

    The router records the matched route in the scope (:func:`route_template`); a request that
    matched none counts as ``unmatched``, so a scanner probing a thousand paths adds one series.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":  # as in SecurityHeaders: no frame kept per socket
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500  # unless a response starts: an exception reaches the error handler

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        root_path = str(scope.get("root_path", ""))
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            metrics.http_request(route_template(scope, root_path), str(scope.get("method")), status)


def route_template(scope: Scope, root_path: str) -> str:
    """The template of the route that handled a request, after routing; ``unmatched`` if none.

    A mount (``/static``) leaves no route in the scope but extends ``root_path``.
    """
    template = getattr(scope.get("route"), "path", None)
    if isinstance(template, str) and template:
        return template
    mounted = str(scope.get("root_path", ""))
    if mounted != root_path and mounted.startswith(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return "unmatched"


def install(app: FastAPI) -> None:
    """Add ``/healthz``, ``/readyz``, ``/metrics`` and the HTTP request counter to ``app``;
    record the release in ``atelier_build_info``."""
    from app.version import build_info

    metrics.build(build_info())
    app.state.readiness = Readiness()
    app.include_router(router)
    app.add_middleware(RequestMetrics)
