"""Sliding-window limits on joining, uploads and sharing, counted in the app's :class:`RateLimits`.

The counts live in :mod:`app.limiting`: in this process by default, shared by every process
through Redis when ``ATELIER_REDIS_URL`` is set (and per process again, never fully open, while
Redis does not answer).

The caller decides what counts as a hit. For a join code, failures count: a whole room of phones
joins from one community-centre address, and none should be slowed down for typing the right
code. Failures slow down only further failures (:class:`WrongCodeGate`): the right code is never
slowed by them. Joins with the right code are counted separately and generously
(:class:`JoinRate`): enough for a town hall behind one address, not for a script that fills a
room with bots. For uploads, every upload counts, per participant.
"""

from __future__ import annotations

import asyncio

from app.limiting import RateLimits, Slots, Window


class WindowLimiter:
    """At most ``limit`` hits per key in any ``window_seconds`` (the exact moving window).

    Rare events (uploads, unknown share addresses, wrong codes), so exactness matters more than
    cost: one call to Redis per check when it is configured.
    """

    def __init__(
        self, limits: RateLimits, name: str, *, limit: int, window_seconds: int = 60
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.counts: Window = limits.window(
            name, amount=limit, seconds=window_seconds, strategy="moving-window"
        )

    async def blocked(self, key: str) -> bool:
        """Whether ``key`` has had ``limit`` hits in the window (nothing is counted)."""
        return await self.counts.blocked(key)

    async def hit(self, key: str) -> bool:
        """Count one hit; ``False`` if ``key`` was already at the limit (then it is not counted)."""
        return await self.counts.hit(key)


class WrongCodeGate:
    """Join codes from one address: the right code always joins, wrong ones get slower.

    A community centre's Wi-Fi is one address for a whole room of phones, so the address must
    never be blocked as such: blocking it would refuse the right code to everyone behind it after
    a few typos (or after one guesser). Instead only *wrong* codes are limited:

    * Up to ``limit`` wrong codes per ``window`` seconds per address are answered at once (404).
      The count is shared by every process using the same Redis (:mod:`app.limiting`), so more
      server processes do not give an address more wrong codes.
    * Beyond that, the address's wrong codes are answered one at a time, ``delay`` seconds apart
      (429 with ``Retry-After``). Answers are queued per address — across processes too, through
      Redis (:meth:`RateLimits.turn`) — so parallel requests, to one process or to several, do
      not get more answers per second than serial ones.
    * At most ``max_pending`` requests per address may be between "arrived" and "answered" at
      once in this process; a further one is refused (429) *before* its code is looked at. A right
      code is looked up and answered at once, so its slot is free again within milliseconds; only
      a flood of parallel wrong codes from the same address fills the slots. That refusal is what
      stops a guesser from learning anything faster by opening more connections; only while such
      a flood runs can someone behind the same address be turned away with the right code. The
      slots are per process on purpose: they bound this process's waiting requests, and taking
      one costs nothing (no Redis call before the code is looked at). With several processes an
      address may hold ``max_pending`` waiting requests in each, but they wait in one shared
      queue, so it learns no more answers per second.
    * The right code never touches the counts: :meth:`release` only gives the slot back.

    Why guessing stays infeasible: codes are 6 symbols from 31 (``joincode``), 31**6 ≈ 887
    million. With the defaults (10 per minute, then one every 3 s) one address learns the answer
    to at most ~30 codes a minute, ~43,000 a day — however many server processes there are. Even
    with 100 workshops open to joining at the same moment, one guess hits one of them with
    probability 100 / 887 million, so an address needs on average ~200 days of nonstop guessing
    for a single hit — and a hit only gives a seat in a room whose facilitator sees who joined
    and can remove them. Many addresses guess proportionally faster; that is what the code length
    is for, and why the count is per address as uvicorn resolved it
    (:func:`app.web.client.client_address`), never per forwarded header, and an IPv6 address
    by its /64 (:func:`app.web.client.address_key`): one IPv6 guesser usually holds 2**64
    addresses. While Redis does not answer, each process counts and queues on its own (the
    figures above then hold per process).
    """

    def __init__(
        self,
        limits: RateLimits,
        *,
        limit: int,
        delay: float,
        window_seconds: int = 60,
        max_pending: int = 64,
    ) -> None:
        self.limits = limits
        self.failures = WindowLimiter(
            limits, "join-wrong", limit=limit, window_seconds=window_seconds
        )
        self.delay = delay
        self.max_pending = max_pending
        self._pending = Slots(max_pending)

    def admit(self, address: str) -> bool:
        """Take a slot before looking at the code; ``False``: refuse without looking (flood)."""
        return self._pending.take(address)

    def release(self, address: str) -> None:
        """Give the slot back (after a right code, or once a wrong one is answered)."""
        self._pending.give_back(address)

    async def wrong(self, address: str) -> bool:
        """Count a wrong code and wait for its turn; ``True`` when the address is over the limit.

        The caller's slot (from :meth:`admit`) is released here, after the wait.
        """
        try:
            if await self.failures.hit(address):
                return False  # counted, under the limit: answered at once
            wait = await self.limits.turn("join-turn", address, self.delay)
            await asyncio.sleep(wait)
            return True
        finally:
            self.release(address)


class JoinRate:
    """Joins with the right code: at most so many per address and per workshop in a window.

    The code is on the projector, so knowing it proves nothing, and every participant who stays
    connected counts towards who must rate and may rate (convergence). A script that joins
    hundreds of times would sway or block a room; these two counts bound how fast it can:

    * **Per address** (an IPv6 address by its /64): ``ATELIER_JOINS_PER_ADDRESS`` (1,000) per
      ``ATELIER_JOIN_WINDOW_MINUTES`` (10). A school or town hall often reaches the internet
      through one NAT address on the venue's Wi-Fi, and its whole room scans the QR code within
      a minute or two of the facilitator showing it: so one address must be able to bring in
      the largest room the app is built for, a thousand phones, however tightly they arrive.
      A script on one address gets no more than that one room's worth in ten minutes, then
      one join per 0.6 s on average (the window slides).
    * **Per workshop**, from all addresses together: ``ATELIER_JOINS_PER_WORKSHOP`` (1,500) per
      window: the largest room, plus half again for phones that join a second time (another
      browser, after leaving). It stops a script spread over many addresses from adding more
      than that to one room.

    No limit can tell a room behind one address from a script behind one address, so these are
    a ceiling, not the defence: a facilitator who wants to know who comes in switches on the
    workshop's admit step (joins wait in the lobby until let in) and can remove several
    participants at once (``docs/security.md``, "Flooding and lockout").

    Both counts use the exact moving window (one timestamp per join, at most the limit per key)
    and are shared by every process through Redis when it is configured. The address is counted
    first: a join refused for the workshop's count has used one of the address's.
    """

    def __init__(
        self, limits: RateLimits, *, per_address: int, per_workshop: int, window_seconds: int
    ) -> None:
        self.addresses = WindowLimiter(
            limits, "joins-address", limit=per_address, window_seconds=window_seconds
        )
        self.workshops = WindowLimiter(
            limits, "joins-workshop", limit=per_workshop, window_seconds=window_seconds
        )

    async def wait(self, *, address: str, workshop_id: int) -> float | None:
        """Count one join; ``None``: go ahead, else the seconds until one may be counted."""
        for limiter, key in ((self.addresses, address), (self.workshops, str(workshop_id))):
            if not await limiter.hit(key):
                return await limiter.counts.retry_after(key) or float(limiter.window)
        return None
