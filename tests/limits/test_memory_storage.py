"""The in-process storage of the rate limits sweeps expired keys at most once a second.

The library's own storage starts a sweep over every key on each hit once the previous sweep is
done; with a thousand phones that was a walk over thousands of keys per WebSocket frame.
"""

from __future__ import annotations

import asyncio

import pytest
from limits.aio.storage import MemoryStorage

from app.limiting import TidyMemoryStorage

pytestmark = pytest.mark.anyio


def test_the_library_still_has_the_hook_the_storage_overrides():
    # If an upgrade of `limits` renames it, the override silently stops working: fail here.
    assert hasattr(MemoryStorage, "_MemoryStorage__schedule_expiry")
    assert hasattr(MemoryStorage, "_MemoryStorage__expire_events")


async def _sweeps_during(storage: MemoryStorage, hits: int) -> int:
    """How many sweeps ``hits`` counter hits on as many keys start."""
    sweeps: list[asyncio.Task[None]] = []  # kept, so no two sweeps ever share an id
    for n in range(hits):
        await storage.incr(f"frames/{n}", expiry=60)
        if storage.timer is not None and storage.timer not in sweeps:
            sweeps.append(storage.timer)
        await asyncio.sleep(0)  # let a started sweep finish, as between frames in the server
    return len(sweeps)


async def test_a_thousand_hits_start_one_sweep_not_hundreds():
    tidy = TidyMemoryStorage()
    assert await _sweeps_during(tidy, 1000) == 1
    # The library's storage, the same way: what the override is for.
    assert await _sweeps_during(MemoryStorage(), 1000) > 100


async def test_a_key_expires_on_time_without_a_sweep():
    storage = TidyMemoryStorage()
    storage.sweep_seconds = 3600.0
    await storage.incr("k", expiry=0.2)
    await storage.incr("k", expiry=0.2)
    assert await storage.get("k") == 2
    await asyncio.sleep(0.3)
    assert await storage.get("k") == 0, "a read checks the expiry itself"


async def test_expired_keys_are_swept_out_after_the_interval():
    storage = TidyMemoryStorage()
    storage.sweep_seconds = 0.1
    await storage.incr("old", expiry=0.05)
    await asyncio.sleep(0.2)
    await storage.incr("new", expiry=60)  # starts a sweep: the interval has passed
    for _ in range(20):
        await asyncio.sleep(0.01)
        if "old" not in storage.storage:
            break
    assert "old" not in storage.storage and "new" in storage.storage
