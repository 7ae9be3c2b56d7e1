"""A small sliding-window limiter, kept in memory per process.

The caller decides what counts as a hit. For joining, only failures count: a whole room of phones
joins from one community-centre address, and none should be slowed down for typing the right
code. Failures slow down only further failures (:class:`WrongCodeGate`): the right code always
joins. For uploads, every upload counts, per participant.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class WindowLimiter:
    def __init__(
        self, *, limit: int, window_seconds: float = 60.0, max_keys: int = 100_000
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def blocked(self, key: str) -> bool:
        hits = self._hits.get(key)
        if hits is None:
            return False
        now = time.monotonic()
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return False
        return len(hits) >= self.limit

    def hit(self, key: str) -> None:
        if key not in self._hits and len(self._hits) >= self.max_keys:
            self._evict()
        self._hits.setdefault(key, deque()).append(time.monotonic())

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, f in self._hits.items() if not f or now - f[-1] > self.window]:
            del self._hits[key]


class WrongCodeGate:
    """Join codes from one address: the right code always joins, wrong ones get slower.

    A community centre's Wi-Fi is one address for a whole room of phones, so the address must
    never be blocked as such: blocking it would refuse the right code to everyone behind it after
    a few typos (or after one guesser). Instead only *wrong* codes are limited:

    * Up to ``limit`` wrong codes per ``window`` seconds per address are answered at once (404).
    * Beyond that, the address's wrong codes are answered one at a time, ``delay`` seconds apart
      (429 with ``Retry-After``). Answers are queued per address, so parallel requests do not
      get more answers per second than serial ones.
    * At most ``max_pending`` requests per address may be between "arrived" and "answered" at
      once; a further one is refused (429) *before* its code is looked at. A right code is looked
      up and answered at once, so its slot is free again within milliseconds; only a flood of
      parallel wrong codes from the same address fills the slots. That refusal is what stops a
      guesser from learning anything faster by opening more connections; only while such a flood
      runs can someone behind the same address be turned away with the right code.

    Why guessing stays infeasible: codes are 6 symbols from 31 (``joincode``), 31**6 ≈ 887
    million. With the defaults (10 per minute, then one every 3 s) one address learns the answer
    to at most ~30 codes a minute, ~43,000 a day. Even with 100 workshops open to joining at the
    same moment, one guess hits one of them with probability 100 / 887 million, so an address
    needs on average ~200 days of nonstop guessing for a single hit — and a hit only gives a seat
    in a room whose facilitator sees who joined and can remove them. Many addresses guess
    proportionally faster; that is what the code length is for, and why the count is per address
    as uvicorn resolved it (:func:`app.web.client.client_address`), never per forwarded header.
    """

    def __init__(
        self,
        *,
        limit: int,
        delay: float,
        window_seconds: float = 60.0,
        max_pending: int = 64,
        max_keys: int = 100_000,
    ) -> None:
        self.failures = WindowLimiter(limit=limit, window_seconds=window_seconds, max_keys=max_keys)
        self.delay = delay
        self.max_pending = max_pending
        self._pending: dict[str, int] = {}
        self._next_answer: dict[str, float] = {}

    def admit(self, address: str) -> bool:
        """Take a slot before looking at the code; ``False``: refuse without looking (flood)."""
        pending = self._pending.get(address, 0)
        if pending >= self.max_pending:
            return False
        self._pending[address] = pending + 1
        return True

    def release(self, address: str) -> None:
        """Give the slot back (after a right code, or once a wrong one is answered)."""
        pending = self._pending.get(address, 0) - 1
        if pending > 0:
            self._pending[address] = pending
        else:
            self._pending.pop(address, None)
            if self._next_answer.get(address, 0.0) <= time.monotonic():
                self._next_answer.pop(address, None)

    async def wrong(self, address: str) -> bool:
        """Count a wrong code and wait for its turn; ``True`` when the address is over the limit.

        The caller's slot (from :meth:`admit`) is released here, after the wait.
        """
        try:
            over = self.failures.blocked(address)
            self.failures.hit(address)
            if not over:
                return False
            now = time.monotonic()
            if len(self._next_answer) >= self.failures.max_keys:
                for key in [k for k, t in self._next_answer.items() if t <= now]:
                    del self._next_answer[key]
            turn = max(now, self._next_answer.get(address, now))
            self._next_answer[address] = turn + self.delay
            await asyncio.sleep(turn - now)
            return True
        finally:
            self.release(address)
