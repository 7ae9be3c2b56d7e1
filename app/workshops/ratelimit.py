"""A small sliding-window limiter, kept in memory per process.

The caller decides what counts as a hit. For joining, only failures count: a whole room of phones
joins from one community-centre address, and none should be slowed down for typing the right
code; someone guessing codes fails often, and once blocked is refused even when right. For
uploads, every upload counts, per participant.
"""

from __future__ import annotations

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
