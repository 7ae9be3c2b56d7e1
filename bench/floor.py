"""A bare-stack floor for the load benchmark (``bench/load.py``): the app's stack without the app.

A bare Starlette app served by uvicorn with exactly the socket options of ``atelier serve``
(``app/cli.py``: ``ws="websockets-sansio"``, per-message deflate off, the same frame limit,
pings and log level; uvloop and httptools as uvicorn picks them for the app too). No database, no
validation beyond ``json.loads``, no rooms: one broadcast room for whatever connects.

It speaks just enough of the room protocol (docs/protocol.md) that the benchmark's client runs
against it unchanged:

* ``POST /api/join`` reads the JSON body and answers ``{"workshop_id", "participant_id",
  "token"}`` (201); nothing else (the app tells only the staff's screens and the person who
  joined, so a filling room sends few messages);
* ``/ws/workshops/{id}``: the first frame must be ``hello`` (any token); the answer is
  ``welcome`` and ``synced`` — no snapshot;
* every later frame with a ``cid`` is broadcast to every socket inside an ``event`` frame
  (``{"type":"event","seq":…,"prev":…,"event":<the frame>}``) and acknowledged to its sender;
* ``vote.cast`` is counted, and its sender alone gets an ``event`` frame with their dots (the
  app's private ``my_dots.changed``) and the ``ack``; a ``tally``
  (``{"type":"tally","vote_id":1,"voters":…,"dots":…}``) goes at most every 0.1 s, when the count
  changed — the app's coalescing interval — to the staff's sockets only (the console and the
  projector: whoever said ``hello`` with a token this floor did not hand out), as in the app;
* ``ping`` gets ``pong``.

Like the app, each socket has a bounded send queue (512) drained by its own task, and a socket
whose queue is full is closed (4008): the hub never awaits a client.

    taskset -c 1 .venv/bin/python -m bench.floor --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

#: The app's defaults (app/settings.py): send queue, frame limit, heartbeat, tally interval.
SEND_QUEUE_SIZE = 512
WS_MAX_SIZE = 65_536
HEARTBEAT_SECONDS = 20.0
TALLY_INTERVAL_SECONDS = 0.1
HELLO_TIMEOUT = 10.0
CLOSE_TOO_SLOW = 4008


class Peer:
    """One open socket: a bounded queue drained by its own sender task."""

    __slots__ = ("closing", "id", "queue", "sender", "staff", "websocket")

    def __init__(self, websocket: WebSocket, peer_id: int, *, staff: bool = False) -> None:
        self.websocket = websocket
        self.id = peer_id
        self.staff = staff
        self.closing = False
        self.queue: asyncio.Queue[str] = asyncio.Queue(SEND_QUEUE_SIZE)
        self.sender = asyncio.create_task(self._send())

    def offer(self, text: str) -> None:
        if self.closing:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.closing = True
            self.sender.cancel()
            asyncio.create_task(self._close(CLOSE_TOO_SLOW))  # noqa: RUF006 - fire and forget

    async def _send(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await self.websocket.send_text(await self.queue.get())

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code)


class Floor:
    """The one room: every socket, the log's length, and the dots counted."""

    def __init__(self) -> None:
        self.peers: set[Peer] = set()
        self.ids = itertools.count(1)
        self.seq = 0
        self.dots = 0
        self.tallied = 0
        self.voters: set[int] = set()
        self.mine: dict[int, int] = {}
        self.tokens: set[str] = set()  # handed out by join: whoever says hello without one is staff

    def broadcast(self, text: str) -> None:
        for peer in list(self.peers):
            peer.offer(text)

    def event(self, body: str) -> int:
        """Broadcast ``body`` as the next event of the log; its ``seq``."""
        self.seq += 1
        self.broadcast(f'{{"type":"event","seq":{self.seq},"prev":{self.seq - 1},"event":{body}}}')
        return self.seq

    async def tally_loop(self) -> None:
        while True:
            await asyncio.sleep(TALLY_INTERVAL_SECONDS)
            if self.dots != self.tallied:
                self.tallied = self.dots
                text = (
                    f'{{"type":"tally","vote_id":1,"voters":{len(self.voters)},"dots":{self.dots}}}'
                )
                for peer in list(self.peers):
                    if peer.staff:
                        peer.offer(text)

    def cast(self, peer: Peer, cid: str) -> None:
        """Count a dot; its sender's own list as a private event of the log, then the ack."""
        self.dots += 1
        self.voters.add(peer.id)
        count = self.mine[peer.id] = self.mine.get(peer.id, 0) + 1
        self.seq += 1
        body = f'{{"type":"my_dots.changed","vote_id":1,"dots":[{{"count":{count}}}]}}'
        peer.offer(f'{{"type":"event","seq":{self.seq},"prev":{self.seq - 1},"event":{body}}}')
        peer.offer(ack(cid, self.seq))


floor = Floor()


def ack(cid: str, seq: int | None) -> str:
    return f'{{"type":"ack","cid":{json.dumps(cid)},"seq":{"null" if seq is None else seq},"result":{{}}}}'


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok")


async def join(request: Request) -> Response:
    await request.json()
    participant_id = next(floor.ids)
    token = secrets.token_urlsafe(32)
    floor.tokens.add(token)
    return JSONResponse(
        {"workshop_id": 1, "participant_id": participant_id, "token": token}, status_code=201
    )


async def room(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        hello = json.loads(await asyncio.wait_for(websocket.receive_text(), HELLO_TIMEOUT))
    except (TimeoutError, WebSocketDisconnect, KeyError, RuntimeError, ValueError):
        with contextlib.suppress(Exception):
            await websocket.close(1008)
        return
    if not isinstance(hello, dict) or hello.get("type") != "hello":
        await websocket.close(1008)
        return
    peer = Peer(websocket, next(floor.ids), staff=hello.get("token") not in floor.tokens)
    peer.offer(f'{{"type":"welcome","role":"participant","workshop_id":1,"seq":{floor.seq}}}')
    peer.offer(f'{{"type":"synced","seq":{floor.seq},"replayed":0}}')
    floor.peers.add(peer)
    try:
        while True:
            text = await websocket.receive_text()
            message = json.loads(text)
            kind = message.get("type")
            cid = message.get("cid")
            if kind == "vote.cast" and isinstance(cid, str):
                floor.cast(peer, cid)
            elif isinstance(cid, str):
                peer.offer(ack(cid, floor.event(text)))
            elif kind == "ping":
                peer.offer('{"type":"pong"}')
    except (WebSocketDisconnect, KeyError, RuntimeError, ValueError, AttributeError):
        pass
    finally:
        floor.peers.discard(peer)
        peer.sender.cancel()


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    tally = asyncio.create_task(floor.tally_loop())
    try:
        yield
    finally:
        tally.cancel()


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/api/join", join, methods=["POST"]),
        WebSocketRoute("/ws/workshops/{workshop_id:int}", room),
    ],
    lifespan=lifespan,
)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    # The same options as app/cli.py serve (no trusted proxies: proxy headers off).
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ws="websockets-sansio",
        ws_max_size=WS_MAX_SIZE,
        ws_per_message_deflate=False,
        ws_ping_interval=HEARTBEAT_SECONDS,
        ws_ping_timeout=HEARTBEAT_SECONDS,
        log_level="info",
        proxy_headers=False,
        forwarded_allow_ips=[],
        server_header=False,
    )


if __name__ == "__main__":
    main()
