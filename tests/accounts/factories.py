"""Test data for accounts: a migrated engine, settings and facilitators."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine

from app.accounts.models import Facilitator
from app.accounts.service import create_facilitator
from app.db import make_engine, migrate
from app.settings import Settings

PASSWORD = "lang-en-geheim-wachtwoord"


def make_settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=db_url, secret_key="x" * 40)


@contextmanager
def migrated_engine(db_url: str) -> Iterator[Engine]:
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def make_facilitator(
    engine: Engine,
    *,
    email: str = "fenna@gemeente.example",
    name: str = "Fenna",
    password: str = PASSWORD,
) -> Facilitator:
    return create_facilitator(engine, email=email, name=name, password=password)
