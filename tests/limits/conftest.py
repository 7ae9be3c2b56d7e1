"""Redis for the rate-limit tests: the shared one at 127.0.0.1:6379, or one a test runs itself.

Tests on the shared Redis use a key prefix of their own and delete their keys afterwards. Tests
that stop and restart Redis start their own ``redis-server`` on a free port, so the shared one is
never touched. Under ``CI=true`` a missing Redis (or ``redis-server``) fails the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import redis

from app.limiting import RateLimits
from tests.support.databases import unavailable
from tests.support.redis import RedisServer

SHARED_REDIS = os.environ.get("ATELIER_TEST_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "test-secret-" + "x" * 40


def ping(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        with client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.fixture
def shared_redis() -> str:
    if not ping(SHARED_REDIS):
        unavailable(f"Redis not reachable at {SHARED_REDIS}")
    return SHARED_REDIS


@pytest.fixture
def prefix(shared_redis: str) -> Iterator[str]:
    """A key prefix for this test alone; its keys are deleted afterwards."""
    name = f"atelier-test-{uuid.uuid4().hex[:12]}"
    yield name
    with redis.Redis.from_url(shared_redis) as client:
        keys = list(client.scan_iter(match=f"{name}:*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
async def processes(shared_redis: str, prefix: str) -> AsyncIterator[Callable[..., RateLimits]]:
    """``processes()`` makes the storage one server process would: its own client and pool."""
    made: list[RateLimits] = []

    def make(**options: float) -> RateLimits:
        limits = RateLimits(secret_key=SECRET, redis_url=shared_redis, key_prefix=prefix, **options)
        made.append(limits)
        return limits

    yield make
    for limits in made:
        await limits.close()


#: A Redis of the test's own (the shared one is never stopped).
OwnRedis = RedisServer


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()
