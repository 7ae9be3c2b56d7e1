"""Liveness and readiness: real servers, a real Redis that goes away, a database that is dropped."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from app.main import create_app
from tests.accounts.factories import make_settings
from tests.accounts.web import browser
from tests.observability.scrape import scrape
from tests.support.databases import POSTGRES_ADMIN, postgres_database
from tests.support.redis import RedisServer
from tests.support.server import Server, free_port

pytestmark = pytest.mark.anyio


def readyz(server: Server) -> httpx.Response:
    return httpx.get(f"{server.url}/readyz", timeout=10)


def wait_for_status(server: Server, status: int, timeout: float = 15.0) -> httpx.Response:
    """``/readyz`` until it says ``status`` (a PostgreSQL listener connects just after start)."""
    deadline = time.monotonic() + timeout
    while True:
        response = readyz(server)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_liveness_answers_ok(server: Server):
    response = httpx.get(f"{server.url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_on_the_test_database(server: Server):
    response = wait_for_status(server, 200)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok"
    assert "redis" not in body["checks"]  # not configured, not checked
    assert set(body["checks"].values()) == {"ok"}
    assert response.headers["cache-control"] == "no-store"


def test_degraded_but_ready_when_nothing_listens_at_the_redis_address(
    make_server: Callable[..., Server],
):
    port = free_port()  # bound and released: nothing listens there
    server = make_server(ATELIER_REDIS_URL=f"redis://:hunter2-secret@127.0.0.1:{port}/0")
    server.start()
    response = readyz(server)
    assert response.status_code == 200, "Redis is not needed to serve a room"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["redis"]
    assert "failed" not in body
    assert body["checks"]["redis"] in ("failed", "timeout")
    assert body["checks"]["database"] == "ok"
    # Which check failed, and nothing about where or why: no address, no password.
    assert "hunter2" not in response.text and str(port) not in response.text
    assert "redis://" not in response.text


def test_a_redis_outage_degrades_and_heals(make_server: Callable[..., Server], tmp_path: Path):
    """A real Redis stopped under a running server: still ready, degraded, and whole again."""
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    try:
        server = make_server(ATELIER_REDIS_URL=redis_server.url)
        server.start()
        ready = wait_for_status(server, 200)
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready" and ready.json()["checks"]["redis"] == "ok"
        assert scrape(server).value("atelier_dependency_up", dependency="redis") == 1

        redis_server.kill()
        gone = readyz(server)
        assert gone.status_code == 200, gone.text
        assert gone.json()["status"] == "degraded"
        assert gone.json()["degraded"] == ["redis"]
        assert scrape(server).value("atelier_dependency_up", dependency="redis") == 0
        assert scrape(server).value("atelier_dependency_up", dependency="database") == 1
        assert "degraded: the redis check failed" in server.log()
        # A newcomer still gets in: the join page and a workshop's API answer.
        assert httpx.get(f"{server.url}/join", timeout=10).status_code == 200

        redis_server.start()  # the same port, empty, as a restarted cache
        back = readyz(server)
        assert back.status_code == 200
        assert back.json()["status"] == "ready", back.text
        assert scrape(server).value("atelier_dependency_up", dependency="redis") == 1
        assert "whole again: the redis check passes" in server.log()
    finally:
        redis_server.stop()


def test_not_ready_when_the_database_is_dropped(tmp_path: Path):
    """PostgreSQL (whatever ATELIER_TEST_DATABASE says): the database disappears under a server."""
    with postgres_database() as url:
        server = Server(data_dir=tmp_path, database_url=url)
        try:
            server.start()
            ready = wait_for_status(server, 200)
            assert ready.status_code == 200, ready.text
            name = url.rsplit("/", 1)[1]
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            response = readyz(server)
            assert response.status_code == 503, response.text
            body = response.json()
            assert "database" in body["failed"]
            assert body["checks"]["database"] in ("failed", "timeout")
            assert name not in response.text and "postgresql" not in response.text
            assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        finally:
            server.stop()


async def _ready_in_process(client: httpx.AsyncClient) -> httpx.Response:
    deadline = time.monotonic() + 15
    while True:
        response = await client.get("/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.1)


async def test_not_ready_from_the_moment_shutdown_begins(tmp_path: Path, db_url: str):
    app = create_app(make_settings(tmp_path, db_url))
    during: list[httpx.Response] = []
    async with browser(app) as client:
        async with app.router.lifespan_context(app):
            ready = await _ready_in_process(client)
            assert ready.status_code == 200, ready.text
            hub = app.state.hub
            close = hub.close

            async def close_after_looking() -> None:
                during.append(await client.get("/readyz"))
                await close()

            hub.close = close_after_looking
        assert during, "the hub is closed during shutdown"
        assert during[0].status_code == 503
        assert during[0].json()["failed"] == ["shutdown"]
        assert (await client.get("/healthz")).status_code == 200


async def test_not_ready_when_the_broker_says_so(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
):
    app = create_app(make_settings(tmp_path, db_url))
    async with browser(app) as client, app.router.lifespan_context(app):
        assert (await _ready_in_process(client)).status_code == 200
        broker: Any = app.state.hub.broker
        monkeypatch.setattr(broker, "healthy", lambda: False)
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["failed"] == ["broker"]
        assert response.json()["checks"] == {"database": "ok", "broker": "failed"}


def test_probes_and_metrics_are_not_in_the_api_schema(tmp_path: Path):
    app = create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'a.db'}"))
    paths = app.openapi()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)
