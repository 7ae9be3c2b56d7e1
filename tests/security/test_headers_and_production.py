"""Response headers, production settings, and what the server leaves on disk."""

from __future__ import annotations

import base64
import re
import secrets
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.settings import Settings
from tests.support.server import Server

STRONG_SECRET = "q7Vx2LmN9pR4sT6uW8yZ1aB3cD5eF7gH9iJ0kL2m"


def test_pages_api_and_join_answers_are_not_stored_but_static_files_may_be(
    server: Server, workshop: dict[str, Any]
):
    http = httpx.Client(base_url=server.url, timeout=10)
    joined = http.post(
        "/api/join", json={"code": workshop["join_code"], "stakeholder_group": "inwoner"}
    )
    assert joined.status_code == 201
    for response in (
        joined,
        http.get(f"/join/{workshop['join_code']}"),
        http.get(f"/join/{workshop['join_code']}/qr.svg"),
        http.get(f"/w/{workshop['id']}"),
        http.get(f"/screen/{workshop['id']}"),
        http.get(f"/api/join/{workshop['join_code']}"),
        http.get("/api/csrf"),
        http.get("/api/join/ZZZZZZ"),
    ):
        assert response.headers.get("cache-control") == "no-store", response.request.url
    assert "no-store" not in http.get("/static/js/upload.js").headers.get("cache-control", "")
    assert "strict-transport-security" not in joined.headers, "no HSTS over plain http"
    http.close()


def test_the_api_docs_work_without_a_cdn(server: Server):
    page = httpx.get(f"{server.url}/api/docs", timeout=10)
    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text.split("<body>", 1)[-1]
    scripts = re.findall(r'src="([^"]+)"', page.text)
    styles = re.findall(r'href="([^"]+\.css)"', page.text)
    assert scripts and styles
    for url in scripts + styles:
        assert url.startswith("/"), url
        assert httpx.get(f"{server.url}{url}", timeout=10).status_code == 200, url
    policy = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]


def production_server(make_server: Any, **env: str) -> Server:
    values = {
        "ATELIER_ENVIRONMENT": "production",
        "ATELIER_PUBLIC_URL": "https://atelier.example.nl",
        "ATELIER_SECRET_KEY": STRONG_SECRET,
        **env,
    }
    server: Server = make_server(**values)
    return server


def test_production_sends_hsts_and_hides_the_api_docs(make_server: Any):
    server = production_server(make_server, ATELIER_RETENTION_DAYS="30")
    server.start()
    health = httpx.get(f"{server.url}/healthz", timeout=10)
    assert health.headers["strict-transport-security"].startswith("max-age=")
    assert httpx.get(f"{server.url}/api/docs", timeout=10).status_code == 404
    assert "ATELIER_RETENTION_DAYS" not in server.log()


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"public_url": "http://atelier.example.nl"}, "https"),
        ({"secret_key": "change-me-" * 5}, "predictable"),
        ({"secret_key": "a" * 64}, "predictable"),
    ],
    ids=["http-public-url", "placeholder-secret", "one-letter-secret"],
)
def test_production_refuses_unsafe_settings(tmp_path: Path, env: dict[str, str], complaint: str):
    values: dict[str, Any] = {
        "environment": "production",
        "public_url": "https://atelier.example.nl",
        "secret_key": STRONG_SECRET,
        "data_dir": tmp_path,
        **env,
    }
    with pytest.raises(ValidationError, match=complaint):
        Settings.model_validate(values)
    Settings.model_validate({**values, "environment": "development"})  # fine while developing


@pytest.mark.parametrize(
    "secret",
    [
        "0123456789abcdef0123456789abcdef",
        "0123456789abcdef" * 4,
        "ATELIER_SECRET_KEY_for_production_gemeente_2026",
        "Qw7!xZ2#pL9@mN4$" * 3,
        "test-secret-" + "x" * 40,
    ],
    ids=["hex-sequence", "hex-sequence-64", "words-and-a-year", "repeated", "one-letter-tail"],
)
def test_production_judges_the_secret_key_by_how_hard_it_is_to_guess(tmp_path: Path, secret: str):
    values: dict[str, Any] = {
        "environment": "production",
        "public_url": "https://atelier.example.nl",
        "secret_key": secret,
        "data_dir": tmp_path,
    }
    with pytest.raises(ValidationError, match="predictable") as refused:
        Settings.model_validate(values)
    assert "secrets.token_urlsafe(32)" in str(refused.value)  # says how to make a good one
    made = [secrets.token_urlsafe(32) for _ in range(5)]
    made += [base64.b64encode(secrets.token_bytes(48)).decode(), secrets.token_hex(32)]
    for good in made:  # as the message says to make one, and as openssl rand does
        Settings.model_validate({**values, "secret_key": good})


def test_production_server_will_not_start_on_plain_http(make_server: Any):
    server = production_server(make_server, ATELIER_PUBLIC_URL="http://atelier.example.nl")
    with pytest.raises(RuntimeError, match="https"):
        server.start()


def test_the_database_is_private_to_the_server_and_retention_is_mentioned(
    make_server: Any, tmp_path: Path
):
    folder = tmp_path / "private" / "db"
    server = Server(data_dir=tmp_path, database_url=f"sqlite:///{folder / 'atelier.db'}")
    try:
        server.start()
        httpx.get(f"{server.url}/api/join/ZZZZZZ", timeout=10)  # some traffic: WAL files exist
    finally:
        server.stop()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert files and folder / "atelier.db" in files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert "ATELIER_RETENTION_DAYS" in server.log(), "the operator is told about retention"


def test_a_fresh_data_folder_is_private_from_the_first_setting_read(tmp_path: Path):
    """The development secret is the first thing written: its folder is the server's only."""
    from app.settings import Settings

    folder = tmp_path / "fresh"
    Settings(data_dir=folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
