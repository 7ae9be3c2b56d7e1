"""A small sliding-window limiter of failed attempts, kept in memory per process.

It counts failures, not requests: a whole room of phones joins from one community-centre IP
address, and none of them should be slowed down for typing the right code. Someone guessing codes
fails often, and once blocked is refused even when a guess would have been right.
"""

from __future__ import annotations

import time
from collections import deque


class FailureLimiter:
    def __init__(
        self, *, limit: int, window_seconds: float = 60.0, max_keys: int = 100_000
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, key: str) -> bool:
        failures = self._failures.get(key)
        if failures is None:
            return False
        now = time.monotonic()
        while failures and now - failures[0] > self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return False
        return len(failures) >= self.limit

    def fail(self, key: str) -> None:
        if key not in self._failures and len(self._failures) >= self.max_keys:
            self._evict()
        self._failures.setdefault(key, deque()).append(time.monotonic())

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, f in self._failures.items() if not f or now - f[-1] > self.window]:
            del self._failures[key]
