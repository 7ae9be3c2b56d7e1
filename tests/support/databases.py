"""Databases for tests: one of each test's (or each shared server's) own, SQLite or PostgreSQL.

``ATELIER_TEST_DATABASE=postgres`` runs the suite against the local PostgreSQL server, each
database made for one test (or one module's server) and dropped afterwards. Under ``CI=true`` a
missing server is a failure, never a skip.

Migrating a database from nothing costs about 0.6 CPU-seconds on SQLite and more on PostgreSQL,
and most tests want one at the schema's head: :class:`MigratedTemplate` migrates once per test
session and hands out copies — the file copied on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL (which copies the files without replaying a migration). Each copy is a database of its
own: nothing a test writes is seen by another.
"""

from __future__ import annotations

import os
import shutil
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


def _admin():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL not reachable at {POSTGRES_ADMIN}: {exc}")
        raise


def _postgres_url(name: str) -> str:
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def _drop(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (empty, or a copy of ``template``), dropped afterwards."""
    name = f"atelier_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        copy = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield _postgres_url(name)
    finally:
        _drop(name)


@contextmanager
def database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (for the tests of migrating itself)."""
    if wants_postgres():
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'atelier.db'}"


class MigratedTemplate:
    """A database migrated to the schema's head once, of which each test gets a copy."""

    def __init__(self, folder: Path) -> None:
        from app.db import migrate

        self.folder = folder
        self.postgres_name: str | None = None
        if wants_postgres():
            self.postgres_name = f"atelier_template_{uuid.uuid4().hex[:12]}"
            with _admin() as admin:
                admin.execute(f'CREATE DATABASE "{self.postgres_name}"')
            # migrate() disposes of its engine: no connection to the template stays open, which
            # CREATE DATABASE … TEMPLATE requires.
            migrate(_postgres_url(self.postgres_name))
        else:
            self.sqlite_file = folder / "template.db"
            migrate(f"sqlite:///{self.sqlite_file}")
            # The last connection closed checkpoints the WAL: the one file holds everything.
            assert not Path(f"{self.sqlite_file}-wal").exists()

    @contextmanager
    def copy(self, folder: Path) -> Iterator[str]:
        """A database of its own at the schema's head; SQLite's file goes in ``folder``."""
        if self.postgres_name is not None:
            with postgres_database(template=self.postgres_name) as url:
                yield url
            return
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "atelier.db"
        shutil.copyfile(self.sqlite_file, path)
        path.chmod(0o600)  # as the app makes it: it holds names and contributions
        yield f"sqlite:///{path}"

    def close(self) -> None:
        if self.postgres_name is not None:
            _drop(self.postgres_name)
