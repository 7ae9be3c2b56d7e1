"""``/metrics``: valid Prometheus text, every metric named, bounded labels, and who may read it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from app.version import VERSION
from tests.observability.scrape import FAMILIES, scrape
from tests.support.server import Server

#: A public address, as a header value only (no traffic goes anywhere).
PUBLIC_ADDRESS = "8.8.8.8"


def test_metrics_are_prometheus_text_with_every_metric(make_server: Callable[..., Server]):
    server = make_server()
    server.start()
    httpx.get(f"{server.url}/healthz", timeout=10)
    httpx.get(f"{server.url}/wp-admin/setup-config.php?step=1", timeout=10)  # a scanner
    httpx.get(f"{server.url}/api/workshops/12345", timeout=10)
    result = scrape(server)
    missing = FAMILIES - set(result.families)
    assert not missing, f"not in /metrics: {missing}"
    assert result.families["atelier_commands"].type == "counter"
    assert result.families["atelier_open_sockets"].type == "gauge"
    assert result.families["atelier_command_duration_seconds"].type == "histogram"
    # Every role is there from the start, at zero.
    for role in ("participant", "facilitator", "screen"):
        assert result.value("atelier_open_sockets", role=role) == 0
    # One process, no PROMETHEUS_MULTIPROC_DIR: the default registry, with the process metrics.
    assert "process_resident_memory_bytes" in result.families
    # Which release: info-style, one series at 1 (no build-info.json outside the image).
    assert result.value("atelier_build_info", version=VERSION, commit="", date="") == 1
    # HTTP requests by route template and status class; never a raw path or an id.
    assert result.value("atelier_http_requests_total", route="/healthz", method="GET", status="2xx")
    assert result.value("atelier_http_requests_total", route="unmatched", status="4xx")
    assert "wp-admin" not in result.text and "12345" not in result.text
    routes = {
        sample.labels["route"]
        for sample in result.families["atelier_http_requests"].samples
        if "route" in sample.labels
    }
    assert "/api/workshops/{workshop_id}" in routes or "unmatched" in routes


def test_metrics_refuse_a_proxied_or_public_caller_without_a_token(server: Server):
    url = f"{server.url}/metrics"
    assert httpx.get(url, timeout=10).status_code == 200  # from 127.0.0.1
    # Through a proxy that is not trusted, the peer address (the proxy's) says nothing.
    proxied = httpx.get(url, headers={"X-Forwarded-For": PUBLIC_ADDRESS}, timeout=10)
    assert proxied.status_code == 403
    assert "atelier_" not in proxied.text
    assert httpx.get(url, headers={"Forwarded": "for=10.0.0.3"}, timeout=10).status_code == 403


def test_metrics_follow_the_address_a_trusted_proxy_vouches_for(
    make_server: Callable[..., Server],
):
    server = make_server(ATELIER_TRUSTED_PROXIES='["127.0.0.1"]')
    server.start()
    url = f"{server.url}/metrics"
    public = httpx.get(url, headers={"X-Forwarded-For": PUBLIC_ADDRESS}, timeout=10)
    assert public.status_code == 403
    private = httpx.get(url, headers={"X-Forwarded-For": "10.20.30.40"}, timeout=10)
    assert private.status_code == 200


def test_metrics_with_a_token_require_it_from_everyone(make_server: Callable[..., Server]):
    server = make_server(ATELIER_METRICS_TOKEN="metrics-token-0123456789")
    server.start()
    url = f"{server.url}/metrics"
    missing = httpx.get(url, timeout=10)  # from loopback too
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.get(url, headers={"Authorization": "Bearer not-the-token"}, timeout=10)
    assert wrong.status_code == 401
    basic = httpx.get(url, auth=("prometheus", "metrics-token-0123456789"), timeout=10)
    assert basic.status_code == 401
    result = scrape(server, Authorization="Bearer metrics-token-0123456789")
    assert "atelier_open_rooms" in result.families


def test_metrics_add_up_the_processes_in_multiprocess_mode(
    make_server: Callable[..., Server], tmp_path: Path
):
    """With PROMETHEUS_MULTIPROC_DIR (one worker here), /metrics reads the shared files."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    server = make_server(PROMETHEUS_MULTIPROC_DIR=str(directory))
    server.start()
    httpx.get(f"{server.url}/healthz", timeout=10)
    result = scrape(server)
    assert any(p.name.startswith("gauge_livesum_") for p in directory.iterdir())
    assert result.value("atelier_open_sockets", role="participant") == 0
    assert result.value("atelier_http_requests_total", route="/healthz", status="2xx")
    assert "process_resident_memory_bytes" not in result.families  # per process: not summed
    assert result.value("atelier_build_info", version=VERSION) == 1, "livemax: once, not summed"
    server.stop()
    # A worker that stopped takes its live gauges with it; its counters stay counted.
    assert not any(p.name.startswith("gauge_livesum_") for p in directory.iterdir())
    assert any(p.name.startswith("counter_") for p in directory.iterdir())
