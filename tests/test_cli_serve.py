"""``atelier serve``: ``--workers``, ``--lan`` and JSON logs, on real server processes.

Every server listens on loopback only; ``--lan-address 127.0.0.1`` stands in for a Wi-Fi address.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
import segno
import uvicorn.logging

from app import cli, lan
from app.logs import (
    JsonFormatter,
    RedactSecretPaths,
    WithholdExceptionText,
    log_config,
    withheld_traceback,
)
from app.settings import Settings
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import RoomClient
from tests.support.databases import postgres_database
from tests.support.server import ROOT, Server, facilitator_with_workshop


class Serve(Server):
    """A server started with extra ``atelier serve`` arguments, optionally without a public URL."""

    def __init__(self, *args: str, public_url: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.args = list(args)
        self.public_url = public_url

    def env(self) -> dict[str, str]:
        env = super().env()
        if not self.public_url:
            del env["ATELIER_PUBLIC_URL"]
        return env

    def start(self, timeout: float = 60.0) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", "serve", "--port", str(self.port), *self.args],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.answers, timeout, lambda: f"server did not start:\n{self.log()}")

    def answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{self.log()}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False


def json_lines(server: Server) -> list[dict[str, Any]]:
    """The server's log lines that are JSON objects, parsed (each must parse)."""
    return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]


