"""Every route of the app, asked with an id no database column holds: a 4xx, never a 500."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts

from app.main import create_app
from app.settings import Settings
from app.types import MAX_ID
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

HUGE = 2**64  # above 2**63 - 1: overflows SQLite's INTEGER and PostgreSQL's BIGINT
#: Values for path parameters that are not ids (a name, a code, a file extension...).
OTHER_VALUES = {"extension": "md", "table": "cards", "name": "0" * 32 + "-display.jpg"}


def routes(tmp_path: Path) -> list[tuple[str, str, list[str]]]:
    """(method or "WS", path template, its int parameters) for every route with a path param."""
    app = create_app(Settings(data_dir=tmp_path / "enumerate"))
    found: list[tuple[str, str, list[str]]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute | APIWebSocketRoute):
            continue
        params = route.dependant.path_params
        ints = [p.name for p in params if p.field_info.annotation is int]
        if not params:
            continue
        methods = sorted(route.methods or ()) if isinstance(route, APIRoute) else ["WS"]
        found.extend((method, route.path, ints) for method in methods)
    return found


def fill(path: str, value: int) -> str:
    """The path with ``value`` for every id, and a harmless value for the other parameters."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in OTHER_VALUES:
            return OTHER_VALUES[name]
        return str(value) if name.endswith("_id") or name == "number" else "ABCDEF"

    return re.sub(r"\{(\w+)\}", one, path)


# Its hundreds of made-up join codes would meet the tarpit for wrong codes (3 s each after ten a
# minute from one address), which is tested in tests/security/test_joining_behind_one_address.py.
@pytest.mark.own_server(ATELIER_JOIN_WRONG_CODE_DELAY_SECONDS="0")
async def test_no_route_answers_a_huge_id_with_a_server_error(
    server: Server, facilitator: Facilitator, tmp_path: Path
):
    table = routes(tmp_path)
    with_ids = [(m, p) for m, p, ints in table if ints]
    assert len(with_ids) >= 10, table  # the routes that crashed before; a new one joins in
    anonymous = httpx.Client(base_url=server.url, timeout=10)
    failures: list[Any] = []
    for value in (HUGE, MAX_ID + 1, MAX_ID):
        for method, path in [(m, p) for m, p, _ in table]:
            url = fill(path, value)
            if method == "WS":
                status = await websocket_status(server, url, facilitator.cookie_header)
                if status is not None and status >= 500:
                    failures.append((value, method, url, status))
                continue
            for client in (anonymous, facilitator.http):
                response = client.request(method, url, json={})
                if response.status_code >= 500:
                    failures.append((value, method, url, response.status_code))
    anonymous.close()
    assert failures == [], failures
    assert "Traceback" not in server.log()


async def websocket_status(server: Server, path: str, cookie: str) -> int | None:
    """The close code (or refused handshake's status) of a socket to ``path``."""
    try:
        async with websockets.connect(
            f"{server.ws_url}{path}",
            additional_headers={"Cookie": cookie},
            origin=server.url,  # type: ignore[arg-type]
            open_timeout=10,
        ) as ws:
            await ws.send('{"type": "hello", "token": null}')
            with contextlib.suppress(websockets.ConnectionClosed):
                await ws.recv()
            await ws.close()
            return 1011 if ws.close_code == 1011 else None
    except websockets.InvalidStatus as refused:
        return refused.response.status_code
