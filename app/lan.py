"""The address phones in the room can reach this computer under (``atelier serve --lan``).

Finding it sends no packet. The primary address is the one the operating system would send
from on the default route: connecting a UDP socket only looks up the route and fixes the
socket's local address, it transmits nothing (:func:`primary_address`). When there is no
default route, e.g. on a laptop that is itself the hotspot, the interfaces' own IPv4 addresses
are listed (with ``ifaddr``, which does this on Linux, macOS and Windows alike) and the likeliest
one is taken: a private address on a real interface before a container bridge or a VPN tunnel.

It is plain ``http`` on the local network, without TLS: for a workshop in a room, where phones
are on the same Wi-Fi, never for the internet (:data:`ROOM_ONLY`).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass
from typing import TextIO

#: A documentation address (TEST-NET-2, RFC 5737): routed by the default route, owned by nobody.
#: UDP ``connect`` to it sends nothing; it only asks the kernel which local address it would use.
ROUTE_PROBE = ("198.51.100.1", 9)

#: Interface names of bridges, virtual machines and tunnels: phones in the room are not there.
VIRTUAL_PREFIXES = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "vmnet",
    "vboxnet",
    "utun",
    "tun",
    "tap",
    "wg",
    "zt",
    "tailscale",
    "lxc",
    "lxd",
    "podman",
    "cni",
    "flannel",
    "vEthernet",
)

ROOM_ONLY = (
    "Phones must be on the same Wi-Fi as this computer. This is plain http on the local "
    "network (no TLS): use it only for a workshop in this room, never over the internet."
)

NOT_FOUND = (
    "Found no address of this computer on a local network (an IPv4 address that is not "
    "loopback). Connect this computer to the room's Wi-Fi (or start a hotspot on it) and try "
    "again, or name the address with --lan-address."
)


@dataclass(frozen=True)
class Candidate:
    """An IPv4 address of this computer, and the interface it belongs to (when known)."""

    address: str
    interface: str = ""

    def __str__(self) -> str:
        return f"{self.address} ({self.interface})" if self.interface else self.address


def usable(address: str) -> bool:
    """An IPv4 address another device on the network could reach this computer under."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def primary_address() -> str | None:
    """The source address of the default route, or None (no route, no network). No packet."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(ROUTE_PROBE)
            address = str(probe.getsockname()[0])
        except OSError:  # no default route: "Network is unreachable"
            return None
    return address if usable(address) else None


def interface_addresses() -> list[Candidate]:
    """Every usable IPv4 address of this computer's interfaces, in the system's order."""
    try:
        import ifaddr
    except ImportError:  # pragma: no cover - a dependency; the host name is the fallback
        return _host_name_addresses()
    found: list[Candidate] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if ip.is_IPv4 and isinstance(ip.ip, str) and usable(ip.ip):
                found.append(Candidate(ip.ip, adapter.nice_name or adapter.name))
    return found


def _host_name_addresses() -> list[Candidate]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [Candidate(str(info[4][0])) for info in infos if usable(str(info[4][0]))]


def _rank(candidate: Candidate) -> tuple[bool, bool]:
    virtual = candidate.interface.lower().startswith(tuple(p.lower() for p in VIRTUAL_PREFIXES))
    return virtual, not ipaddress.IPv4Address(candidate.address).is_private


def lan_candidates(primary: str | None, interfaces: list[Candidate]) -> list[Candidate]:
    """LAN addresses, the likeliest first: ``primary`` (the default route's), then the rest."""
    ordered: list[Candidate] = []
    if primary is not None and usable(primary):
        named = [c for c in interfaces if c.address == primary]
        ordered.append(named[0] if named else Candidate(primary))
    for candidate in sorted(interfaces, key=_rank):  # sorted() is stable: system order in a tie
        if candidate.address not in {c.address for c in ordered}:
            ordered.append(candidate)
    return ordered


def this_computers_addresses() -> list[Candidate]:
    """This computer's LAN addresses, the likeliest first (:func:`lan_candidates`)."""
    return lan_candidates(primary_address(), interface_addresses())


def local_address_problem(address: str) -> str | None:
    """Why ``address`` cannot be listened on here (not IPv4, not this computer's), or None.

    Binding a socket to it answers that without sending anything.
    """
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        return f"--lan-address {address!r} is not an IPv4 address (e.g. 192.168.1.20)"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError as exc:
            return f"--lan-address {address} is not an address of this computer ({exc.strerror})"
    return None


def lan_url(address: str, port: int) -> str:
    """``http://<address>:<port>`` (no port for 80): what phones open and the QR code holds."""
    return f"http://{address}" if port == 80 else f"http://{address}:{port}"


def print_banner(
    address: str, port: int, *, others: list[Candidate], out: TextIO | None = None
) -> None:
    """The address, its QR code for phones to scan, and what this mode is (and is not) for."""
    import segno

    out = out or sys.stdout
    url = lan_url(address, port)
    print(f"\nServing the room on the local network: {url}\n", file=out)
    code = segno.make_qr(url, error="m")  # a full QR code: phones' cameras do not read micro QR
    try:
        code.terminal(out=out, compact=True, border=2)
    except UnicodeEncodeError:  # a terminal without block characters: colours instead
        code.terminal(out=out, border=2)
    print(f"\n  {url}\n\n{ROOM_ONLY}", file=out)
    if ipaddress.IPv4Address(address).is_loopback:
        print("This is a loopback address: only this computer itself can open it.", file=out)
    if others:
        listed = ", ".join(str(c) for c in others)
        print(f"Other addresses of this computer: {listed}; choose with --lan-address.", file=out)
    print(file=out, flush=True)
