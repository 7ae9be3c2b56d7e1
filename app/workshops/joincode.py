"""Join codes: short, unambiguous when read aloud or typed on a phone.

The alphabet leaves out 0/O and 1/I (and L, which is read as 1 in many fonts). Six symbols from
31 give ~890 million codes; with rate-limited joining, guessing one is not practical.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """What the person meant: case, spaces and dashes ignored (codes are shown as ``ABC-DEF``)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def display(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"
