"""Alembic environment: the target is every SQLModel table in :mod:`app.models`.

Each migration step that runs is logged on ``app.migrations`` (one line: which revision to which),
so an operator reads in the app's own log when and how its schema changed.
"""

from __future__ import annotations

import logging
from typing import Any

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables)
from app.db import make_engine

config = context.config
target_metadata = SQLModel.metadata
log = logging.getLogger("app.migrations")


def log_step(*, step: Any, **_: Any) -> None:
    """Alembic's ``on_version_apply``: one line per step, after it ran in the transaction."""
    before = ", ".join(step.source_revision_ids) or "an empty database"
    after = ", ".join(step.destination_revision_ids) or "an empty database"
    direction = "migrated" if step.is_upgrade else "migrated back"
    log.info("database schema %s: %s -> %s", direction, before, after)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            on_version_apply=log_step,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
