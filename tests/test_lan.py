"""Finding the address phones in the room can use (``atelier serve --lan``), as functions.

``tests/test_cli_serve.py`` runs the command itself.
"""

from __future__ import annotations

import io
import ipaddress
import socket
from typing import Any

import pytest
import segno

from app import lan
from app.lan import Candidate


def test_the_primary_address_is_an_address_of_this_computer():
    primary = lan.primary_address()
    if primary is None:  # a machine without a default route: nothing to check
        return
    assert lan.usable(primary)
    assert primary in {c.address for c in lan.interface_addresses()}
    assert lan.this_computers_addresses()[0].address == primary


def test_finding_the_address_sends_no_packet(monkeypatch: pytest.MonkeyPatch):
    """The UDP socket is connected (a route look-up) and asked its address; nothing is sent."""
    calls: list[str] = []

    class Probe:
        def __init__(self, family: int, kind: int) -> None:
            assert (family, kind) == (socket.AF_INET, socket.SOCK_DGRAM)

        def __enter__(self) -> Probe:
            return self

        def __exit__(self, *exc: object) -> None:
            calls.append("close")

        def connect(self, address: tuple[str, int]) -> None:
            assert address == lan.ROUTE_PROBE
            assert ipaddress.IPv4Address(address[0]) in ipaddress.IPv4Network("198.51.100.0/24")
            calls.append("connect")

        def getsockname(self) -> tuple[str, int]:
            calls.append("getsockname")
            return ("192.168.1.20", 50000)

        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"the probe must not {name}")

    monkeypatch.setattr(socket, "socket", Probe)
    assert lan.primary_address() == "192.168.1.20"
    assert calls == ["connect", "getsockname", "close"]


def test_without_a_route_there_is_no_primary_address(monkeypatch: pytest.MonkeyPatch):
    class Unreachable(socket.socket):
        def connect(self, address: Any) -> None:
            raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket, "socket", Unreachable)
    assert lan.primary_address() is None


@pytest.mark.parametrize(
    ("address", "usable"),
    [
        ("192.168.1.20", True),
        ("10.42.0.1", True),
        ("172.20.10.2", True),
        ("127.0.0.1", False),
        ("169.254.3.4", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("fe80::1", False),
        ("laptop.local", False),
    ],
)
def test_which_addresses_phones_could_reach(address: str, usable: bool):
    assert lan.usable(address) is usable


def test_the_default_route_comes_first_then_real_private_interfaces():
    interfaces = [
        Candidate("172.17.0.1", "docker0"),
        Candidate("100.101.102.103", "tailscale0"),
        Candidate("203.0.113.5", "eth1"),
        Candidate("192.168.1.20", "wlan0"),
        Candidate("10.8.0.2", "tun0"),
    ]
    ordered = lan.lan_candidates("203.0.113.5", interfaces)
    assert [c.address for c in ordered] == [
        "203.0.113.5",  # the default route's, whatever it is
        "192.168.1.20",  # then a private address on a real interface
        "172.17.0.1",  # container bridges and tunnels last, private ones first
        "10.8.0.2",
        "100.101.102.103",  # shared address space (RFC 6598), not private
    ]
    assert ordered[0] == Candidate("203.0.113.5", "eth1")


def test_a_hotspot_without_a_default_route_still_finds_its_address():
    interfaces = [Candidate("172.17.0.1", "docker0"), Candidate("10.42.0.1", "wlp2s0")]
    assert lan.lan_candidates(None, interfaces)[0] == Candidate("10.42.0.1", "wlp2s0")


def test_no_network_no_candidates():
    assert lan.lan_candidates(None, []) == []


def test_a_primary_address_unknown_to_the_interfaces_is_kept_without_a_name():
    assert lan.lan_candidates("192.168.1.20", []) == [Candidate("192.168.1.20")]


def test_a_chosen_address_must_be_this_computers():
    assert lan.local_address_problem("127.0.0.1") is None
    assert "not an IPv4 address" in (lan.local_address_problem("laptop.local") or "")
    assert "not an IPv4 address" in (lan.local_address_problem("fe80::1") or "")
    # TEST-NET-3 (RFC 5737) is no address of any machine; binding to it fails, nothing is sent.
    assert "not an address of this computer" in (lan.local_address_problem("203.0.113.77") or "")


def test_the_url_has_the_port_unless_it_is_80():
    assert lan.lan_url("192.168.1.20", 8000) == "http://192.168.1.20:8000"
    assert lan.lan_url("192.168.1.20", 80) == "http://192.168.1.20"


def test_the_banner_has_the_url_its_qr_code_and_what_it_is_for():
    out = io.StringIO()
    lan.print_banner("192.168.1.20", 8000, others=[Candidate("172.17.0.1", "docker0")], out=out)
    text = out.getvalue()
    url = "http://192.168.1.20:8000"
    assert url in text
    expected_qr = io.StringIO()
    segno.make_qr(url, error="m").terminal(out=expected_qr, compact=True, border=2)
    assert expected_qr.getvalue() in text, "a full QR code of exactly the URL"
    assert lan.ROOM_ONLY in text
    assert "same Wi-Fi" in text and "no TLS" in text
    assert "172.17.0.1 (docker0)" in text and "--lan-address" in text


def test_the_qr_code_falls_back_to_colours_where_block_characters_cannot_be_written():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    lan.print_banner("192.168.1.20", 8000, others=[], out=out)
    out.flush()
    text = raw.getvalue().decode("ascii")
    assert "http://192.168.1.20:8000" in text
    assert "\x1b[" in text, "segno's ANSI colour blocks"
    assert "choose with --lan-address" not in text, "one address: nothing to choose"
