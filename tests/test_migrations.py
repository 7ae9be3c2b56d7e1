"""The committed migrations produce exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.db import alembic_config, make_engine, migrate


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
