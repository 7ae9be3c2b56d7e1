"""Reading ``/metrics`` the way Prometheus does: the text format, parsed by prometheus-client."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.server import Server

#: Every metric of app/observability/metrics.py, by family name (counters without ``_total``).
FAMILIES = {
    "atelier_open_sockets",
    "atelier_open_rooms",
    "atelier_dependency_up",
    "atelier_commands",
    "atelier_command_duration_seconds",
    "atelier_delivery_lag_seconds",
    "atelier_event_messages",
    "atelier_slow_client_disconnects",
    "atelier_broker_reconnects",
    "atelier_broker_notices",
    "atelier_joins",
    "atelier_http_requests",
    "atelier_build_info",
}


class Scrape:
    """One scrape: families by name, and sample values by name and labels."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}

    def value(self, name: str, **labels: str) -> float | None:
        """The sample ``name`` whose labels include ``labels``; the sum if several match."""
        found = [
            sample.value
            for family in self.families.values()
            for sample in family.samples
            if sample.name == name and _includes(sample.labels, labels)
        ]
        return sum(found) if found else None


def _includes(labels: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in wanted.items())


def scrape(server: Server, **headers: str) -> Scrape:
    response = httpx.get(f"{server.url}/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape(response.text)
