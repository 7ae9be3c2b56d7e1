"""One open socket: who is on it, and a bounded outbox sent in order by a short-lived task.

Nothing in the hub ever awaits a client: messages are offered to the outbox, and a client whose
outbox is full is too slow to keep up. It is disconnected (4008) and resumes from its last ``seq``
when it reconnects, which costs it a replay instead of costing the room its memory.

An idle socket costs as little as possible, because a town hall keeps a thousand of them open:
no task, no queue, no event until there is something to send or to wait for. A sender task
exists only while the outbox has messages, and :attr:`Connection.closed` is made when someone
first waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from app.observability import metrics
from app.realtime.commands import Actor
from app.realtime.protocol import CLOSE_TOO_SLOW

_CLOSE = object()  # the outbox's last entry when closing after what is queued


class Connection:
    __slots__ = (
        "_close",
        "_closed",
        "_done",
        "_outbox",
        "_queue_size",
        "_sender",
        "actor",
        "cursor",
        "leaving",
        "opened",
        "screen_token_hash",
        "sent_seq",
        "session_id",
        "stakeholder_group",
        "waiting",
        "websocket",
        "workshop_id",
    )

    def __init__(
        self,
        websocket: WebSocket,
        *,
        workshop_id: int,
        actor: Actor,
        stakeholder_group: str | None,
        queue_size: int,
        waiting: bool = False,
    ) -> None:
        self.websocket = websocket
        self.workshop_id = workshop_id
        self.actor = actor
        self.stakeholder_group = stakeholder_group
        #: A participant in the lobby, not let in yet: not counted as present (presence, rounds).
        self.waiting = waiting
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
        self._queue_size = queue_size
        self._outbox: list[object] = []
        self._sender: asyncio.Task[None] | None = None
        self._close: tuple[int, str] | None = None
        self._done = False
        self._closed: asyncio.Event | None = None

    @property
    def closed(self) -> asyncio.Event:
        """Set once the socket is closed (by us) or found dead while sending."""
        if self._closed is None:
            self._closed = asyncio.Event()
            if self._done:
                self._closed.set()
        return self._closed

    def offer(self, message: str) -> None:
        """Queue a message without waiting; a full outbox means the client cannot keep up."""
        if self._close is not None:
            return
        if len(self._outbox) >= self._queue_size:
            self.close_soon(CLOSE_TOO_SLOW, "too slow: reconnect and resume")
            return
        if self._sender is None and not self._outbox:
            self._send_now(message)
            return
        self._outbox.append(message)
        self._wake()

    def _send_now(self, message: str) -> None:
        """Send at once when the socket can take it: the common case costs no task at all.

        ``send_text`` waits only when the transport's buffer is full. So it is run by hand up to
        the point where it would wait; only then does a task take over, finishing this message
        and then whatever was offered meanwhile, in order.
        """
        step = self.websocket.send_text(message)
        try:
            waiting = step.send(None)
        except StopIteration:
            return
        except Exception:  # the peer went away; the receive loop will notice
            self._mark_done()
            return
        self._sender = asyncio.get_running_loop().create_task(self._drain((step, waiting)))

    def close_soon(self, code: int, reason: str) -> None:
        """Close after what is already queued has been sent (or at once when too slow)."""
        if self._close is not None:
            return
        self._close = (code, reason)
        if code == CLOSE_TOO_SLOW:
            metrics.slow_client_disconnected()
        if code == CLOSE_TOO_SLOW or len(self._outbox) >= self._queue_size:
            self._outbox.clear()  # what is stuck is not sent: close now
            if self._sender is not None:
                self._sender.cancel()
                self._sender = None
        self._outbox.append(_CLOSE)
        self._wake()

    def _wake(self) -> None:
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self, started: tuple[Coroutine[Any, Any, None], Any] | None = None) -> None:
        """Send the outbox in order, then end: an idle socket keeps no task."""
        try:
            if started is not None:
                await _finish(*started)
            while self._outbox:
                batch, self._outbox = self._outbox, []
                for message in batch:
                    if message is _CLOSE:
                        await self._close_now()
                        return
                    assert isinstance(message, str)
                    await self.websocket.send_text(message)
        except Exception:  # the peer went away mid-send; the receive loop will notice
            self._mark_done()
        finally:
            if self._sender is asyncio.current_task():
                self._sender = None

    async def _close_now(self) -> None:
        code, reason = self._close or (1000, "")
        if self.websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code=code, reason=reason)
        self._mark_done()

    def _mark_done(self) -> None:
        self._done = True
        if self._closed is not None:
            self._closed.set()

    async def stop(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender


async def _finish(step: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Drive a coroutine that was started by hand to its end, as a task would: wait for what
    it is waiting on, then resume it."""
    try:
        while True:
            if isinstance(waiting, asyncio.Future):
                await asyncio.wait((waiting,))
            else:
                await asyncio.sleep(0)
            waiting = step.send(None)
    except StopIteration:
        return
    except BaseException:
        step.close()
        raise
