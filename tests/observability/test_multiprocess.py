"""Multiprocess mode: several processes write to one PROMETHEUS_MULTIPROC_DIR, a scrape adds up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.observability import metrics, multiprocess
from tests.observability.scrape import Scrape, scrape
from tests.support.databases import postgres_database
from tests.support.server import ROOT, Server

#: A worker: records what argv says, reports, then waits to be told to exit.
WORKER = """
import sys
from app.observability import metrics
sockets, commands = int(sys.argv[1]), int(sys.argv[2])
for _ in range(sockets):
    metrics.socket_opened("participant")
metrics.socket_opened("facilitator")
for _ in range(commands):
    metrics.command_done("card.post", "applied", 0.004)
metrics.command_done("vote.cast", "refused", 0.002)
metrics.joined()
metrics.rooms_open(1)
print("ready", flush=True)
sys.stdin.readline()
"""


@contextmanager
def worker(directory: Path, sockets: int, commands: int) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(sockets), str(commands)],
        cwd=ROOT,
        env={**os.environ, multiprocess.ENV: str(directory)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield process
    finally:
        if process.poll() is None:
            process.communicate("\n", timeout=30)


def test_a_scrape_adds_up_every_process(tmp_path: Path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    with worker(directory, sockets=2, commands=3), worker(directory, sockets=1, commands=4):
        both = Scrape(metrics.render(directory).decode())
        assert both.value("atelier_open_sockets", role="participant") == 3
        assert both.value("atelier_open_sockets", role="facilitator") == 2
        assert both.value("atelier_open_sockets", role="screen") == 0
        assert both.value("atelier_open_rooms") == 2
        assert both.value("atelier_commands_total", type="card.post", outcome="applied") == 7
        assert both.value("atelier_commands_total", type="vote.cast", outcome="refused") == 2
        assert both.value("atelier_command_duration_seconds_count") == 9
        assert both.value("atelier_command_duration_seconds_bucket", le="0.005") == 9
        assert both.value("atelier_joins_total") == 2
        # Live gauges are summed, not listed per process.
        assert "pid" not in {
            k for s in both.families["atelier_open_sockets"].samples for k in s.labels
        }
    # Both gone (without saying goodbye): their sockets and rooms no longer count; what they
    # counted still does.
    after = Scrape(metrics.render(directory).decode())
    assert not after.value("atelier_open_sockets", role="participant")
    assert not after.value("atelier_open_rooms")
    assert after.value("atelier_commands_total", type="card.post", outcome="applied") == 7
    assert after.value("atelier_joins_total") == 2
    assert not list(directory.glob("gauge_live*"))


def test_the_sweep_keeps_running_processes_and_a_fresh_start_of_this_id(tmp_path: Path):
    with worker(tmp_path, sockets=1, commands=0) as running:
        finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                                  capture_output=True, text=True, check=True)  # fmt: skip
        dead = int(finished.stdout)
        for pid in (dead, os.getpid()):
            (tmp_path / f"gauge_livesum_{pid}.db").write_bytes(b"")
        assert multiprocess.sweep(tmp_path) == [dead]
        assert {running.pid, os.getpid()} <= multiprocess.live_gauge_pids(tmp_path)
        # A process starting with an id an earlier one had: that one's live values go first.
        assert multiprocess.sweep(tmp_path, this_process_starts=True) == [os.getpid()]
        assert multiprocess.live_gauge_pids(tmp_path) == {running.pid}


def test_serve_with_workers_gets_a_fresh_directory(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(multiprocess.ENV, raising=False)
    with multiprocess.for_workers(1) as none:
        assert none is None and multiprocess.ENV not in os.environ
    with multiprocess.for_workers(3) as made:
        assert made is not None and made.is_dir() and not any(made.iterdir())
        assert os.environ[multiprocess.ENV] == str(made)
        assert made.stat().st_mode & 0o077 == 0  # private to the server's user
    assert not made.exists() and multiprocess.ENV not in os.environ


def test_an_operators_directory_is_used_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(multiprocess.ENV, str(tmp_path))
    with multiprocess.for_workers(4) as chosen:
        assert chosen == tmp_path
    assert tmp_path.is_dir() and os.environ[multiprocess.ENV] == str(tmp_path)
    monkeypatch.setenv(multiprocess.ENV, str(tmp_path / "missing"))
    with pytest.raises(RuntimeError, match="not a directory"), multiprocess.for_workers(4):
        pass


def settled_healthz_count(server: Server) -> float:
    """The /healthz count once two scrapes a moment apart agree. A request is counted when its
    response has gone out, so the start-up's last readiness probe (or the loop's last request)
    may land just after a scrape that came in on the other worker."""
    last = None
    for _ in range(50):
        now = scrape(server).value("atelier_http_requests_total", route="/healthz") or 0
        if now == last:
            return now
        last = now
        time.sleep(0.1)
    raise AssertionError(f"the /healthz count kept changing: {last}")


def test_serve_with_two_workers_answers_for_both(tmp_path: Path):
    """``atelier serve`` with two workers (PostgreSQL): any scrape counts every worker's requests,
    from a private directory the command makes and removes."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with postgres_database() as url:
        server = Server(
            data_dir=tmp_path, database_url=url, ATELIER_WORKERS="2", TMPDIR=str(temporary)
        )
        try:
            server.start()
            (directory,) = temporary.glob("atelier-metrics-*")
            before = settled_healthz_count(server)
            for _ in range(40):  # each on a new connection: the workers share them out
                assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
            pids = {int(p.stem.rsplit("_", 1)[1]) for p in directory.glob("counter_*.db")}
            assert len(pids) >= 2, "both workers write to the shared directory"
            assert settled_healthz_count(server) == before + 40
            for _ in range(6):  # and every scrape, whichever worker answers it, says the same
                result = scrape(server)
                assert result.value("atelier_http_requests_total", route="/healthz") == before + 40
        finally:
            server.stop()
    assert not directory.exists()
