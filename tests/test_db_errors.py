"""A database error's text never carries what a participant typed (it would end up in logs)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db import make_engine, migrate


def test_database_errors_do_not_quote_the_values(db_url: str):
    migrate(db_url)
    engine = make_engine(db_url)
    secret = "Annie de Vries, Kerkstraat 12"
    with pytest.raises(DBAPIError) as raised, engine.begin() as connection:
        # The table has no such column: the statement fails with the value bound to it.
        connection.execute(text("INSERT INTO workshop (no_such_column) VALUES (:v)"), {"v": secret})
    assert secret not in str(raised.value)
    engine.dispose()
