"""A fresh, empty database per test: SQLite in a temp folder, or PostgreSQL when asked.

``ATELIER_TEST_DATABASE=postgres`` runs the suite against the local PostgreSQL server, each test
in its own database that is dropped afterwards. Under ``CI=true`` a missing server is a failure,
never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_ADMIN = os.environ.get(
    "ATELIER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def wants_postgres() -> bool:
    return os.environ.get("ATELIER_TEST_DATABASE", "sqlite") == "postgres"


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: nothing may be skipped silently there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)  # only outside CI: under CI=true the line above failed the test


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"atelier_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL not reachable at {POSTGRES_ADMIN}: {exc}")
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(tmp_path: Path) -> Iterator[str]:
    if wants_postgres():
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'atelier.db'}"
