"""Who is connected to a room, across server processes. Ephemeral: never in the event log.

Each process knows its own sockets (:class:`Here`). With one process that is the whole truth
(:class:`LocalPresence`). With several, each process puts its part in Redis under a key that
expires unless it is renewed (a heartbeat), and reads the others' parts back
(:class:`RedisPresence`): a process that dies without saying goodbye drops out of the count
within ``ttl`` seconds. When Redis cannot be reached, a room falls back to what this process
sees and carries on; it shares again as soon as Redis answers.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Here:
    """One process's sockets in one room: participants (id → stakeholder group) and staff."""

    participants: dict[int, str | None] = field(default_factory=dict)
    facilitators: int = 0
    screens: int = 0

    def merged(self, others: list[Here]) -> Here:
        participants = dict(self.participants)
        for other in others:
            participants.update(other.participants)
        return Here(
            participants=participants,
            facilitators=self.facilitators + sum(o.facilitators for o in others),
            screens=self.screens + sum(o.screens for o in others),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "p": {str(k): v for k, v in self.participants.items()},
                "f": self.facilitators,
                "s": self.screens,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Here:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            participants={int(k): v for k, v in data.get("p", {}).items()},
            facilitators=int(data.get("f", 0)),
            screens=int(data.get("s", 0)),
        )


class PresenceBoard(Protocol):
    async def gather(self, workshop_id: int, here: Here, *, changed: bool) -> Here:
        """Publish this process's part (when ``changed`` or due) and return the whole room's."""
        ...

    async def leave(self, workshop_id: int) -> None:
        """This process has no sockets in the room any more."""
        ...

    async def close(self) -> None: ...

    def healthy(self) -> bool: ...


class LocalPresence:
    """One process: what it sees is everything."""

    async def gather(self, workshop_id: int, here: Here, *, changed: bool) -> Here:
        return here

    async def leave(self, workshop_id: int) -> None:
        return None

    async def close(self) -> None:
        return None

    def healthy(self) -> bool:
        return True


#: Warn about an unreachable Redis at most this often.
WARN_EVERY_SECONDS = 30.0


class RedisPresence:
    """Presence parts in Redis: ``<prefix><workshop>:<process>`` with an expiry, and a sorted set
    ``<prefix><workshop>`` of the processes with their expiry times, so a reader finds the live
    parts without scanning keys."""

    def __init__(
        self,
        url: str,
        *,
        process_id: str,
        ttl: float = 15.0,
        heartbeat: float = 5.0,
        prefix: str = "atelier:presence:",
    ) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.process_id = process_id
        self.ttl = ttl
        self.heartbeat = heartbeat
        self.prefix = prefix
        self._shared: dict[int, float] = {}
        self._ok = True
        self._warned = 0.0

    async def gather(self, workshop_id: int, here: Here, *, changed: bool) -> Here:
        from redis.exceptions import RedisError

        room = f"{self.prefix}{workshop_id}"
        now = time.time()
        try:
            due = now - self._shared.get(workshop_id, 0.0) >= self.heartbeat
            async with self.redis.pipeline(transaction=False) as pipe:
                if changed or due or not self._ok:
                    pipe.set(f"{room}:{self.process_id}", here.to_json(), px=int(self.ttl * 1000))
                    pipe.zadd(room, {self.process_id: now + self.ttl})
                    pipe.pexpire(room, int(self.ttl * 1000))
                pipe.zremrangebyscore(room, "-inf", now)
                pipe.zrange(room, 0, -1)
                replies = await pipe.execute()
            if changed or due or not self._ok:
                self._shared[workshop_id] = now
            processes = [p.decode() if isinstance(p, bytes) else str(p) for p in replies[-1]]
            others = [p for p in processes if p != self.process_id]
            parts = await self.redis.mget([f"{room}:{p}" for p in others]) if others else []
            self._ok = True
            return here.merged([Here.from_json(raw) for raw in parts if raw])
        except (RedisError, OSError, ValueError) as exc:
            self._ok = False
            if now - self._warned >= WARN_EVERY_SECONDS:
                self._warned = now
                log.warning("presence: Redis unavailable (%s); counting this process only", exc)
            return here

    async def leave(self, workshop_id: int) -> None:
        from redis.exceptions import RedisError

        self._shared.pop(workshop_id, None)
        room = f"{self.prefix}{workshop_id}"
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.delete(f"{room}:{self.process_id}")
                pipe.zrem(room, self.process_id)
                await pipe.execute()
        except (RedisError, OSError):
            pass  # it expires by itself

    async def close(self) -> None:
        for workshop_id in list(self._shared):
            await self.leave(workshop_id)
        await self.redis.aclose()

    def healthy(self) -> bool:
        return self._ok


#: A process renews its part this often; a part not renewed for three times as long is gone.
HEARTBEAT_SECONDS = 5.0


def make_presence(redis_url: str) -> PresenceBoard:
    """Redis when configured, else this process alone."""
    if not redis_url:
        return LocalPresence()
    return RedisPresence(
        redis_url,
        process_id=uuid.uuid4().hex[:12],
        heartbeat=HEARTBEAT_SECONDS,
        ttl=3 * HEARTBEAT_SECONDS,
    )
