"""Fixtures shared by every test: a database of its own, a real server, a logged-in facilitator.

Tests are isolated by data, not by process: the tests of a module share one running server
(``module_server``) and each makes its own facilitator, trajectory, workshop and participants.
A test that needs a server of its own says so with ``@pytest.mark.own_server(**env)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.db import make_engine
from tests.support.databases import MigratedTemplate, database_url
from tests.support.server import Facilitator, Server

FACILITATOR_EMAIL = "fenna@gemeente.example"
FACILITATOR_PASSWORD = "lang-en-geheim-wachtwoord"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplate]:
    """The schema migrated once for the whole run; tests get copies of it."""
    template = MigratedTemplate(tmp_path_factory.mktemp("template"))
    yield template
    template.close()


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: MigratedTemplate) -> Iterator[str]:
    """A database of this test's own, already at the schema's head."""
    with migrated_template.copy(tmp_path) as url:
        yield url


@pytest.fixture
def empty_db_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own, for the tests of migrating one."""
    with database_url(tmp_path) as url:
        yield url


@pytest.fixture
def make_server(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Server]]:
    """``make_server(**env)``: a server of this test's own (not started), on its database."""
    servers: list[Server] = []

    def make(**env: str) -> Server:
        server = Server(data_dir=tmp_path, database_url=db_url, **env)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def started_with_facilitator(make_server: Callable[..., Server], **env: str) -> Server:
    """A running server of the test's own (with ``env`` settings) that has the test
    facilitator's account (``FACILITATOR_EMAIL``)."""
    server = make_server(**env)
    server.start()
    server.add_facilitator(email=FACILITATOR_EMAIL, name="Fenna", password=FACILITATOR_PASSWORD)
    return server


@pytest.fixture(scope="module")
def module_server(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: MigratedTemplate
) -> Iterator[Server]:
    """One server for the tests of a module, each of which works on data of its own.

    Starting a server is most of what a test of the running app costs (a Python process that
    imports the app); a test that isolates itself by data — its own facilitator, trajectory,
    workshop and participants — loses nothing by sharing it.
    """
    folder = tmp_path_factory.mktemp("server")
    with migrated_template.copy(folder) as url:
        server = Server(data_dir=folder, database_url=url)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Server:
    """A running server: the module's shared one, or — for a test marked
    ``@pytest.mark.own_server(**env)`` — one of the test's own with those settings (a test that
    changes settings, counts what the whole server did, stops the server or exhausts a limit that
    is counted per address)."""
    marker = request.node.get_closest_marker("own_server")
    if marker is None:
        shared: Server = request.getfixturevalue("module_server")
        return shared
    make: Callable[..., Server] = request.getfixturevalue("make_server")
    own = make(**marker.kwargs)
    own.start()
    return own


@pytest.fixture
def facilitator(server: Server) -> Iterator[Facilitator]:
    """A facilitator of this test's own, logged in (an account no other test uses)."""
    email = server.add_facilitator(name="Fenna", password=FACILITATOR_PASSWORD)
    client = Facilitator(server, email=email, password=FACILITATOR_PASSWORD)
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules marked ``slow`` first (in their order), then the others (in theirs).

    With the tests spread over workers (pytest-xdist, a module to a worker), a long module
    handed out last would leave one worker busy on its own at the end: started first, it runs
    beside the many short ones instead.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_report_header() -> str:
    return f"database: {os.environ.get('ATELIER_TEST_DATABASE', 'sqlite')}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database of this test's own, as an engine."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