def wait_until(
    condition: Callable[[], bool], timeout: float = 30.0, why: Callable[[], str] = lambda: ""
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s. {why()}")
        time.sleep(0.05)


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[list[Serve]]:
    """Servers started in a test, stopped after it."""
    servers: list[Serve] = []
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def postgres_url(db_url: str) -> Iterator[str]:
    """This test's PostgreSQL database: the suite's own, or a fresh one on a SQLite run.

    Unreachable PostgreSQL skips locally and fails under CI=true (``unavailable()``).
    """
    if db_url.startswith("postgresql"):
        yield db_url
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """For the command run in this process: only this test's ATELIER_* variables, restored after
    (``serve`` writes its results into ``os.environ`` for the workers)."""
    for name in [*os.environ, *(f"ATELIER_{f.upper()}" for f in Settings.model_fields)]:
        if name.startswith("ATELIER_"):
            monkeypatch.setenv(name, "")  # recorded, so whatever serve sets is undone
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATELIER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ATELIER_SECRET_KEY", "k" * 40)


def qr_of(url: str) -> str:
    out = io.StringIO()
    segno.make_qr(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def worker_pids(parent: int) -> set[int]:
    """uvicorn's worker processes: the parent's children started by multiprocessing's spawn."""
    found = set()
    for task in Path(f"/proc/{parent}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"spawn_main" in cmdline:
                found.add(int(child))
    return found


# ---------------------------------------------------------------------------------------- workers


@pytest.mark.parametrize("how", ["--workers 2", "ATELIER_WORKERS=2"])
def test_more_than_one_worker_on_sqlite_is_refused(tmp_path: Path, how: str):
    database = tmp_path / "atelier.db"
    env = {"ATELIER_WORKERS": "2"} if how.startswith("ATELIER") else {}
    server = Server(data_dir=tmp_path, database_url=f"sqlite:///{database}", **env)
    flags = ["--workers", "2"] if how.startswith("--") else []
    result = server.run_cli("serve", "--port", str(server.port), *flags)
    assert result.returncode == 2, result.stdout + result.stderr
    assert cli.SQLITE_ONE_PROCESS in result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists(), "refused before migrating"


def test_two_workers_on_postgres_serve_with_what_the_command_worked_out(
    tmp_path: Path, postgres_url: str, serving: list[Serve]
):
    """Two worker processes answer; each has the --lan origin and the JSON logs the parent set."""
    server = Serve(
        "--workers",
        "2",
        "--lan-address",
        "127.0.0.1",
        "--log-format",
        "json",
        data_dir=tmp_path,
        database_url=postgres_url,
    )
    public = f"http://atelier.test:{server.port}"
    server.extra_env["ATELIER_PUBLIC_URL"] = public  # set explicitly: --lan leaves it alone
    serving.append(server)
    server.start()
    assert server.process is not None
    parent = server.process.pid

    def started() -> set[int]:
        return {
            e["process"]
            for e in json_lines(server)
            if e["message"] == "Application startup complete."
        }

    wait_until(lambda: len(started()) == 2, why=server.log)
    workers = started()
    assert parent not in workers
    assert worker_pids(parent) == workers, "two worker processes under the command"
    assert f"Opgave Atelier runs at {public}" in server.log()
    assert "2 worker processes" in server.log()

    # The page opened under the LAN address is right in every worker: each got the origin.
    served_by: set[int] = set()

    def both_serve() -> bool:
        answer = httpx.get(f"{server.url}/join", timeout=10)  # a new connection each time
        assert answer.status_code == 200, answer.text
        served_by.update(
            e["process"]
            for e in json_lines(server)
            if e["logger"] == "uvicorn.access" and e["path"] == "/join"
        )
        return served_by == workers

    wait_until(both_serve, why=lambda: f"served by {served_by} of {workers}")
    wrong = httpx.get(f"{server.url}/join", headers={"Host": "other.test"}, timeout=10)
    assert wrong.status_code == 400
    assert f"{public}/join" in wrong.text, "the public URL reached the workers too"

    # A worker that crashes is an error in the log (uvicorn says it at INFO), and is replaced.
    crashed = min(workers)
    os.kill(crashed, signal.SIGKILL)

    wait_until(lambda: len(started()) == 3, why=server.log)
    said = [
        e
        for e in json_lines(server)
        if f"[{crashed}]" in e["message"] and ("died" in e["message"] or "ended" in e["message"])
    ]
    assert len(said) == 1, said
    said = said[0]
    assert said["level"] == "ERROR" and said["logger"] == "uvicorn.error", said
    assert said["message"] == f"Worker process [{crashed}] ended unexpectedly; starting a new one"
    workers = started() - {crashed}

    server.stop()
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))


# -------------------------------------------------------------------------------------------- lan


def test_lan_prints_the_url_and_a_qr_code_and_makes_it_the_public_url(
    tmp_path: Path, db_url: str, serving: list[Serve]
):
    server = Serve(
        "--lan-address", "127.0.0.1", public_url=False, data_dir=tmp_path, database_url=db_url
    )
    serving.append(server)
    server.start()
    url = server.url  # http://127.0.0.1:<port>: the address given, with the port
    log = server.log()
    assert f"Serving the room on the local network: {url}" in log
    assert qr_of(url) in log
    assert lan.ROOM_ONLY in log
    assert f"Opgave Atelier runs at {url}" in log
    # The public URL is the LAN address: another host name is sent there.
    wrong = httpx.get(f"{url}/join", headers={"Host": f"localhost:{server.port}"}, timeout=10)
    assert wrong.status_code == 400
    assert f"{url}/join" in wrong.text
    assert httpx.get(f"{url}/join", timeout=10).status_code == 200


def test_lan_environment_keeps_an_explicit_public_url_and_adds_the_origin():
    implicit = Settings(secret_key="k" * 40)
    assert cli.lan_environment(implicit, "http://192.168.1.20:8000") == {
        "ATELIER_ALLOWED_ORIGINS": '["http://192.168.1.20:8000"]',
        "ATELIER_PUBLIC_URL": "http://192.168.1.20:8000",
    }
    explicit = Settings(
        public_url="https://atelier.example",
        allowed_origins=["http://192.168.1.20:8000", "http://atelier.lokaal"],
        secret_key="k" * 40,
    )
    assert cli.lan_environment(explicit, "http://192.168.1.20:8000") == {
        "ATELIER_ALLOWED_ORIGINS": '["http://192.168.1.20:8000", "http://atelier.lokaal"]'
    }


@pytest.mark.usefixtures("environment")
def test_no_lan_address_is_said_plainly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(lan, "this_computers_addresses", lambda: [])
    assert cli.main(["serve", "--lan"]) == 2
    assert lan.NOT_FOUND in capsys.readouterr().err
    assert "ATELIER_PUBLIC_URL" not in os.environ, "nothing was set"


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    ("args", "env", "complaint"),
    [
        (["--lan-address", "203.0.113.77"], {}, "not an address of this computer"),
        (["--lan-address", "laptop.local"], {}, "not an IPv4 address"),
        (["--lan"], {"ATELIER_ENVIRONMENT": "production"}, "does not run with ATELIER_ENVIRONMENT"),
    ],
)
def test_lan_refuses_what_cannot_work(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: dict[str, str],
    complaint: str,
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if env:  # production needs a strong secret and an https public URL to get this far
        monkeypatch.setenv("ATELIER_SECRET_KEY", "m3Jq8vRZx0pW-kT5eHn_7bYcLs2Ud9FgAo4iVrE1tNw")
        monkeypatch.setenv("ATELIER_PUBLIC_URL", "https://atelier.example")
    assert cli.main(["serve", *args]) == 2
    assert complaint in capsys.readouterr().err


def test_a_bad_allowed_origin_stops_the_start_with_a_clear_message(tmp_path: Path):
    server = Server(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'atelier.db'}",
        ATELIER_ALLOWED_ORIGINS='["http://192.168.1.20:8000/atelier"]',
    )
    result = server.run_cli("serve", "--port", str(server.port))
    assert result.returncode == 2
    assert result.stderr.startswith("atelier: configuration: ATELIER_ALLOWED_ORIGINS:")
    assert "'http://192.168.1.20:8000/atelier': only scheme://host[:port], no path" in result.stderr
    assert "Traceback" not in result.stderr
    server.extra_env["ATELIER_ALLOWED_ORIGINS"] = "http://192.168.1.20:8000"  # not a JSON list
    result = server.run_cli("serve", "--port", str(server.port))
    assert result.returncode == 2
    assert "ATELIER_ALLOWED_ORIGINS does not parse" in result.stderr


