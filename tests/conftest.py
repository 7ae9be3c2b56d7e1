"""Fixtures shared by every test: a fresh database, a real server, a logged-in facilitator."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.accounts.factories import migrated_engine
from tests.support.databases import database_url
from tests.support.server import Facilitator, Server

FACILITATOR_EMAIL = "fenna@gemeente.example"
FACILITATOR_PASSWORD = "lang-en-geheim-wachtwoord"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    with database_url(tmp_path) as url:
        yield url


@pytest.fixture
def make_server(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def make(**env: str) -> Server:
        server = Server(data_dir=tmp_path, database_url=db_url, **env)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def started_with_facilitator(make_server: Callable[..., Server], **env: str) -> Server:
    """A running server (with ``env`` settings) that has the test facilitator's account."""
    server = make_server(**env)
    server.start()
    result = server.run_cli(
        "create-facilitator",
        "--email",
        FACILITATOR_EMAIL,
        "--name",
        "Fenna",
        "--password-stdin",
        stdin=FACILITATOR_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return server


@pytest.fixture
def server(make_server: Callable[..., Server]) -> Server:
    return started_with_facilitator(make_server)


@pytest.fixture
def facilitator(server: Server) -> Iterator[Facilitator]:
    client = Facilitator(server, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD)
    yield client
    client.close()


@pytest.fixture
def workshop(facilitator: Facilitator) -> dict[str, Any]:
    """A trajectory expecting four groups, and a workshop on it with the default agenda."""
    trajectory = facilitator.post(
        "/api/trajectories",
        {
            "theme": "Eenzaamheid onder oudere inwoners",
            "expected_groups": ["inwoner", "ervaringsdeskundige", "ketenpartner", "beleid"],
        },
    )
    return facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops",
        {
            "title": "Startbijeenkomst",
            "theme_question": "Wat maakt dat ouderen zich eenzaam voelen?",
        },
    )


def pytest_report_header() -> str:
    return f"database: {os.environ.get('ATELIER_TEST_DATABASE', 'sqlite')}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database of this test's own, as an engine."""
    with migrated_engine(db_url) as engine:
        yield engine
