"""The one socket of a workshop room: ``/ws/workshops/{workshop_id}``. Thin on purpose.

Handshake: Origin checked, then the first message must be ``hello`` (token and last ``seq``).
After that every frame is parsed into a typed message, and every command gets an ``ack`` or an
``error`` — never silence. Commands are authorised per message by the executor, not here.

Until its ``hello`` a socket is nobody's: no sender budget or per-sender cap applies yet. So
each address (an IPv6 address by its /64, :func:`app.web.client.client_key`) may have at most
``ATELIER_SOCKETS_BEFORE_HELLO_PER_ADDRESS`` sockets between opening and ``hello`` in this
process; one more is closed at once with 4029 (:data:`CLOSE_ADDRESS_BUSY`), which a client
answers by trying again a few seconds later. A phone says ``hello`` one round trip after
opening, so even a town hall of a thousand phones behind one address reconnecting at once
holds only a fraction of the slots, and only for that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable

from anyio import to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from starlette.routing import Match, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from app.accounts.security import facilitator_id_from_session, session_id_of
from app.limiting import Slots
from app.logs import command_failed
from app.observability import metrics
from app.origins import origin_accepted
from app.realtime.budget import FrameBudget
from app.realtime.commands import CommandError
from app.realtime.connection import Connection
from app.realtime.hub import Hub
from app.realtime.protocol import (
    CLOSE_ADDRESS_BUSY,
    CLOSE_LEFT,
    CLOSE_UNAUTHORISED,
    CLOSE_WRONG_ADDRESS,
    Command,
    Error,
    Hello,
    ParticipantLeave,
    Ping,
    Pong,
    Welcome,
    client_message_adapter,
)
from app.settings import Settings
from app.types import MAX_ID, Role
from app.web.client import client_key
from app.workshops.access import Access, hash_token, participant_cookie, resolve

router = APIRouter()
log = logging.getLogger(__name__)

HELLO_TIMEOUT = 10.0
#: Frames refused in a row before a flooding socket is closed (1008).
FLOOD_STRIKES = 100


def error(code: str, message: str, cid: str | None = None) -> str:
    return Error(type="error", cid=cid, code=code, message=message).model_dump_json()


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """Browsers always send Origin; it must be ours: the public origin or an allowed one
    (``ATELIER_ALLOWED_ORIGINS``, compared normalised). Non-browser clients send none."""
    origin = websocket.headers.get("origin")
    return origin is None or origin_accepted(origin, settings)


def parse(raw: str, settings: Settings) -> Hello | Ping | Command | Error:
    """A frame as a typed message, or the :class:`Error` to answer it with."""
    if len(raw.encode()) > settings.message_max_bytes:
        return Error(
            type="error",
            cid=None,
            code="too_large",
            message=f"Messages are limited to {settings.message_max_bytes} bytes.",
        )
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        return Error(
            type="error", cid=None, code="bad_json", message="The message is not valid JSON."
        )
    cid = data.get("cid") if isinstance(data, dict) and isinstance(data.get("cid"), str) else None
    try:
        return client_message_adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] in ("union_tag_invalid", "union_tag_not_found", "model_type"):
            return Error(
                type="error",
                cid=cid,
                code="unknown_type",
                message="Unknown or missing message type.",
            )
        where = ".".join(str(p) for p in first["loc"][1:]) or "message"
        return Error(type="error", cid=cid, code="invalid", message=f"{where}: {first['msg']}")


async def room(websocket: WebSocket) -> None:
    """The socket of one workshop room, reached through :class:`RoomSockets` (an idle socket in
    a town hall of a thousand should not carry FastAPI's layers for its whole life)."""
    settings: Settings = websocket.app.state.settings
    hub: Hub = websocket.app.state.hub
    connection = await _open(websocket, settings, hub)
    if connection is None:
        return
    role = connection.actor.role
    metrics.socket_opened(role)
    try:
        await _serve(websocket, connection, hub, settings)
    finally:
        metrics.socket_closed(role)
        await hub.detach(connection)
        await connection.stop()


async def _open(websocket: WebSocket, settings: Settings, hub: Hub) -> Connection | None:
    """The handshake: the socket attached to its room, or ``None`` when it was refused.

    A coroutine of its own so that what the handshake needed (the hello, its token, the access
    it resolved to) is freed when it ends, instead of living in the frame of every idle socket.
    """
    workshop_id: int = websocket.path_params["workshop_id"]
    if not 1 <= workshop_id <= MAX_ID:  # a bigger number names no row: a clean refusal
        await websocket.close(code=1008, reason="no such workshop")
        return None
    if not origin_allowed(websocket, settings):
        # Accepted only to be closed with a code and the address to use: a refused upgrade
        # reaches the page as a bare 1006, and it would try again for ever ("Reconnecting…").
        # Nothing is read or sent in between; the public URL is no secret.
        await websocket.accept()
        await websocket.close(code=CLOSE_WRONG_ADDRESS, reason=settings.public_url[:120])
        return None
    handshakes: Slots = websocket.app.state.handshakes
    address = client_key(websocket)
    if not handshakes.take(address):
        # Accepted only to be closed with a code that says why: a refused upgrade would reach
        # the page as a bare 1006, and it would not know to wait before trying again.
        await websocket.accept()
        await websocket.close(code=CLOSE_ADDRESS_BUSY, reason="too many sockets opening here")
        return None
    try:
        greeted = await _greet(websocket, settings, hub, workshop_id)
    finally:
        # Said hello and recognised (or refused): from here the per-sender limits hold.
        handshakes.give_back(address)
    if greeted is None:
        return None
    hello, access, token = greeted
    connection = Connection(
        websocket,
        workshop_id=workshop_id,
        actor=access.actor,
        stakeholder_group=access.stakeholder_group,
        queue_size=settings.send_queue_size,
        waiting=access.waiting,
    )
    if access.actor.role is Role.FACILITATOR:
        connection.session_id = session_id_of(websocket, settings)
    elif access.actor.role is Role.SCREEN and token:
        connection.screen_token_hash = hash_token(token)

    def welcome(seq: int, epoch: str) -> str:
        return Welcome(
            type="welcome",
            role=access.actor.role,
            workshop_id=workshop_id,
            participant_id=access.actor.participant_id,
            seq=seq,
            epoch=epoch,
        ).model_dump_json()

    await hub.attach(connection, last_seq=hello.last_seq, epoch=hello.epoch, welcome=welcome)
    return connection


async def _greet(
    websocket: WebSocket, settings: Settings, hub: Hub, workshop_id: int
) -> tuple[Hello, Access, str | None] | None:
    """Accept, wait for ``hello`` and find who sent it: the hello, the access it gives and its
    token; ``None`` when the socket was closed instead (no hello, or no access)."""
    await websocket.accept()
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), HELLO_TIMEOUT)
    except (TimeoutError, WebSocketDisconnect, KeyError, RuntimeError):
        with contextlib.suppress(Exception):
            await websocket.close(code=1008, reason="expected hello")
        return None
    hello = parse(raw, settings)
    if not isinstance(hello, Hello):
        refusal = hello if isinstance(hello, Error) else None
        await websocket.send_text(
            refusal.model_dump_json() if refusal else error("expected_hello", "Send hello first.")
        )
        await websocket.close(code=1008, reason="expected hello")
        return None
    token = hello.token or websocket.cookies.get(
        participant_cookie(websocket, settings, workshop_id)
    )
    access = await to_thread.run_sync(
        lambda: resolve(
            hub.engine,
            workshop_id=workshop_id,
            token=token,
            facilitator_id=facilitator_id_from_session(websocket),
        )
    )
    if access is None:
        await websocket.send_text(
            error("unauthorised", "This token or session gives no access to this workshop.")
        )
        await websocket.close(code=CLOSE_UNAUTHORISED, reason="unauthorised")
        return None
    return hello, access, token