# ------------------------------------------------------------------------------------ JSON logs


@pytest.mark.anyio
async def test_json_logs_are_json_and_carry_no_tokens_or_participant_text(
    make_server: Callable[..., Server],
):
    server = make_server(ATELIER_LOG_FORMAT="json")
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    name, text = "Annie Geheimnaam", "Een bankje in het park dat niemand ziet"
    joined = join(server, workshop["join_code"], name, "inwoner")
    console = await facilitator_client(server, workshop, facilitator.cookie_header)
    phone = await RoomClient.connect(
        server.ws_url, workshop["id"], token=joined["token"], name="annie"
    )
    await goto(console, "beelden")
    await phone.command("card.post", kind="beeld", text=text)
    await phone.close()
    await console.close()
    # The projector's link keeps its token in the fragment, which is not sent.
    projector = httpx.get(
        f"{server.url}/screen/{workshop['id']}#token={workshop['screen_token']}", timeout=10
    )
    assert projector.status_code == 200
    setup_token = "not-a-real-setup-token-1234567890"
    httpx.get(f"{server.url}/setup/{setup_token}", timeout=10)

    def logged(path: str) -> bool:
        return any(e.get("path") == path for e in json_lines(server))

    wait_until(lambda: logged("/setup/…"), why=server.log)
    log = server.log()
    entries = json_lines(server)
    for entry in entries:
        assert {"timestamp", "level", "logger", "message"} <= entry.keys(), entry
        assert datetime.fromisoformat(entry["timestamp"]).utcoffset() is not None
    loggers = {e["logger"] for e in entries}
    assert {"uvicorn.error", "uvicorn.access", "app.cli"} <= loggers  # uvicorn's and ours
    for line in log.splitlines():  # what is not JSON is a printed notice, never a log line
        assert not line.startswith(("INFO:", "WARNING:", "ERROR:")), line
    paths = {e["path"] for e in entries if e["logger"] == "uvicorn.access"}
    assert {"/api/join", f"/screen/{workshop['id']}", "/setup/…"} <= paths
    assert any(
        f'"WebSocket /ws/workshops/{workshop["id"]}" [accepted]' in e["message"] for e in entries
    )
    secrets = [joined["token"], workshop["screen_token"], setup_token, name, text]
    secrets += [value for value in facilitator.http.cookies.values() if len(value) > 8]
    for secret in secrets:
        assert secret not in log
    facilitator.close()


