"""The frame budget: how many WebSocket frames one sender may send, across all its sockets.

A sender is a participant (its token), a workshop's screen, or a facilitator, in one workshop;
the caller passes one key for it (``f"{workshop_id}:{actor.key}"``), the same from every socket
and every process. Every frame after ``hello`` counts (commands, pings, garbage, binary).
Facilitators get :data:`FACILITATOR_FACTOR` times the budget: they steer the whole room.

**Strategy.** The budget was a token bucket (``ATELIER_FRAMES_PER_SECOND`` = r, bursts of
``ATELIER_FRAMES_BURST`` = b) in each process. Shared through Redis it must cost at most one round
trip per frame (a vote burst is ~500 frames/s on one core), and the `limits` library offers three
strategies, each one script call per hit:

* *fixed window* (``INCR`` + ``EXPIRE``): the cheapest, but a sender can spend a full window's
  budget at the end of one window and again at the start of the next — twice the burst at once.
* *moving window*: exact, but it keeps one timestamp per allowed frame (up to b per sender, 10 b
  for facilitators) and, in the in-process storage, sweeps every key's list in a worker thread —
  too much work for something checked on every frame.
* *sliding window counter* (chosen): two counters per sender (this window, the previous one), the
  previous weighted by how much of it still overlaps. O(1) memory and work per frame in Redis and
  in memory (measured: 6–25 µs a frame in memory; with a local Redis one round trip and about
  0.15 ms of this process's CPU, so 500 frames/s cost under a tenth of a core). "b frames per b/r
  seconds" approximates the bucket: after a quiet spell a sender may send b frames at once, and
  sustained r per second. The difference: a sender that spent the whole burst may wait up to one
  window (b/r = 3 s by default) before the next frame instead of 1/r — only a client that keeps
  sending that fast notices, and it is told ``rate_limited`` and sends its command again later.

The window is b/r rounded to whole seconds (the library counts in seconds), at least one, and the
amount r times that window: the defaults (10/s, bursts of 30) give exactly 30 frames per 3 s.

**Strikes** — frames refused in a row — stay in this process: they only decide when a flooding
socket is closed (``FLOOD_STRIKES`` in the endpoint), and a sender flooding two processes is
refused and closed in both. When Redis does not answer, the budget is counted in this process
(:mod:`app.limiting`).
"""

from __future__ import annotations

from app.limiting import RateLimits, Window
from app.settings import Settings

#: A facilitator's frame budget is this many times a participant's: they steer the whole room.
FACILITATOR_FACTOR = 10
#: Senders whose strikes are remembered at once; a flood of keys clears the table (harmless:
#: a flooding socket then needs another run of refusals before it is closed).
MAX_STRIKE_KEYS = 100_000


def window_for(rate: float, burst: float) -> tuple[int, int]:
    """``(amount, seconds)``: the sliding window standing in for a bucket of ``rate``/``burst``."""
    seconds = max(1, round(burst / rate)) if rate > 0 else 1
    amount = max(1, round(rate * seconds))
    return amount, seconds


class FrameBudget:
    """Frames per sender, shared by all its sockets (and processes, through Redis)."""

    def __init__(self, settings: Settings, limits: RateLimits) -> None:
        rate, burst = settings.frames_per_second, settings.frames_burst
        amount, seconds = window_for(rate, burst)
        self.participant: Window = limits.window(
            "frames", amount=amount, seconds=seconds, strategy="sliding-window-counter"
        )
        amount, seconds = window_for(rate * FACILITATOR_FACTOR, burst * FACILITATOR_FACTOR)
        self.facilitator: Window = limits.window(
            "frames-facilitator", amount=amount, seconds=seconds, strategy="sliding-window-counter"
        )
        self._strikes: dict[str, int] = {}

    async def allow(self, key: str, *, facilitator: bool) -> bool:
        """Count one frame of ``key``'s; ``False`` when over the budget (a strike)."""
        window = self.facilitator if facilitator else self.participant
        if await window.hit(key):
            self._strikes.pop(key, None)
            return True
        if key not in self._strikes and len(self._strikes) >= MAX_STRIKE_KEYS:
            self._strikes.clear()
        self._strikes[key] = self._strikes.get(key, 0) + 1
        return False

    def strikes(self, key: str) -> int:
        """Frames refused in a row for this sender here: many means a flood, not a burst."""
        return self._strikes.get(key, 0)

    def forget(self, key: str) -> None:
        """Drop the strikes of a sender whose sockets are all closed (optional tidying)."""
        self._strikes.pop(key, None)
