"""The database engine, sessions and schema migration.

SQLite is the default and must behave like a serialising database: every transaction starts with
``BEGIN IMMEDIATE`` so two writers never interleave (the event log's ``seq`` depends on it), and
WAL lets readers work beside the single writer. PostgreSQL gets row locks in the services instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

#: The repository's ``migrations/`` folder. An installed copy (the Docker image) names its own
#: with ``ATELIER_MIGRATIONS_DIR``: migrations are not Python package data.
MIGRATIONS_DIR = Path(
    os.environ.get("ATELIER_MIGRATIONS_DIR", Path(__file__).resolve().parent.parent / "migrations")
)


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; for SQLite, make the folder and set the pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
        )
    _prepare_sqlite_file(url)
    # hide_parameters: a database error's text must not carry participant text into the logs.
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin hook below own the transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted and rewritten rows (a withdrawn card, an edited text, scrubbed names) are
        # zeroed in the file, not left in free space for anyone with a copy of it to read.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _prepare_sqlite_file(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        private_file(Path(str(parsed.database)))


def private_file(path: Path) -> None:
    """Make sure only the server's own user can read ``path`` (and a folder made for it).

    The database holds names, organisations and contributions: mode 0600, in a folder made 0700
    if it does not exist yet. SQLite gives its -wal and -shm files the database file's mode.
    An existing folder is left as it is: it may be shared (the working directory, say).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def checkpoint_wal(engine: Engine) -> bool:
    """SQLite: copy the WAL into the database file and truncate it to nothing, so values
    rewritten since (scrubbed names, forgotten card texts) are no longer in any file. Whether
    that was done in full: not while another connection is reading an older state (the server
    in the middle of a catch-up, say); it is repeated at the next retention run. PostgreSQL
    manages its own files: ``True``.
    """
    if engine.dialect.name != "sqlite":
        return True
    # The raw connection runs in autocommit (see make_engine): the checkpoint needs to be
    # outside any transaction, and SQLAlchemy's would begin one.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        busy: int = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        cursor.close()
    finally:
        connection.close()
    return busy == 0


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit when the block ends cleanly, roll back otherwise."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


#: Execution option of :func:`read_scope`: this transaction only reads.
READ_ONLY = "atelier_read_only"


@contextmanager
def read_scope(engine: Engine, *, snapshot: bool = False) -> Iterator[Session]:
    """A unit of work that only reads: the hot paths of a busy room (snapshots, catching up,
    tallies, token and code look-ups).

    On SQLite it starts with a plain ``BEGIN`` instead of ``BEGIN IMMEDIATE``: in WAL mode a
    reader sees one consistent state of the file and never waits for the writer, so a thousand
    phones syncing do not queue behind a vote burst's writes. ``snapshot``: on PostgreSQL, every
    read of the transaction sees the same committed state (``REPEATABLE READ``), as a SQLite
    read transaction always does.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    if snapshot and is_postgres(engine):
        options["isolation_level"] = "REPEATABLE READ"
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options=options)
        try:
            yield session
        finally:
            session.expunge_all()  # what was read stays readable after the transaction ends
            session.rollback()  # nothing to keep; ends the read transaction either way


def alembic_config(url: str) -> Config:
    # Alembic (and Mako under it) loads when a migration is checked, not with every import of
    # the database module: the pages, the hub and most ``atelier`` commands never need it.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


#: The PostgreSQL advisory lock that lets one process at a time migrate ("atelier" in ASCII).
MIGRATION_LOCK = 0x6174656C696572

SCHEMA_TOO_NEW = (
    "the database has schema {found}, this version knows up to {known}: "
    "start the newer version or restore a backup"
)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer release than this one: refuse to start.

    Alembic itself would stop with a traceback ("Can't locate revision"); an operator who rolled
    back the image but not the database needs one sentence that says what to do. Nothing has
    been changed when this is raised.
    """


def _check_schema_known(engine: Engine, config: Config) -> None:
    """Raise :class:`SchemaTooNew` when the database is at a revision this release lacks."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    known = {revision.revision for revision in script.walk_revisions()}
    with engine.connect() as connection:  # closed before migrating: SQLite's writer needs it
        current = MigrationContext.configure(connection).get_current_heads()
    unknown = sorted(set(current) - known)
    if unknown:
        raise SchemaTooNew(
            SCHEMA_TOO_NEW.format(found=", ".join(unknown), known=script.get_current_head())
        )


def migrate(url: str) -> None:
    """Bring the schema to the newest migration. Runs at start-up; a no-op when current.

    Several containers or pods may start at once, each migrating first: on PostgreSQL they take
    turns on an advisory lock, so the second finds the schema current instead of racing the first.
    A database migrated by a newer release is refused (:class:`SchemaTooNew`), untouched. Each
    step that runs is logged (``migrations/env.py``), so the log says which revision became which.
    """
    from alembic import command

    _prepare_sqlite_file(url)  # before Alembic's own connection creates the file
    config = alembic_config(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        if make_url(url).get_backend_name() != "postgresql":
            _check_schema_known(engine, config)
            command.upgrade(config, "head")
            return
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                _check_schema_known(engine, config)
                command.upgrade(config, "head")
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        engine.dispose()
