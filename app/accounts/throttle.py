"""Login throttling: wrong passwords per account and per address, kept in memory per process.

Only failures count. Per account (the typed email, whether or not it exists, so the refusal
reveals nothing) a few wrong passwords lock that email for a while. Per address a larger number
stops someone trying many accounts; a browser that logged in before carries a device cookie and
is let past the address limit, so a colleague's typos or an attacker behind the same town-hall
address never lock a facilitator out beyond the per-account rule.
"""

from __future__ import annotations

import math
import time
from collections import deque

from app.settings import Settings


class FailureWindow:
    """Failures per key in a sliding window; bounded in keys so a flood cannot exhaust memory."""

    def __init__(self, *, limit: int, window_seconds: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or ``None`` if it may now."""
        failures = self._failures.get(key)
        if failures is None:
            return None
        now = time.monotonic()
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        if len(failures) < self.limit:
            return None
        return failures[-self.limit] + self.window - now

    def fail(self, key: str) -> None:
        if key not in self._failures and len(self._failures) >= self.max_keys:
            now = time.monotonic()
            stale = [k for k, f in self._failures.items() if not f or now - f[-1] >= self.window]
            for old in stale:
                del self._failures[old]
            if len(self._failures) >= self.max_keys:
                self._failures.pop(next(iter(self._failures)))
        self._failures.setdefault(key, deque(maxlen=self.limit)).append(time.monotonic())

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        window = settings.login_failure_window_minutes * 60.0
        self.accounts = FailureWindow(
            limit=settings.login_failures_per_account, window_seconds=window
        )
        self.addresses = FailureWindow(
            limit=settings.login_failures_per_address, window_seconds=window
        )

    def wait_minutes(self, *, email: str, address: str, known_device: bool) -> int | None:
        """Whole minutes to wait before this attempt may be checked, or ``None`` to go ahead."""
        waits = [self.accounts.retry_after(_account_key(email))]
        if not known_device:
            waits.append(self.addresses.retry_after(address))
        longest = max((w for w in waits if w is not None), default=None)
        return None if longest is None else max(1, math.ceil(longest / 60))

    def failed(self, *, email: str, address: str) -> None:
        self.accounts.fail(_account_key(email))
        self.addresses.fail(address)

    def succeeded(self, *, email: str) -> None:
        self.accounts.forget(_account_key(email))


def _account_key(email: str) -> str:
    return email.strip().lower()
