"""The committed migrations produce exactly the models' schema, on SQLite and on PostgreSQL; at
start-up each step is logged, and a schema newer than this release is refused untouched."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.db import alembic_config, make_engine, migrate
from tests.support.server import ROOT


def schema_diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def test_migrations_match_the_models(empty_db_url: str):
    migrate(empty_db_url)
    assert schema_diff(empty_db_url) == []


def test_migrating_twice_is_a_no_op_and_downgrade_works(empty_db_url: str):
    migrate(empty_db_url)
    migrate(empty_db_url)
    assert schema_diff(empty_db_url) == []
    command.downgrade(alembic_config(empty_db_url), "base")
    engine = make_engine(empty_db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate(empty_db_url)
    assert schema_diff(empty_db_url) == []


# ----------------------------------------------------------------------------- at start-up


def atelier(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run the ``atelier`` command as an operator would, on ``database_url``."""
    env = {
        **os.environ,
        "ATELIER_DATABASE_URL": database_url,
        "ATELIER_DATA_DIR": str(data_dir),
        "ATELIER_LOG_FORMAT": "json",
    }
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def newest_known() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def revision_of(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


def test_each_migration_step_is_logged_from_which_revision_to_which(
    empty_db_url: str, tmp_path: Path
):
    done = atelier("migrate", database_url=empty_db_url, data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    steps = [line["message"] for line in lines if line["logger"] == "app.migrations"]
    revisions = [
        r.revision
        for r in reversed(
            list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions())
        )
    ]
    expected = [f"database schema migrated: an empty database -> {revisions[0]}"] + [
        f"database schema migrated: {before} -> {after}" for before, after in pairwise(revisions)
    ]
    assert steps == expected
    # Current: nothing runs, nothing is said (in-process: a second `atelier` costs a start-up).
    heard: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = heard.append  # type: ignore[method-assign]
    steps = logging.getLogger("app.migrations")
    steps.addHandler(handler)
    steps.setLevel(logging.INFO)  # whatever an earlier test configured for "app"
    try:
        migrate(empty_db_url)
    finally:
        steps.removeHandler(handler)
        steps.setLevel(logging.NOTSET)
    assert heard == [], "a current schema writes no step"


def test_a_schema_newer_than_this_version_is_refused_in_one_sentence_and_left_as_it_is(
    db_url: str, tmp_path: Path
):
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0014_from_later'"))
    finally:
        engine.dispose()
    sentence = (
        f"atelier: the database has schema 0014_from_later, this version knows up to "
        f"{newest_known()}: start the newer version or restore a backup\n"
    )
    for args in (["migrate"], ["serve", "--port", "0"]):
        refused = atelier(*args, database_url=db_url, data_dir=tmp_path)
        assert refused.returncode == 2, (args, refused.stderr)
        assert refused.stderr == sentence, args
        assert "Traceback" not in refused.stdout + refused.stderr
    assert revision_of(db_url) == {"0014_from_later"}, "nothing changed"
