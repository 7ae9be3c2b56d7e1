"""One open socket: who is on it, and a bounded queue drained by its own sender task.

Nothing in the hub ever awaits a client: messages are offered to the queue, and a client whose
queue is full is too slow to keep up. It is disconnected (4008) and resumes from its last ``seq``
when it reconnects, which costs it a replay instead of costing the room its memory.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketState

from app.realtime.commands import Actor
from app.realtime.protocol import CLOSE_TOO_SLOW

_CLOSE = object()


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        *,
        workshop_id: int,
        actor: Actor,
        stakeholder_group: str | None,
        queue_size: int,
    ) -> None:
        self.websocket = websocket
        self.workshop_id = workshop_id
        self.actor = actor
        self.stakeholder_group = stakeholder_group
        #: The last ``seq`` this room has handled for the socket (sent or not for it).
        self.cursor = 0
        #: The last ``seq`` actually sent: the ``prev`` of the next event message.
        self.sent_seq = 0
        #: Order of opening, so the oldest sockets of a sender are the ones to close.
        self.opened = 0
        #: Set while its own ``participant.leave`` runs: the ack goes out before it closes.
        self.leaving = False
        #: A facilitator's session id: the socket lives only as long as the session does.
        self.session_id: str | None = None
        #: A projector's token (hashed): the socket lives only as long as that screen link.
        self.screen_token_hash: str | None = None
        self._queue: asyncio.Queue[str | object] = asyncio.Queue(maxsize=queue_size)
        self._close: tuple[int, str] | None = None
        self._closer: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self._sender = asyncio.create_task(self._send_loop())

    def offer(self, message: str) -> None:
        """Queue a message without waiting; a full queue means the client cannot keep up."""
        if self._close is not None:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.close_soon(CLOSE_TOO_SLOW, "too slow: reconnect and resume")

    def close_soon(self, code: int, reason: str) -> None:
        """Close after what is already queued has been sent (or at once if the queue is full)."""
        if self._close is not None:
            return
        self._close = (code, reason)
        if code == CLOSE_TOO_SLOW:
            self._sender.cancel()
            self._closer = asyncio.create_task(self._close_now())
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_CLOSE)
            return
        self._sender.cancel()
        self._closer = asyncio.create_task(self._close_now())

    async def _send_loop(self) -> None:
        try:
            while True:
                message = await self._queue.get()
                if message is _CLOSE:
                    await self._close_now()
                    return
                assert isinstance(message, str)
                await self.websocket.send_text(message)
        except Exception:  # the peer went away mid-send; the receive loop will notice
            self.closed.set()

    async def _close_now(self) -> None:
        code, reason = self._close or (1000, "")
        if self.websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code=code, reason=reason)
        self.closed.set()

    async def stop(self) -> None:
        self._sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._sender
