"""What the server's log says about a request and a failed command, read from its real output.

One server for the module, with ``ATELIER_LOG_FORMAT=json`` and ``ATELIER_LOG_LEVEL=debug``:
request ids (kept when sane, replaced when not, returned on the response, on the access line with
the duration), and a command whose handler raises (a real database trigger refuses the insert):
one ERROR line with its type, workshop and error and nothing of what was typed, the traceback on
a DEBUG line only.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.db import make_engine
from app.logs import log_config
from tests.realtime.helpers import facilitator_client, goto
from tests.support.databases import MigratedTemplate
from tests.support.server import Facilitator, Server

GENERATED = re.compile(r"[0-9a-f]{32}")
#: What a facilitator typed on the card that fails: it must appear nowhere in the log.
SECRET = "Annie van der Berg, Kerkstraat 12, heeft schulden"


@pytest.fixture(scope="module")
def module_server(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: MigratedTemplate
) -> Iterator[Server]:
    """This module's server logs JSON at debug level (replaces conftest's module server)."""
    folder = tmp_path_factory.mktemp("logged")
    with migrated_template.copy(folder) as url:
        server = Server(
            data_dir=folder,
            database_url=url,
            ATELIER_LOG_FORMAT="json",
            ATELIER_LOG_LEVEL="debug",
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()


def log_lines(server: Server, found: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """The server's JSON log lines, once one of them is ``found`` (bounded wait: lines are
    written as they happen, this only gives the other process time)."""
    deadline = time.monotonic() + 15
    while True:
        lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
        if any(found(line) for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def access_line(server: Server, request_id: str) -> dict[str, Any]:
    lines = log_lines(server, lambda line: line.get("request_id") == request_id)
    access = [
        line
        for line in lines
        if line["logger"] == "uvicorn.access" and line.get("request_id") == request_id
    ]
    assert len(access) == 1, f"one access line for {request_id}: {access}"
    return access[0]


def test_a_sane_request_id_is_kept_a_wrong_one_replaced_and_each_logged_with_its_duration(
    server: Server,
):
    given = "edge-7f3a9c21-4b7e"
    kept = httpx.get(f"{server.url}/healthz", headers={"X-Request-ID": given}, timeout=10)
    assert kept.headers["x-request-id"] == given
    line = access_line(server, given)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0

    for wrong in ("x" * 129, "<script>alert(1)</script>", "short", "id with spaces 12345"):
        replaced = httpx.get(f"{server.url}/privacy", headers={"X-Request-ID": wrong}, timeout=10)
        assert replaced.status_code == 200
        fresh = replaced.headers["x-request-id"]
        assert GENERATED.fullmatch(fresh), (wrong, fresh)
        assert access_line(server, fresh)["path"] == "/privacy"
        assert wrong not in server.log()

    plain = httpx.get(f"{server.url}/api/workshops/999999", timeout=10)  # a refusal has one too
    assert plain.status_code in (401, 404)
    assert access_line(server, plain.headers["x-request-id"])["status"] == plain.status_code


@pytest.mark.anyio
async def test_a_failed_command_logs_one_line_without_what_was_typed(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    engine = make_engine(server.database_url)
    try:
        with engine.begin() as connection:  # a real fault: the database refuses this one card
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text(
                        "CREATE FUNCTION refuse_card() RETURNS trigger AS $$ BEGIN "
                        "IF NEW.text LIKE 'Annie%' THEN RAISE EXCEPTION 'refused'; END IF; "
                        "RETURN NEW; END $$ LANGUAGE plpgsql"
                    )
                )
                connection.execute(
                    text(
                        "CREATE TRIGGER refuse_card BEFORE INSERT ON card "
                        "FOR EACH ROW EXECUTE FUNCTION refuse_card()"
                    )
                )
            else:
                connection.execute(
                    text(
                        "CREATE TRIGGER refuse_card BEFORE INSERT ON card "
                        "WHEN NEW.text LIKE 'Annie%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                    )
                )
    finally:
        engine.dispose()
    desk = await facilitator_client(server, workshop, facilitator.cookie_header)
    try:
        await goto(desk, "factoren")
        start = len(desk.messages)
        await desk.send({"type": "card.post", "cid": "fails-1", "kind": "factor", "text": SECRET})
        answer = await desk.wait_for(lambda m: m.get("cid") == "fails-1", start=start)
        assert answer["type"] == "error" and answer["code"] == "internal"
    finally:
        await desk.close()

    said = f"command card.post failed in workshop {workshop['id']}: "
    lines = log_lines(server, lambda line: line["message"].startswith(said))
    failed = [line for line in lines if line["message"].startswith(said.rstrip(": "))]
    errors = [line for line in failed if line["level"] == "ERROR"]
    assert len(errors) == 1, failed
    assert re.fullmatch(
        re.escape(said) + r"\w*Error at app/[\w/]+\.py:\d+", errors[0]["message"]
    ), errors[0]["message"]
    assert "exception" not in errors[0], "no traceback at the error's own level"
    debug = [line for line in failed if line["level"] == "DEBUG"]
    assert len(debug) == 1 and "Traceback" in debug[0]["exception"], "debug: the traceback"
    assert SECRET not in server.log() and "Kerkstraat" not in server.log()


def test_at_the_default_level_the_traceback_is_not_written():
    """``info`` (the default) drops the DEBUG line that carries the traceback."""
    config = log_config("json")
    assert config["loggers"]["app"]["level"] == "INFO"
    assert logging.getLevelName(config["loggers"]["app"]["level"]) > logging.DEBUG
    assert log_config("json", "debug")["loggers"]["app"]["level"] == "DEBUG"