def test_a_json_line_has_the_exception_and_stays_one_line():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "app.realtime.hub",
            logging.ERROR,
            __file__,
            1,
            "room task\nfailed",
            None,
            sys.exc_info(),
        )
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "app.realtime.hub"
    assert entry["message"] == "room task\nfailed"
    assert "ValueError: boom" in entry["exception"] and "Traceback" in entry["exception"]


def test_the_setup_link_is_blanked_in_uvicorns_lines():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/setup/abcDEF_123-xyz?lang=en", "1.1", 200),
        None,
    )
    assert RedactSecretPaths().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /setup/…?lang=en HTTP/1.1" 200'
    entry = json.loads(JsonFormatter().format(record))
    assert entry["path"] == "/setup/…?lang=en" and entry["status"] == 200


def _failing_record(text: str) -> logging.LogRecord:
    """A record of ``log.exception`` for an error chain whose messages quote ``text``."""

    def apply(card_text: str) -> None:
        try:
            {}[card_text]
        except KeyError as exc:
            raise ValueError(f"could not post {card_text!r}") from exc

    try:
        try:
            apply(text)
        except ValueError:
            raise RuntimeError(f"handler failed on {text}")  # noqa: B904 - a chain on purpose
    except RuntimeError:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "app.realtime.endpoint", logging.ERROR, __file__, 1, "command %s failed", ("c1",), exc_info
    )


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_tracebacks_in_the_logs_keep_frames_and_types_but_not_messages(
    log_format: Literal["text", "json"],
):
    text = "Annie woont sinds 2019 naast het buurthuis"
    config = log_config(log_format)
    for name, handler in config["handlers"].items():
        assert "withhold_exception_text" in handler.get("filters", []), name
    formatter = (
        JsonFormatter()
        if log_format == "json"
        else uvicorn.logging.DefaultFormatter("%(levelprefix)s %(name)s: %(message)s")
    )
    record = _failing_record(text)
    assert WithholdExceptionText().filter(record)
    out = formatter.format(record)
    written = json.loads(out)["exception"] if log_format == "json" else out
    assert text not in written and "Annie" not in written
    assert "RuntimeError: (message withheld" in written
    assert "in _failing_record" in written  # the frames stay: where it failed
    assert "command c1 failed" in out


def test_a_chain_of_exceptions_is_written_as_python_writes_it_without_messages():
    name = "Annie"  # in the messages only: a traceback shows the lines of code that raised
    try:
        try:
            {}[name]
        except KeyError as exc:
            raise ValueError(f"{name}'s card") from exc
    except ValueError:
        try:
            raise OSError(f"disk full while saving {name}")
        except OSError as exc:
            error = exc
    written = withheld_traceback(error)
    assert "Annie" not in written
    kinds = [line.split(":")[0] for line in written.splitlines() if "message withheld" in line]
    assert kinds == ["KeyError", "ValueError", "OSError"]
    assert written.count("Traceback (most recent call last):") == 3
    assert "The above exception was the direct cause of the following exception:" in written
    assert "During handling of the above exception, another exception occurred:" in written
