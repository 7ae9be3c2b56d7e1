"""ATELIER_TRUSTED_PROXIES takes addresses and networks only: anything else fails at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import Settings


@pytest.mark.parametrize(
    "entries",
    [["10.0.0.5"], ["10.1.0.0/16", "::1"], ["fd00::/8"], ["*"], [" 127.0.0.1 "]],
)
def test_addresses_networks_and_the_wildcard_are_taken(entries: list[str]):
    settings = Settings(trusted_proxies=entries, secret_key="s" * 40)
    assert settings.trusted_proxies == [entry.strip() for entry in entries]


@pytest.mark.parametrize(
    ("entries", "complaint"),
    [
        (["10.0.0.5:443"], "not an IP address"),
        (["proxy.gemeente.local"], "not an IP address"),
        (["10.1.0.1/16"], "not an IP address"),  # host bits set: uvicorn would not match it
        (["*", "10.0.0.5"], "list it alone"),
    ],
)
def test_anything_else_is_refused_with_a_sentence(entries: list[str], complaint: str):
    with pytest.raises(ValidationError, match=complaint):
        Settings(trusted_proxies=entries, secret_key="s" * 40)
