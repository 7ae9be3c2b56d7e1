"""How much a secret would take to guess, in bits: the production secret key's check.

A key is judged by the pieces an attacker who knows common patterns would guess it in: zxcvbn
(offline) splits it into words, names, sequences (``0123``, ``abcdef``), repeats, dates and
random stretches, with guesses for each. The estimate is the sum of the pieces' bits. Unlike
zxcvbn's own total it does not grow with the number of pieces (zxcvbn multiplies by their
count's factorial and adds 10^4 per piece, which makes any key of many words look strong), so
a key counts what its words are worth. Measured: ``ATELIER_SECRET_KEY_for_production_gemeente_2026``
comes to 85 bits, ``0123456789abcdef`` four times to 16, ``"Qw7!xZ2#pL9@mN4$" * 3`` to 55; 32
random bytes as ``secrets.token_urlsafe(32)`` writes them (43 characters) to 136–148 (300 keys),
``openssl rand -base64 48`` and ``secrets.token_hex(32)`` to over 185. zxcvbn counts a random
character as 10 guesses, not 64, so the figure is low for random keys, never high.
"""

from __future__ import annotations

import math

#: zxcvbn looks at this many characters at a time (its own limit); a longer key is summed in parts.
_PART = 72


def guessing_bits(secret: str, known: tuple[str, ...] = ()) -> float:
    """log2 of the guesses for ``secret``'s pieces, summed (``known``: words to count as known)."""
    from zxcvbn import zxcvbn  # its lists load on first use, not when settings are read

    total = 0.0
    for start in range(0, len(secret), _PART):
        result = zxcvbn(secret[start : start + _PART], user_inputs=list(known))
        total += sum(math.log2(max(float(piece["guesses"]), 1.0)) for piece in result["sequence"])
    return total
