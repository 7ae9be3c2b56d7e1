"""Redis configured but away: every check is answered (in this process), nothing crashes, and
as soon as Redis answers again the counts are shared again.

These tests stop and start a ``redis-server`` of their own (``own_redis``), never the shared one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from fastapi import FastAPI

from app.accounts.throttle import LoginThrottle
from app.limiting import RateLimits
from app.main import create_app
from app.realtime.budget import FrameBudget
from app.settings import Settings
from app.workshops.ratelimit import WindowLimiter, WrongCodeGate
from tests.accounts.factories import make_facilitator
from tests.accounts.web import EMAIL, browser, log_in, try_log_in
from tests.support.server import free_port

pytestmark = pytest.mark.anyio

SECRET = "s" * 40


def closed_port_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_an_unreachable_redis_allows_at_once_and_limits_in_this_process(caplog, tmp_path):
    caplog.set_level(logging.WARNING, logger="app.limiting")
    limits = RateLimits(secret_key=SECRET, redis_url=closed_port_url())
    try:
        throttle = LoginThrottle(Settings(data_dir=tmp_path, secret_key=SECRET), limits)
        budget = FrameBudget(Settings(data_dir=tmp_path, secret_key=SECRET), limits)
        started = time.monotonic()
        assert await throttle.wait_minutes(email=EMAIL, address="192.0.2.1", device=None) is None
        assert await budget.allow("1:p:1", facilitator=False)
        assert time.monotonic() - started < 2.0, "a refused connection costs no long wait"
        assert not limits.answering
        for _ in range(5):
            await throttle.failed(email=EMAIL, address="192.0.2.1")
        assert await throttle.wait_minutes(email=EMAIL, address="192.0.2.1", device=None) == 15, (
            "better than open: counted in this process meanwhile"
        )
        assert sum([await budget.allow("1:p:2", facilitator=False) for _ in range(40)]) == 30
        warnings = [r for r in caplog.records if r.name == "app.limiting"]
        assert len(warnings) == 1, "one warning, not one per check"
        message = warnings[0].getMessage()
        assert "does not answer" in message
        assert "fenna" not in message and "192.0.2" not in message and SECRET not in message
    finally:
        await limits.close()


async def test_a_blackholed_redis_costs_at_most_the_timeout_once(tmp_path):
    """A Redis that accepts but never answers: the first check waits the timeout, later ones not."""
    listener = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)  # never replies
    port = listener.sockets[0].getsockname()[1]
    limits = RateLimits(secret_key=SECRET, redis_url=f"redis://127.0.0.1:{port}/0", timeout=0.2)
    try:
        window = WindowLimiter(limits, "uploads", limit=2)
        started = time.monotonic()
        assert await window.hit("k")
        first = time.monotonic() - started
        assert first < 1.5, first  # the timeout, with its one retry
        started = time.monotonic()
        for _ in range(50):
            await window.hit("k")
        assert time.monotonic() - started < 0.2, "while away, checks do not wait for Redis"
        assert await window.blocked("k")
    finally:
        await limits.close()
        listener.close()
        await listener.wait_closed()


async def test_when_redis_comes_back_the_counts_are_shared_again(own_redis, tmp_path):
    one = RateLimits(secret_key=SECRET, redis_url=own_redis.url, retry_seconds=0.1)
    other = RateLimits(secret_key=SECRET, redis_url=own_redis.url, retry_seconds=0.1)
    try:
        gates = [WrongCodeGate(limits, limit=3, delay=0.0) for limits in (one, other)]

        async def wrong(gate: WrongCodeGate, address: str) -> bool:
            assert gate.admit(address)
            return await gate.wrong(address)

        assert [await wrong(gates[n % 2], "192.0.2.1") for n in range(4)] == [False] * 3 + [True]

        own_redis.stop()  # Redis goes away: both processes go on, each counting on its own
        answers = [await wrong(gates[n % 2], "192.0.2.2") for n in range(6)]
        assert answers == [False] * 6, "three each, per process, while Redis is away"
        assert not one.answering and not other.answering
        assert await wrong(gates[0], "192.0.2.2") is True, "but still limited per process"

        own_redis.start()  # the same port: a restarted Redis, empty
        await until(lambda: one.answering and other.answering)
        answers = [await wrong(gates[n % 2], "192.0.2.3") for n in range(4)]
        assert answers == [False] * 3 + [True], "shared again: three for both together"
    finally:
        await one.close()
        await other.close()


async def test_a_restarted_redis_is_used_again_without_a_failed_check(own_redis, caplog):
    """Pooled connections die with the restart; the one retry on a fresh connection hides it."""
    caplog.set_level(logging.WARNING, logger="app.limiting")
    limits = RateLimits(secret_key=SECRET, redis_url=own_redis.url)
    try:
        window = WindowLimiter(limits, "uploads", limit=5)
        assert await window.hit("k")
        own_redis.stop()
        own_redis.start()
        assert await window.hit("k")
        assert limits.answering and not caplog.records
    finally:
        await limits.close()


@pytest.fixture
async def app_without_its_redis(tmp_path: Path, db_url: str):
    settings = Settings(
        data_dir=tmp_path, database_url=db_url, secret_key=SECRET, redis_url=closed_port_url()
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        make_facilitator(app.state.engine, email=EMAIL, name="Fenna")
        yield app
        await app.state.limits.close()


async def test_logins_go_through_while_the_configured_redis_is_away(app_without_its_redis: FastAPI):
    app = app_without_its_redis
    async with browser(app) as client:
        wrong = await try_log_in(client, password="niet-het-wachtwoord")
        assert wrong.status_code == 400, "a wrong password is answered as ever, not with a 500"
        await log_in(client)
        assert not app.state.limits.answering
        for _ in range(5):
            await try_log_in(client, password="niet-het-wachtwoord")
        assert (await try_log_in(client)).status_code == 429, "still throttled, in this process"
