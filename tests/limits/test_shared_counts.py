"""Two limiters built as two server processes build them (own client, own pool) share one count.

Each test runs on the shared Redis under a key prefix of its own (see ``conftest.py``).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time

import pytest
import redis

from app.accounts.throttle import LoginThrottle
from app.limiting import RateLimits
from app.realtime.budget import FrameBudget, window_for
from app.settings import Settings
from app.workshops.ratelimit import WindowLimiter, WrongCodeGate
from app.workshops.sharing import UNKNOWN_PER_HOUR, share_limiter

pytestmark = pytest.mark.anyio

EMAIL = "fenna@gemeente.example"


def settings(tmp_path, **values) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="s" * 40, **values)


async def test_wrong_passwords_through_one_process_count_in_the_other(processes, tmp_path):
    config = settings(tmp_path)  # five per account, fifty per address, 15 minutes
    one, other = LoginThrottle(config, processes()), LoginThrottle(config, processes())
    for n in range(4):
        await (one if n % 2 else other).failed(email=EMAIL, address="192.0.2.1")
    assert await one.wait_minutes(email=EMAIL, address="192.0.2.1", device=None) is None
    await one.failed(email=f"  {EMAIL.upper()} ", address="192.0.2.2")  # the same account
    for throttle in (one, other):
        assert await throttle.wait_minutes(email=EMAIL, address="198.51.100.7") == 15
        assert (
            await throttle.wait_minutes(email=EMAIL, address="198.51.100.7", device="cookie")
            is None
        ), "strangers' wrong passwords never lock out a browser that logged in before"
        assert (
            await throttle.wait_minutes(
                email="ander@gemeente.example", address="192.0.2.1", device=None
            )
            is None
        )
    await other.succeeded(email=EMAIL)  # the right password, in the other process
    assert await one.wait_minutes(email=EMAIL, address="192.0.2.1", device=None) is None


async def test_the_address_limit_is_shared_and_a_known_device_passes_it(processes, tmp_path):
    config = settings(tmp_path, login_failures_per_address=3)
    one, other = LoginThrottle(config, processes()), LoginThrottle(config, processes())
    await one.failed(email="a@x.example", address="203.0.113.9")
    await other.failed(email="b@x.example", address="203.0.113.9")
    await one.failed(email="c@x.example", address="203.0.113.9")
    for throttle in (one, other):
        assert await throttle.wait_minutes(email=EMAIL, address="203.0.113.9", device=None) == 15
        assert (
            await throttle.wait_minutes(email=EMAIL, address="203.0.113.9", device="cookie") is None
        )
        assert await throttle.wait_minutes(email=EMAIL, address="203.0.113.10", device=None) is None


async def test_wrong_join_codes_split_over_two_processes_are_limited_together(processes):
    one = WrongCodeGate(processes(), limit=4, delay=0.0)
    other = WrongCodeGate(processes(), limit=4, delay=0.0)
    answers = []
    for n in range(6):
        gate = one if n % 2 else other
        assert gate.admit("192.0.2.1")
        answers.append(await gate.wrong("192.0.2.1"))
    assert answers == [False] * 4 + [True] * 2, "the fifth wrong code, in either process, is over"
    # The right code is never counted: taking and giving back a slot touches no count.
    for _ in range(10):
        assert other.admit("192.0.2.50")
        other.release("192.0.2.50")
    assert one.admit("192.0.2.50")
    assert await one.wrong("192.0.2.50") is False, "another address has its own count"
    assert await one.failures.blocked("192.0.2.1") and await other.failures.blocked("192.0.2.1")


async def test_over_the_limit_both_processes_answer_one_wrong_code_per_delay(processes):
    """The queue of answers is shared: parallel wrong codes to two processes wait in one line."""
    delay = 0.3
    one = WrongCodeGate(processes(), limit=1, delay=delay)
    other = WrongCodeGate(processes(), limit=1, delay=delay)
    assert one.admit("192.0.2.1") and await one.wrong("192.0.2.1") is False
    gates = [one, other, one, other, one, other]
    for gate in gates:
        assert gate.admit("192.0.2.1")
    started = time.monotonic()
    answered: list[float] = []

    async def ask(gate: WrongCodeGate) -> None:
        assert await gate.wrong("192.0.2.1") is True
        answered.append(time.monotonic() - started)

    await asyncio.gather(*(ask(gate) for gate in gates))
    answered.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(answered)]
    # Queued per process, two answers would come at once and the last after 2 delays.
    assert min(gaps) >= delay / 2, f"one answer per {delay} s across both processes: {answered}"
    assert answered[-1] >= 5 * delay - 0.1, answered
    assert one._pending._taken == {} and other._pending._taken == {}, "every slot was given back"


async def test_the_frame_budget_of_one_sender_holds_across_two_processes(processes, tmp_path):
    config = settings(tmp_path)  # 10 frames per second, bursts of 30
    assert window_for(config.frames_per_second, config.frames_burst) == (30, 3)
    one, other = FrameBudget(config, processes()), FrameBudget(config, processes())
    started = time.monotonic()
    allowed = [await (one if n % 2 else other).allow("7:p:1", facilitator=False) for n in range(40)]
    took = time.monotonic() - started
    # The window slides: frames sent later than the first get a share of the budget back, about
    # 10 a second. On a busy machine the 40 round trips take a while; allow for that, no more.
    assert allowed[:30] == [True] * 30
    assert sum(allowed) <= 30 + leak(10, took), (sum(allowed), took)
    for budget, mine in ((one, allowed[1::2]), (other, allowed[0::2])):
        refused_in_a_row = len(mine) - len("".join("x" if a else "-" for a in mine).rstrip("-"))
        assert budget.strikes("7:p:1") == refused_in_a_row, "strikes stay per process"
    assert await other.allow("7:p:2", facilitator=False), "another sender has its own budget"
    assert await one.allow("7:f:1", facilitator=True)
    started = time.monotonic()
    facilitator = [
        await (one if n % 2 else other).allow("7:f:9", facilitator=True) for n in range(310)
    ]
    took = time.monotonic() - started
    assert facilitator[:300] == [True] * 300, "ten times the budget, shared too"
    assert sum(facilitator) <= 300 + leak(100, took), (sum(facilitator), took)


def leak(per_second: int, seconds: float) -> int:
    """Frames a sliding window may give back while a burst of ``seconds`` is being sent."""
    return math.ceil(per_second * seconds) + 1


async def test_the_frame_budget_refills_as_a_bucket_would(processes, tmp_path):
    """After the burst, about ``ATELIER_FRAMES_PER_SECOND`` frames a second get through again."""
    config = settings(tmp_path)  # 30 per 3 s
    one, other = FrameBudget(config, processes()), FrameBudget(config, processes())
    started = time.monotonic()
    assert sum([await one.allow("k", facilitator=False) for _ in range(40)]) == 30
    await asyncio.sleep(4.5 - (time.monotonic() - started))  # halfway into the next window
    passed = sum([await other.allow("k", facilitator=False) for _ in range(40)])
    assert 10 <= passed <= 20, f"the previous window weighs about half: {passed} of 40"
    assert one.strikes("k") == 10 and 0 < other.strikes("k") <= 40 - passed, "refused in a row"


async def test_uploads_and_unknown_share_addresses_are_counted_once_for_all(processes):
    one = WindowLimiter(processes(), "uploads", limit=2)
    other = WindowLimiter(processes(), "uploads", limit=2)
    assert await one.hit("3:device:abc") and not await other.blocked("3:device:abc")
    assert await other.hit("3:device:abc")
    assert await one.blocked("3:device:abc") and await other.blocked("3:device:abc")
    assert not await other.hit("3:device:abc")
    shares = [share_limiter(processes()), share_limiter(processes())]
    for n in range(UNKNOWN_PER_HOUR):
        assert await shares[n % 2].hit("f:1")
    assert await shares[0].blocked("f:1") and await shares[1].blocked("f:1")
    assert not await shares[1].blocked("f:2")


async def test_redis_holds_no_email_or_address_and_keys_expire(processes, shared_redis, prefix):
    limits = processes()
    throttle = LoginThrottle(Settings(secret_key="s" * 40), limits)
    await throttle.failed(email=EMAIL, address="192.0.2.77")
    gate = WrongCodeGate(limits, limit=1, delay=0.0)
    for _ in range(2):
        assert gate.admit("192.0.2.77")
        await gate.wrong("192.0.2.77")
    await FrameBudget(Settings(secret_key="s" * 40), limits).allow("7:p:1", facilitator=False)
    with redis.Redis.from_url(shared_redis) as client:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        assert len(keys) >= 5
        for key in keys:
            text = key.decode()
            assert "fenna" not in text and "192.0.2" not in text and "p:1" not in text, text
            assert 0 < client.pttl(key) <= 2 * 15 * 60 * 1000, text


async def test_two_apps_with_different_secrets_do_not_share(processes, shared_redis, prefix):
    """Keys are digests keyed by the secret: only processes of one installation count together."""
    other_install = RateLimits(secret_key="t" * 40, redis_url=shared_redis, key_prefix=prefix)
    try:
        ours = WindowLimiter(processes(), "uploads", limit=1)
        theirs = WindowLimiter(other_install, "uploads", limit=1)
        assert await ours.hit("k") and await theirs.hit("k")
    finally:
        await other_install.close()
