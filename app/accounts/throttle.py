"""Login throttling: wrong passwords per account, per known browser and per address.

Only failures count. Per account (the typed email, whether or not it exists, so the refusal
reveals nothing) a few wrong passwords lock that email for a while — for **strangers**: browsers
that never logged in to it. A browser that did carries a signed device cookie for the account
and counts on its own (the same number of failures, keyed by its cookie), so anyone who knows a
facilitator's email can slow down strangers' guesses, but never lock the facilitator out of the
browser they logged in with before. Per address (an IPv6 address by its /64, see
:func:`app.web.client.address_key`) a larger number stops someone trying many accounts; a known
browser is let past that limit too, so a colleague's typos or an attacker behind the same
town-hall address never lock a facilitator out.

A success clears only the count it got past: a known browser's success does not give strangers
fresh tries at the account, and a stranger's success (the facilitator on a new computer) clears
the strangers' count.

The counts live in the app's :class:`~app.limiting.RateLimits`: in this process by default, and
shared by every server process through Redis when ``ATELIER_REDIS_URL`` is set — so wrong
passwords spread over several processes (a load balancer sends each attempt anywhere) lock the
account after the same ``ATELIER_LOGIN_FAILURES_PER_ACCOUNT``. While Redis does not answer, each
process counts on its own (never not at all). Emails, cookies and addresses are stored only as
keyed digests.
"""

from __future__ import annotations

import math

from app.limiting import RateLimits, Window
from app.settings import Settings


class FailureWindow:
    """Failures per key in an exact sliding (moving) window of ``window_seconds``.

    ``limit`` failures within the window lock the key until the oldest of them is
    ``window_seconds`` old. Bounded in memory by the window: each key keeps at most ``limit``
    timestamps and expires with the window (in Redis and in this process alike).
    """

    def __init__(self, limits: RateLimits, name: str, *, limit: int, window_seconds: int) -> None:
        self.limit = limit
        self.window = window_seconds
        self.counts: Window = limits.window(
            name, amount=limit, seconds=window_seconds, strategy="moving-window"
        )

    async def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or ``None`` if it may now."""
        return await self.counts.retry_after(key)

    async def fail(self, key: str) -> None:
        await self.counts.hit(key)

    async def forget(self, key: str) -> None:
        await self.counts.clear(key)


class LoginThrottle:
    def __init__(self, settings: Settings, limits: RateLimits) -> None:
        window = settings.login_failure_window_minutes * 60
        self.accounts = FailureWindow(
            limits,
            "login-account",
            limit=settings.login_failures_per_account,
            window_seconds=window,
        )
        self.known = FailureWindow(
            limits,
            "login-known-browser",
            limit=settings.login_failures_per_account,
            window_seconds=window,
        )
        self.addresses = FailureWindow(
            limits,
            "login-address",
            limit=settings.login_failures_per_address,
            window_seconds=window,
        )

    async def wait_minutes(
        self, *, email: str, address: str, device: str | None = None
    ) -> int | None:
        """Whole minutes to wait before this attempt may be checked, or ``None`` to go ahead.

        ``device``: the browser's device cookie for this account, if it logged in to it before.
        A stranger (``None``) waits for the account's and the address's counts; a known browser
        only for its own.
        """
        if device is None:
            waits = [
                await self.accounts.retry_after(_account_key(email)),
                await self.addresses.retry_after(address),
            ]
        else:
            waits = [await self.known.retry_after(_browser_key(email, device))]
        longest = max((w for w in waits if w is not None), default=None)
        return None if longest is None else max(1, math.ceil(longest / 60))

    async def failed(self, *, email: str, address: str, device: str | None = None) -> None:
        if device is None:
            await self.accounts.fail(_account_key(email))
        else:
            await self.known.fail(_browser_key(email, device))
        await self.addresses.fail(address)

    async def succeeded(self, *, email: str, device: str | None = None) -> None:
        if device is None:
            await self.accounts.forget(_account_key(email))
        else:
            await self.known.forget(_browser_key(email, device))


def _account_key(email: str) -> str:
    return email.strip().lower()


def _browser_key(email: str, device: str) -> str:
    return f"{_account_key(email)}\n{device}"
