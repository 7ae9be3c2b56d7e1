"""A real server: ``python -m app serve`` in a child process, on a free loopback port."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-" + "x" * 40


@functools.cache
def password_hash(password: str) -> str:
    """The Argon2 hash of ``password``, made once per test run (64 MiB and a moment each)."""
    from app.accounts.passwords import hash_password

    return hash_password(password)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, *, data_dir: Path, database_url: str, **env: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.extra_env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "ATELIER_DATA_DIR": str(self.data_dir),
            "ATELIER_DATABASE_URL": self.database_url,
            "ATELIER_SECRET_KEY": SECRET,
            "ATELIER_PUBLIC_URL": self.url,
            **self.extra_env,
        }

    def start(self, timeout: float = 60.0) -> None:
        """Start and wait until ``/healthz`` answers. The bound is against a hang, not a measure:
        with four test workers and a few browsers on two cores, a start took over 30 s once."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start in {timeout}s:\n{self.log()}")

    @property
    def pid(self) -> int:
        """The id of the started server process (``python -m app serve``)."""
        assert self.process is not None, "the server has not been started"
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — as a power cut or OOM kill would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def add_facilitator(
        self, *, email: str | None = None, name: str = "F", password: str = "een-lang-wachtwoord"
    ) -> str:
        """Create a facilitator's account in the server's database, from this process.

        What ``atelier create-facilitator`` makes, without starting a second Python for it (about
        two CPU-seconds a test) and without hashing the same password again for every test (the
        hash, salt included, is made once per password: see :func:`password_hash`). ``email``
        defaults to one no other test uses, so tests sharing a server never meet each other's
        accounts. Returns the email.
        """
        from app.accounts.models import Facilitator as Account
        from app.db import make_engine, session_scope

        email = email or f"f-{uuid.uuid4().hex[:10]}@gemeente.example"
        engine = make_engine(self.database_url)
        try:
            with session_scope(engine) as session:
                session.add(Account(email=email, name=name, password_hash=password_hash(password)))
        finally:
            engine.dispose()
        return email

    def run_cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            cwd=ROOT,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


class Facilitator:
    """A logged-in facilitator over HTTP (cookies kept by httpx), CSRF header included."""

    def __init__(self, server: Server, *, email: str, password: str) -> None:
        self.email = email
        self.http = httpx.Client(base_url=server.url, timeout=10)
        token = self.http.get("/api/csrf").json()["csrf_token"]
        self.http.headers["X-CSRF-Token"] = token
        response = self.http.post("/api/session", json={"email": email, "password": password})
        response.raise_for_status()
        # The CSRF token is bound to the session: a new session, a new token.
        self.http.headers["X-CSRF-Token"] = self.http.get("/api/csrf").json()["csrf_token"]

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    def post(self, path: str, json: Any) -> Any:
        response = self.http.post(path, json=json)
        response.raise_for_status()
        return response.json()

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self.http.close()


def facilitator_with_workshop(
    server: Server, *, email: str | None = None, password: str = "een-lang-wachtwoord"
) -> tuple[Facilitator, dict[str, Any]]:
    """On a started server: a new facilitator, logged in, with a trajectory and a workshop."""
    email = server.add_facilitator(email=email, password=password)
    http = Facilitator(server, email=email, password=password)
    trajectory = http.post("/api/trajectories", {"theme": "Eenzaamheid onder ouderen"})
    workshop = http.post(f"/api/trajectories/{trajectory['id']}/workshops", {"title": "Sessie"})
    return http, workshop
