"""Server processes for the load benchmark: the app and the floor, pinned with ``taskset``.

Each server is a child process started as ``taskset -c CPU python -m …`` (``taskset`` execs
Python, so the child's pid is the server's: its RSS and CPU time are read from ``/proc``). The
children get a raised file-descriptor limit, die with the benchmark (``PR_SET_PDEATHSIG``) and
run in their own session, so a Ctrl-C reaches the benchmark, which stops them in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = os.environ.get(
    "ATELIER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
#: What a server needs at most: 1000 phones plus margins, several times over.
NOFILE = 65_536
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def raise_nofile() -> None:
    """Raise this process's open-file limit as far as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = NOFILE if hard == resource.RLIM_INFINITY else min(NOFILE, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _child_setup() -> None:
    """In the child before exec: more file descriptors, and die when the benchmark dies."""
    raise_nofile()
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """One server child process, pinned to ``cpu``, its output in ``log_path``."""

    def __init__(
        self, name: str, argv: list[str], *, env: dict[str, str], cpu: str, log_path: Path
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.cpu = cpu
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return ["taskset", "-c", self.cpu, *self.argv, "--port", str(self.port)]

    def spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_child_setup,
                start_new_session=True,
            )

    async def start(self, wait: float = 60.0) -> None:
        """Start the process and wait until ``/healthz`` answers."""
        self.spawn()
        assert self.process is not None
        deadline = time.monotonic() + wait
        async with httpx.AsyncClient(trust_env=False, timeout=2) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.url}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start within {wait:.0f} s:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        """Resident set size now (VmRSS), in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU time so far (all threads)."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def run_delays(self) -> dict[str, int]:
        """Per thread: ns it was ready to run but waiting for a CPU (``/proc/…/schedstat``)."""
        return task_run_delays(self.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def task_run_delays(pid: int | str) -> dict[str, int]:
    """Per thread of a process: ns spent runnable but not running (``schedstat``)."""
    delays = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            delays[task.name] = int((task / "schedstat").read_text().split()[1])
    return delays


def run_delay_between(before: dict[str, int], after: dict[str, int]) -> float:
    """Seconds of waiting between two :func:`task_run_delays` (threads that ended are lost)."""
    return sum(ns - before.get(tid, 0) for tid, ns in after.items()) / 1e9


def cpu_busy_ticks(cpus: set[int]) -> tuple[int, int]:
    """(busy, total) clock ticks so far of the given CPUs, from ``/proc/stat``."""
    busy = total = 0
    for line in Path("/proc/stat").read_text().splitlines():
        name = line.split(" ", 1)[0]
        if name.startswith("cpu") and name != "cpu" and int(name[3:]) in cpus:
            values = [int(v) for v in line.split()[1:]]
            idle = values[3] + values[4]  # idle + iowait
            busy += sum(values[:8]) - idle
            total += sum(values[:8])
    return busy, total


def cpu_list(spec: str) -> set[int]:
    """``"1"``, ``"0,1"`` or ``"0-1"`` as a set of CPU numbers."""
    cpus: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.partition("-")
        cpus.update(range(int(first), int(last or first) + 1))
    return cpus


def app_env(
    *, data_dir: Path, database_url: str, secret: str, public_url: str, extra: dict[str, str]
) -> dict[str, str]:
    """The environment of an app server: the caller's, minus its own ATELIER_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env.update(
        ATELIER_DATA_DIR=str(data_dir),
        ATELIER_DATABASE_URL=database_url,
        ATELIER_SECRET_KEY=secret,
        ATELIER_PUBLIC_URL=public_url,
    )
    env.update(extra)
    return env


class AppServer(ServerProcess):
    """``python -m app serve`` with its own data folder and database."""

    def __init__(
        self,
        *,
        name: str,
        data_dir: Path,
        database_url: str,
        cpu: str,
        secret: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.secret = secret or secrets.token_urlsafe(48)
        extra = dict(extra_env or {})
        super().__init__(
            name,
            [sys.executable, "-m", "app", "serve"],
            env={},
            cpu=cpu,
            log_path=data_dir / f"{name}.log",
        )
        self.env = app_env(
            data_dir=data_dir,
            database_url=database_url,
            secret=self.secret,
            public_url=self.url,
            extra=extra,
        )

    def run_cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


class FloorServer(ServerProcess):
    def __init__(self, *, name: str, data_dir: Path, cpu: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
        super().__init__(
            name,
            [sys.executable, "-m", "bench.floor"],
            env=env,
            cpu=cpu,
            log_path=data_dir / f"{name}.log",
        )


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one run (SQLAlchemy URL), dropped afterwards."""
    import psycopg

    name = f"atelier_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_flushdb(db: int) -> None:
    """Empty Redis database ``db`` (the benchmark's own; see ``--redis-db``)."""
    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=5) as conn:
        conn.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        reply = b""
        while reply.count(b"\r\n") < 2:
            chunk = conn.recv(256)
            if not chunk:
                break
            reply += chunk
    if not reply.startswith(b"+OK\r\n+OK"):
        raise RuntimeError(f"redis: {reply!r}")


def redis_available() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False