#: The room's socket route: in the router (as FastAPI knows it), and used by :class:`RoomSockets`.
ROOM_ROUTE = WebSocketRoute("/ws/workshops/{workshop_id:int}", room)
router.routes.append(ROOM_ROUTE)


class RoomSockets:
    """Pure ASGI middleware, outermost: a room socket goes straight to :func:`room`.

    Every layer between the server and an endpoint keeps a suspended frame for as long as the
    socket is open, and FastAPI's keep two exit stacks besides: about 3 KiB per socket, a
    tenth of what an idle phone costs, for layers a socket does not use (its errors close it;
    it has no dependencies to clean up). HTTP and any other socket take the normal way.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] == "websocket":
            match, child = ROOM_ROUTE.matches(scope)
            if match is Match.FULL:
                scope.update(child)  # path_params, as the router would set them
                return room(WebSocket(scope, receive, send))
        return self.app(scope, receive, send)


async def _serve(
    websocket: WebSocket, connection: Connection, hub: Hub, settings: Settings
) -> None:
    """Read frames until the peer goes. A socket closed by us ends here too: the peer answers
    the close frame, and the server hands that on as a disconnect."""
    budget: FrameBudget = websocket.app.state.frame_budget
    sender = f"{connection.workshop_id}:{connection.actor.key}"  # all its sockets, everywhere
    facilitator = connection.actor.role is Role.FACILITATOR
    while True:
        frame = await websocket.receive()
        if frame["type"] == "websocket.disconnect":
            return
        text = frame.get("text")
        message = None if text is None else parse(text, settings)
        if not await budget.allow(sender, facilitator=facilitator):
            # Every frame counts (pings, garbage, binary too), per sender across its sockets.
            # Commands are still answered, so a client knows to send them again later.
            if budget.strikes(sender) >= FLOOD_STRIKES:
                connection.close_soon(1008, "too many messages")
            elif isinstance(message, Command):
                metrics.command_done(message, "rate_limited")
                connection.offer(
                    error("rate_limited", "Too many messages; slow down.", message.cid)
                )
            continue
        if message is None:
            connection.offer(error("binary", "Binary frames are not accepted; send JSON text."))
            continue
        if isinstance(message, Error):
            connection.offer(message.model_dump_json())
        elif isinstance(message, Ping):
            connection.offer(Pong(type="pong").model_dump_json())
        elif isinstance(message, Hello):
            connection.offer(error("protocol", "hello is only sent once, first."))
        else:
            await _command(connection, hub, message)


async def _command(connection: Connection, hub: Hub, command: Command) -> None:
    if isinstance(command, ParticipantLeave):
        connection.leaving = True  # its other sockets close on delivery; this one after the ack
    try:
        outcome = await hub.execute(connection, command)
    except CommandError as exc:
        connection.leaving = False
        connection.offer(error(exc.code, exc.message, command.cid))
        return
    except Exception as exc:
        command_failed(
            log,
            command_type=metrics.command_type(command),
            workshop_id=connection.workshop_id,
            error=exc,
        )
        connection.offer(
            error("internal", "The server could not apply this; try again.", command.cid)
        )
        return
    connection.offer(outcome.ack.model_dump_json())
    if isinstance(command, ParticipantLeave):
        connection.close_soon(CLOSE_LEFT, "left the workshop")
