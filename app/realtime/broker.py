"""How server processes tell each other "workshop N reached seq S", chosen by URL scheme.

The broker only ever carries that notice. It is never trusted to deliver: a room that misses a
notice catches up from the database on the next one, after the broker reconnects (every room is
told to look), or on its periodic poll. The database stays the source of truth.

- ``memory://``: one process (SQLite's default). The notice is handed over in-process.
- ``postgres://``: PostgreSQL ``LISTEN/NOTIFY``. The notice is sent by the command's own
  transaction (:mod:`app.realtime.notices`), so it is published exactly when the change commits,
  and never for a change that rolled back. Each process keeps one dedicated listening connection;
  when it breaks, the broker reconnects with back-off and asks the hub to catch every room up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.engine import make_url

from app.realtime.notices import CHANNEL, parse_notice

log = logging.getLogger(__name__)

#: Called with (workshop id, seq) for every notice.
OnNotice = Callable[[int, int], None]
#: Called after (re)connecting: notices may have been missed meanwhile.
OnResync = Callable[[], None]


class Broker(Protocol):
    name: str

    async def start(self, on_notice: OnNotice, on_resync: OnResync) -> None: ...

    async def publish(self, workshop_id: int, seq: int) -> None:
        """Announce a commit that did not send its own notice (the in-process backend)."""
        ...

    async def close(self) -> None: ...

    def healthy(self) -> bool:
        """Whether notices can arrive right now (readiness)."""
        ...


class MemoryBroker:
    """One process: the hub delivers its own commits, so a notice is only handed back."""

    name = "memory"

    def __init__(self) -> None:
        self._on_notice: OnNotice | None = None

    async def start(self, on_notice: OnNotice, on_resync: OnResync) -> None:
        self._on_notice = on_notice

    async def publish(self, workshop_id: int, seq: int) -> None:
        if self._on_notice is not None:
            self._on_notice(workshop_id, seq)

    async def close(self) -> None:
        self._on_notice = None

    def healthy(self) -> bool:
        return True


#: Without a notice for this long, the listener checks that its connection is still alive.
IDLE_CHECK_SECONDS = 10.0
RETRY_FIRST, RETRY_MAX = 0.25, 5.0


class PostgresBroker:
    """PostgreSQL ``LISTEN`` on one dedicated connection per process.

    ``publish`` does nothing: :mod:`app.realtime.notices` sends ``NOTIFY`` inside the command's
    transaction, which is what makes "published if and only if committed" hold.
    """

    name = "postgres"

    def __init__(self, dsn: str, *, on_reconnect: Callable[[], None] | None = None) -> None:
        self.dsn = dsn
        self._connected = False
        self._task: asyncio.Task[None] | None = None
        self._on_reconnect = on_reconnect

    async def start(self, on_notice: OnNotice, on_resync: OnResync) -> None:
        self._task = asyncio.create_task(self._listen_forever(on_notice, on_resync))

    async def publish(self, workshop_id: int, seq: int) -> None:
        return None

    def healthy(self) -> bool:
        return self._connected

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._connected = False

    async def _listen_forever(self, on_notice: OnNotice, on_resync: OnResync) -> None:
        import psycopg

        delay = RETRY_FIRST
        attempts = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.dsn, autocommit=True, connect_timeout=5
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._connected = True
                    if attempts:
                        log.info("broker: listening again after %d attempt(s)", attempts)
                        if self._on_reconnect is not None:
                            self._on_reconnect()
                    attempts, delay = 0, RETRY_FIRST
                    on_resync()  # whatever committed while we were not listening
                    while True:
                        async for notice in conn.notifies(timeout=IDLE_CHECK_SECONDS):
                            parsed = parse_notice(notice.payload)
                            if parsed is not None:
                                on_notice(*parsed)
                        await conn.execute("SELECT 1")  # quiet: is the connection still there?
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: reconnect; the log fills what was missed
                self._connected = False
                attempts += 1
                if attempts == 1:
                    log.warning("broker: lost the PostgreSQL listener (%s); reconnecting", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)


def broker_url_for(url: str, database_url: str) -> str:
    """The broker to use: the configured one, or the database's natural one."""
    if url:
        return url
    return (
        "postgres://" if make_url(database_url).get_backend_name() == "postgresql" else "memory://"
    )


def make_broker(
    url: str, *, database_url: str, on_reconnect: Callable[[], None] | None = None
) -> Broker:
    """Choose the backend by URL scheme (empty: by database)."""
    url = broker_url_for(url, database_url)
    if url.startswith("memory://"):
        return MemoryBroker()
    if url.startswith(("postgres://", "postgresql://")):
        parsed = make_url(database_url)
        if parsed.get_backend_name() != "postgresql":
            raise ValueError("ATELIER_BROKER_URL postgres:// needs a PostgreSQL database.")
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresBroker(dsn, on_reconnect=on_reconnect)
    raise ValueError(
        f"Unsupported ATELIER_BROKER_URL {url!r}: use memory:// (one process) or postgres://."
    )
