"""Publish/subscribe between server processes: an interface and its in-process backend.

The broker only ever carries "something happened in workshop N up to seq S". It is never trusted
to deliver: a room that misses a notice catches up from the database on the next one, or on its
periodic poll. That is why a full subscriber queue may simply drop a notice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Protocol


class Broker(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: str) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterable[str]]:
        """Use as ``async with broker.subscribe(ch) as sub: async for msg in sub: ...``."""
        ...


class _Queue:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=size)

    async def __aiter__(self) -> AsyncIterator[str]:
        while True:
            yield await self.queue.get()


class MemoryBroker:
    """One process: fan-out to bounded queues; a full queue drops (the receiver polls anyway)."""

    def __init__(self, queue_size: int = 64) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[str, set[_Queue]] = {}

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._subscribers.clear()

    async def publish(self, channel: str, message: str) -> None:
        for subscriber in self._subscribers.get(channel, ()):
            with suppress(asyncio.QueueFull):
                subscriber.queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_Queue]:
        subscriber = _Queue(self._queue_size)
        self._subscribers.setdefault(channel, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(subscriber)
                if not subscribers:
                    del self._subscribers[channel]


def make_broker(url: str) -> Broker:
    """Choose the backend by URL scheme. Only ``memory://`` exists so far (Redis comes later)."""
    if url.startswith("memory://"):
        return MemoryBroker()
    raise ValueError(f"Unsupported ATELIER_BROKER_URL {url!r}: only memory:// is available.")
