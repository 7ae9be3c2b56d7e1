"""Two real server processes on one PostgreSQL database and one Redis, as behind a load balancer:
wrong passwords spread over both lock the account after the per-account limit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.limits.conftest import OwnRedis
from tests.support.databases import postgres_database
from tests.support.server import Server

PASSWORD = "een-lang-en-geheim-wachtwoord"


@pytest.fixture
def two_servers(tmp_path: Path, own_redis: OwnRedis) -> Iterator[tuple[Server, Server]]:
    with postgres_database() as url:
        servers = [
            Server(data_dir=tmp_path, database_url=url, ATELIER_REDIS_URL=own_redis.url)
            for _ in range(2)
        ]
        try:
            for server in servers:  # one after the other: each migrates at start-up
                server.start()
            yield servers[0], servers[1]
        finally:
            for server in servers:
                server.stop()


def attempt(http: httpx.Client, email: str, password: str) -> httpx.Response:
    token = http.get("/api/csrf").json()["csrf_token"]
    return http.post(
        "/api/session",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": token},
    )


def test_wrong_passwords_spread_over_two_servers_lock_the_account(two_servers):
    one, other = two_servers
    email = f"fenna-{uuid.uuid4().hex[:8]}@gemeente.example"
    command = ["create-facilitator", "--email", email, "--name", "Fenna", "--password-stdin"]
    made = one.run_cli(*command, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stdout + made.stderr
    with (
        httpx.Client(base_url=one.url, timeout=30) as at_one,
        httpx.Client(base_url=other.url, timeout=30) as at_other,
    ):
        for n in range(5):  # the per-account limit (5), alternating between the servers
            wrong = attempt(at_one if n % 2 else at_other, email, "niet-het-wachtwoord")
            assert wrong.status_code == 401, wrong.text
        for http in (at_one, at_other):
            locked = attempt(http, email, PASSWORD)
            assert locked.status_code == 429, "locked on both, even for the right password"
            assert locked.headers["retry-after"] == "900"
        # Without Redis each server would have counted 2 or 3 of the 5 and let the right one in.
        other_account = attempt(at_one, f"iemand-{uuid.uuid4().hex[:8]}@x.example", PASSWORD)
        assert other_account.status_code == 401, "another account is not locked"
    for server in (one, other):
        assert "does not answer" not in server.log(), "Redis was used all along"
