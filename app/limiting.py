"""Rate-limit counts in one place: shared through Redis, or kept in this process.

Every limiter of the app (wrong join codes, wrong passwords, uploads, unknown share addresses,
the WebSocket frame budget) counts through one :class:`RateLimits`, made at start-up from the
settings by :meth:`RateLimits.from_settings` and kept on ``app.state.limits``. The counting itself
is done by the `limits` library (its ``limits.aio`` strategies), on one of two storages:

* ``ATELIER_REDIS_URL`` empty (the default): the library's in-process memory storage. One
  process, as before; nothing else to run.
* ``ATELIER_REDIS_URL=redis://host:6379/0``: the library's Redis storage (``async+redis://``, on
  the ``redis`` client), so every process using that Redis shares one count per key: with four
  workers an address still gets ten wrong join codes a minute, not forty.

Strategies (chosen per limiter, see :class:`Window`):

* ``moving-window`` — exact: at most ``amount`` hits in *any* ``seconds`` long stretch. It keeps
  one timestamp per hit (at most ``amount`` per key). Used for the rare, security-relevant counts
  (wrong codes, wrong passwords, uploads, shares) where the limit and the "wait N minutes" must
  be exact and the cost does not matter.
* ``sliding-window-counter`` — two counters per key, the previous window's weighted by how much
  of it still overlaps: O(1) memory and one short script per hit, close to a token bucket. Used
  for the frame budget, which is checked for every WebSocket frame
  (:mod:`app.realtime.budget`).

Keys never hold what they are about in the clear: emails, addresses and participant keys are
turned into a keyed BLAKE2b digest (keyed with the secret key, which every process shares), so
Redis holds no email or IP address. Redis keys start with ``atelier:`` and expire on their own.

**When Redis does not answer** (down, restarting, unreachable), the room keeps working: each call
to Redis has a short timeout (:data:`TIMEOUT_SECONDS`, with one immediate retry on a fresh
connection, so a restarted Redis costs no failure), and a check whose call fails is answered from
the in-process memory storage instead — the limits then hold per process, as they did before Redis
was configured, which is better than no limit at all. No request fails, and only the checks that
notice the failure wait (at most twice the timeout, with its retry). After a failure the process
stops asking Redis and answers from memory; in the background it pings Redis every
:data:`RETRY_SECONDS` and uses it again as soon as it answers. A warning is logged at most once
per :data:`WARN_EVERY_SECONDS` (the Redis host and the kind of error; never a key, an email, an
address, a token or card text). Counts made in memory during the outage are not copied to Redis
afterwards, and a restarted Redis starts from zero: the worst case is one window's worth of extra
attempts per process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)

from app.settings import Settings

if TYPE_CHECKING:
    import redis.asyncio

log = logging.getLogger(__name__)

#: Connect and read timeout of every Redis call (there is one immediate retry).
TIMEOUT_SECONDS = 0.5
#: After a failure, Redis is pinged (in the background) this often until it answers.
RETRY_SECONDS = 1.0
#: "Redis does not answer" is logged at most this often.
WARN_EVERY_SECONDS = 30.0
#: Connections one process keeps to Redis at most; a caller waits ``TIMEOUT_SECONDS`` for one.
MAX_CONNECTIONS = 64
#: Keys kept for the in-process turns (:meth:`RateLimits.turn`) before the past ones are dropped.
MAX_TURN_KEYS = 100_000

Strategy = Literal["moving-window", "sliding-window-counter"]
STRATEGIES: dict[Strategy, type[RateLimiter]] = {
    "moving-window": MovingWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
}

# One answer per ``spacing`` per key, across processes: returns how many milliseconds this caller
# waits for its turn. Redis's own clock, so hosts with slightly different clocks agree.
TURN_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end -- Redis < 7: TIME, then a write
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local turn = tonumber(redis.call('GET', KEYS[1]) or 0)
if turn < now then turn = now end
redis.call('SET', KEYS[1], turn + spacing, 'PX', turn + spacing - now + 1000)
return turn - now
"""

T = TypeVar("T")


class TidyMemoryStorage(MemoryStorage):
    """The library's in-process storage, sweeping out expired keys at most every
    :attr:`sweep_seconds`.

    The library starts its sweep again on every hit once the previous one has finished, and a
    sweep walks every key (handing each moving-window list to a worker thread). In a room of a
    thousand phones that made each WebSocket frame pay for a walk over thousands of keys: an
    eighth of the server's time in a vote burst. Every read checks a key's expiry itself, so
    sweeping less often changes no answer; expired keys only stay in memory a little longer.

    The hook is the storage's private ``__schedule_expiry``; ``tests/limits`` fails if a new
    version of the library renames it.
    """

    sweep_seconds = 1.0

    def __init__(self) -> None:
        super().__init__()
        self._swept_at = -math.inf

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < self.sweep_seconds:
            return
        self._swept_at = now
        await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


