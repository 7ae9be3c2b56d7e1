"""A real WebSocket client of the room protocol, built on the ``websockets`` library.

It keeps the room state the way a screen would: snapshot, then events applied with the reference
reducer. Commands wait for their ``ack`` (or raise :class:`Rejected` with the error's code).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from app.realtime.protocol import server_message_adapter
from app.realtime.state import apply_event

_ids = itertools.count(1)


#: Commands whose events go to others only (see docs/protocol.md, "What each role receives").
# A tafelhulp adding a person: their `participant.joined` reaches the staff and nobody else.
UNSEEN_BY_SENDER = frozenset({"suggestion.make", "assisted.add"})


class Rejected(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error['code']}: {error['message']}")
        self.code: str = error["code"]
        self.error = error


class RoomClient:
    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.messages: list[dict[str, Any]] = []
        self.state: dict[str, Any] | None = None
        self.last_seq = 0
        self.welcome: dict[str, Any] | None = None
        #: The epoch of the state this client holds (from its snapshot, or given to resume).
        self.epoch: str | None = None
        self.snapshot: dict[str, Any] | None = None
        self.seqs: list[int] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())
        self.close_code: int | None = None

    @classmethod
    async def connect(
        cls,
        ws_url: str,
        workshop_id: int,
        *,
        token: str | None = None,
        cookie: str | None = None,
        last_seq: int | None = None,
        state: dict[str, Any] | None = None,
        epoch: str | None = None,
        name: str = "client",
        origin: str | None = None,
        hello: bool = True,
    ) -> RoomClient:
        headers = {"Cookie": cookie} if cookie else {}
        ws = await websockets.connect(
            f"{ws_url}/ws/workshops/{workshop_id}",
            additional_headers=headers,
            origin=origin,  # type: ignore[arg-type]
            max_size=2**22,
            open_timeout=10,
        )
        client = cls(ws, name)
        client.epoch = epoch
        if state is not None:
            client.state = copy.deepcopy(state)
            client.last_seq = last_seq or 0
        if hello:
            hello = {"type": "hello", "token": token, "last_seq": last_seq, "epoch": epoch}
            await client.send(hello)
            await client.wait_for(lambda m: m["type"] == "synced" or m["type"] == "error")
        return client

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                server_message_adapter.validate_python(message)  # the server speaks the protocol
                self._apply(message)
                async with self._changed:
                    self.messages.append(message)
                    self._changed.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            async with self._changed:
                self._changed.notify_all()

    def _apply(self, message: dict[str, Any]) -> None:
        if message["type"] == "welcome":
            self.welcome = message
        elif message["type"] == "snapshot":
            self.snapshot = message
            self.epoch = message["epoch"]
            self.state = copy.deepcopy(message["state"])
            self.last_seq = message["seq"]
        elif message["type"] == "event":
            assert message["seq"] > self.last_seq, f"{self.name}: seq went back or repeated"
            # A complete stream: each event names the one this socket got before it.
            assert message["prev"] == self.last_seq, f"{self.name}: missed events before {message}"
            assert self.state is not None, f"{self.name}: event before any state"
            apply_event(self.state, message["event"])
            self.last_seq = message["seq"]
            self.seqs.append(message["seq"])
        elif message["type"] == "synced":
            self.last_seq = max(self.last_seq, message["seq"])

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0, start: int = 0
    ) -> dict[str, Any]:
        async def find() -> dict[str, Any]:
            index = start
            async with self._changed:
                while True:
                    for message in self.messages[index:]:
                        if predicate(message):
                            return message
                    index = len(self.messages)
                    if self.close_code is not None or self._reader.done():
                        raise ConnectionError(f"{self.name}: closed ({self.close_code})")
                    await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    async def command(self, type_: str, *, cid: str | None = None, **fields: Any) -> dict[str, Any]:
        cid = cid or f"{self.name}-{next(_ids)}"
        start = len(self.messages)
        await self.send({"type": type_, "cid": cid, **fields})
        reply = await self.wait_for(
            lambda m: m.get("cid") == cid and m["type"] in ("ack", "error"), start=start
        )
        if reply["type"] == "error":
            raise Rejected(reply)
        # The events a command caused arrive before its ack, except those not for the sender:
        # a phone's suggestion is heard by the console alone.
        if reply["seq"] is not None and type_ not in UNSEEN_BY_SENDER:
            assert self.last_seq >= reply["seq"], f"{self.name}: ack before its events"
        return reply

    async def until_seq(self, seq: int, timeout: float = 10.0) -> None:
        await self.wait_for(lambda _m: self.last_seq >= seq, timeout=timeout)

    async def closed(self, timeout: float = 10.0) -> int | None:
        """Wait until the server closes this socket; its close code."""
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.close_code

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.wait_for(self._reader, 5)

    async def errors(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == "error"]
