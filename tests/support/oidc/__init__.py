"""A real OpenID Provider for the sign-in tests: ``provider.mjs`` (the npm package
``oidc-provider``, OpenID Certified) run by Node on a free loopback port.

Its packages are installed from the committed ``package-lock.json`` (``npm ci``) the first time
a test needs them, one process at a time (a file lock: the SQLite and PostgreSQL passes and their
workers start together). Without Node or npm the tests are skipped locally and fail under
``CI=true`` (``scripts/test`` installs both on a fresh machine).
"""

from __future__ import annotations

import fcntl
import json
import queue
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.databases import unavailable

HERE = Path(__file__).resolve().parent
#: The provider's people, by login name (USERS in provider.mjs).
ANNE = "anne"  # anne@gemeente.example, verified
BAS = "bas"  # bas@elders.example, verified, another domain
COR = "cor"  # cor@gemeente.example, not verified
DEWI = "dewi"  # dewi@partner.example, not verified, in the group atelier-begeleiders
FENNA = "fenna"  # fenna@gemeente.example, verified (the password account of the tests)
GROUP = "atelier-begeleiders"


def install() -> None:
    """``npm ci`` in this folder unless ``node_modules`` is there already."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed (apt-get install nodejs npm)")
    with (HERE / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (HERE / "node_modules" / "oidc-provider").is_dir():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {HERE} failed:\n{done.stdout}\n{done.stderr}")


class Provider:
    """The running provider: its issuer, a client per app, and what it has printed."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", "provider.mjs"],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # its start-up warnings about development defaults
            text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        first: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(first,), daemon=True).start()
        try:
            line = first.get(timeout=30)
        except queue.Empty:
            self.stop()
            raise RuntimeError("the OpenID provider did not start within 30 s") from None
        self.issuer: str = json.loads(line)["issuer"]
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"

    def _read(self, first: queue.Queue[str]) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if not line.startswith("{"):
                continue  # the provider's own notices (development defaults in use)
            data = json.loads(line)
            if "issuer" in data:
                first.put(line)
            else:
                self.events.put(data)

    def register(self, app_url: str) -> dict[str, str]:
        """A client for the app at ``app_url`` (Dynamic Client Registration, as an administrator
        registers the app): the ``ATELIER_OIDC_*`` settings that app needs."""
        response = httpx.post(
            f"{self.issuer}/reg",
            json={
                "redirect_uris": [f"{app_url}/login/oidc/callback"],
                "post_logout_redirect_uris": [f"{app_url}/login"],
            },
            timeout=10,
        )
        response.raise_for_status()
        client = response.json()
        return {
            "ATELIER_OIDC_DISCOVERY_URL": self.discovery_url,
            "ATELIER_OIDC_CLIENT_ID": client["client_id"],
            "ATELIER_OIDC_CLIENT_SECRET": client["client_secret"],
            "ATELIER_OIDC_ORGANISATION": "Gemeente Voorbeeld",
            "ATELIER_OIDC_SCOPES": "openid email profile groups",
            "ATELIER_OIDC_ALLOWED_DOMAINS": '["gemeente.example"]',
            "ATELIER_OIDC_ALLOWED_GROUPS": f'["{GROUP}"]',
        }

    def wait_for(self, event: str, timeout: float = 10) -> dict[str, Any]:
        """The next event of this kind the provider printed (``end_session``)."""
        while True:
            data = self.events.get(timeout=timeout)
            if data.get("event") == event:
                return data

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[Provider]:
    """One provider for the tests of a module; each test registers a client of its own."""
    install()
    provider = Provider()
    try:
        yield provider
    finally:
        provider.stop()


def login_form_action(html: str) -> str:
    """The action of the provider's login form (its development interaction)."""
    match = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert match, f"the provider shows its login form:\n{html[:500]}"
    return match.group(1)