class RateLimits:
    """The storage all limiters count in; one per process, on ``app.state.limits``."""

    def __init__(
        self,
        *,
        secret_key: str,
        redis_url: str = "",
        key_prefix: str = "atelier",
        timeout: float = TIMEOUT_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.memory = TidyMemoryStorage()
        self.redis: RedisStorage | None = None
        self.retry_seconds = retry_seconds
        self.key_prefix = key_prefix
        self._digest_key = hashlib.blake2b(
            secret_key.encode(), digest_size=32, person=b"atelier-limits"
        ).digest()
        self._client: redis.asyncio.Redis | None = None
        self._turn_script: Any = None
        self._turns: dict[str, float] = {}
        self._down_since: float | None = None
        self._probe: asyncio.Task[None] | None = None
        self._warned_at = -math.inf
        self.where = ""
        if redis_url:
            self._connect(redis_url, timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(secret_key=settings.secret_key, redis_url=settings.redis_url)

    def _connect(self, url: str, timeout: float) -> None:
        # Here, not at the top: the redis client is a tenth of a second of every start-up and
        # every ``atelier`` command, and only a server with ATELIER_REDIS_URL needs it.
        import redis.asyncio
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError("ATELIER_REDIS_URL must start with redis://, rediss:// or unix://")
        # host, port and database for the log; never the password
        if parts.scheme == "unix":
            self.where = parts.path
        else:
            self.where = f"{parts.hostname}:{parts.port or 6379}{parts.path}"
        options: dict[str, Any] = {
            "max_connections": MAX_CONNECTIONS,
            "timeout": timeout,  # waiting for a free connection of the pool
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            # One immediate retry on a fresh connection: after Redis restarted, the pooled
            # connections are dead, and the first call on each would otherwise fail.
            "retry": Retry(NoBackoff(), 1),
        }
        pool = redis.asyncio.BlockingConnectionPool.from_url(url, **options)
        shared: dict[str, Any] = {"connection_pool": pool}
        scheme = "redis+unix" if parts.scheme == "unix" else parts.scheme  # as `limits` names it
        self.redis = RedisStorage(
            f"async+{scheme}{url[len(parts.scheme) :]}",
            implementation="redispy",
            key_prefix=self.key_prefix,
            wrap_exceptions=True,
            **shared,
        )
        self._client = redis.asyncio.Redis(connection_pool=pool)
        self._turn_script = self._client.register_script(TURN_SCRIPT)

    @property
    def shared(self) -> bool:
        """Whether counts go to Redis (configured), whether or not it answers right now."""
        return self.redis is not None

    def digest(self, key: str) -> str:
        """What a key is stored as: no email, address or participant key in the clear."""
        return hashlib.blake2b(key.encode(), key=self._digest_key, digest_size=16).hexdigest()

    def window(self, name: str, *, amount: int, seconds: int, strategy: Strategy) -> Window:
        return Window(self, name, amount=amount, seconds=seconds, strategy=strategy)

    async def call(
        self,
        remote: Callable[[], Awaitable[T]] | None,
        local: Callable[[], Awaitable[T]],
    ) -> T:
        """``remote()`` on Redis while it answers, else (and when it fails) ``local()``."""
        if remote is not None and self._redis_usable():
            try:
                return await remote()
            except Exception as error:  # whatever went wrong with Redis: this check goes on
                self._lost(error)
        return await local()

    async def turn(self, name: str, key: str, spacing: float) -> float:
        """Seconds to wait for this caller's turn: one turn per ``spacing`` seconds per key.

        Turns are handed out in order of asking, across every process sharing the Redis.
        """
        ident = f"{self.key_prefix}:{name}/{self.digest(key)}"
        script = self._turn_script
        remote = None
        if script is not None:

            async def remote() -> float:
                waited = await script(keys=[ident], args=[math.ceil(spacing * 1000)])
                return max(0.0, int(waited) / 1000)

        async def local() -> float:
            return self._local_turn(ident, spacing)

        return await self.call(remote, local)

    def _local_turn(self, ident: str, spacing: float) -> float:
        now = time.monotonic()
        if ident not in self._turns and len(self._turns) >= MAX_TURN_KEYS:
            for old in [k for k, t in self._turns.items() if t <= now]:
                del self._turns[old]
            if len(self._turns) >= MAX_TURN_KEYS:  # all in the future: a flood of addresses
                self._turns.pop(next(iter(self._turns)))
        turn = max(now, self._turns.get(ident, now))
        self._turns[ident] = turn + spacing
        return turn - now

    # ------------------------------------------------------------------ Redis comes and goes

    @property
    def answering(self) -> bool:
        """Whether Redis is configured and not known to be away (counts are shared now)."""
        return self.redis is not None and self._down_since is None

    def _redis_usable(self) -> bool:
        return self._down_since is None

    def _lost(self, error: Exception) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
        if self._probe is None:
            self._probe = asyncio.get_running_loop().create_task(self._ping_until_back())
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning(
                "Redis at %s does not answer (%s): rate limits count in this process until it does",
                self.where,
                type(getattr(error, "storage_error", error)).__name__,  # not its text: no keys
            )

    async def _ping_until_back(self) -> None:
        """While Redis is away, in the background: PING every ``retry_seconds`` till it answers."""
        assert self._client is not None
        try:
            while True:
                await asyncio.sleep(self.retry_seconds)
                try:
                    await self._client.ping()
                    break
                except Exception:  # still away (any error): try again later
                    continue
        finally:
            self._probe = None
        if self._down_since is not None:
            log.info(
                "Redis at %s answers again after %.0f s: rate limits are shared again",
                self.where,
                time.monotonic() - self._down_since,
            )
        self._down_since = None

    async def close(self) -> None:
        """Stop pinging and close the connections (at shutdown)."""
        if self._probe is not None:
            self._probe.cancel()
            self._probe = None
        if self._client is not None:
            await self._client.aclose()
            await self._client.connection_pool.disconnect()


class Window:
    """One limit — ``amount`` hits per ``seconds`` per key — in the app's :class:`RateLimits`.

    ``name`` keeps different limits apart (``login-account``, ``uploads``, …); keys are digested
    before they are stored. Every method is one call to Redis (one round trip) when it is
    configured and answers, else it is answered in this process.
    """

    def __init__(
        self, limits: RateLimits, name: str, *, amount: int, seconds: int, strategy: Strategy
    ) -> None:
        if amount < 1 or seconds < 1:
            raise ValueError(f"limit {name}: amount and seconds must be at least 1")
        self.limits = limits
        self.name = name
        self.amount = amount
        self.seconds = seconds
        self.item = RateLimitItemPerSecond(amount, seconds, namespace=name)
        kind = STRATEGIES[strategy]
        self._local = kind(limits.memory)
        self._remote = kind(limits.redis) if limits.redis is not None else None

    def _run(self, work: Callable[[RateLimiter], Awaitable[T]]) -> Awaitable[T]:
        remote = self._remote
        return self.limits.call(
            None if remote is None else (lambda: work(remote)), lambda: work(self._local)
        )

    async def hit(self, key: str) -> bool:
        """Count one hit; ``False`` (and nothing counted) when the key is at its limit."""
        ident = self.limits.digest(key)
        return await self._run(lambda limiter: limiter.hit(self.item, ident))

    async def blocked(self, key: str) -> bool:
        """Whether the key is at its limit (nothing counted)."""
        ident = self.limits.digest(key)
        return not await self._run(lambda limiter: limiter.test(self.item, ident))

    async def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may be counted again, or ``None`` when it may now."""
        ident = self.limits.digest(key)
        stats = await self._run(lambda limiter: limiter.get_window_stats(self.item, ident))
        if stats.remaining > 0:
            return None
        wait = stats.reset_time - time.time()
        return wait if wait > 0 else None

    async def clear(self, key: str) -> None:
        """Forget the key's hits."""
        ident = self.limits.digest(key)
        await self._run(lambda limiter: limiter.clear(self.item, ident))


class Slots:
    """At most ``limit`` things in progress per key, in this process: taken, then given back.

    Not a rate but a count of what is open right now (requests waiting for their answer,
    sockets that have not said ``hello``). Kept per process on purpose: it bounds what this
    process holds, and taking a slot costs no round trip. A key without slots taken keeps no
    entry, so the table is as large as what is open.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a key needs at least one slot")
        self.limit = limit
        self._taken: dict[str, int] = {}

    def take(self, key: str) -> bool:
        """Take a slot; ``False`` (nothing taken) when the key holds all of its slots."""
        taken = self._taken.get(key, 0)
        if taken >= self.limit:
            return False
        self._taken[key] = taken + 1
        return True

    def give_back(self, key: str) -> None:
        taken = self._taken.get(key, 0) - 1
        if taken > 0:
            self._taken[key] = taken
        else:
            self._taken.pop(key, None)

    def taken(self, key: str) -> int:
        return self._taken.get(key, 0)
