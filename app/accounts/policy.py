"""Which new passwords are refused: too short, too common, or made of the person's own details.

zxcvbn (offline; its lists of common passwords, names and words ship inside the package) scores
how guessable a password is. A few Dutch words that its English lists lack, and the person's
email and name, count as known words too. Nothing is sent anywhere.
"""

from __future__ import annotations

import re

from app.labels import N_

MIN_PASSWORD_LENGTH = 10
#: zxcvbn's score 3: "safely unguessable", about 10^8 guesses or more.
MIN_SCORE = 3
#: zxcvbn's matching is slow on long input; the first 72 characters decide well enough.
_CHECKED_LENGTH = 72
_WORD = re.compile(r"[\s@.+_-]+")
_KNOWN_WORDS = ["wachtwoord", "welkom", "gemeente", "atelier", "opgave", "facilitator", "geheim"]

TOO_SHORT = N_("The password needs at least %(n)s characters.")
TOO_COMMON = N_(
    "This password is too easy to guess. Choose a longer one, for example four or five "
    "unrelated words with hyphens between them."
)
PERSONAL = N_(
    "This password contains your name or email address. Choose one without them, for "
    "example four or five unrelated words with hyphens between them."
)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """The message (an English msgid with ``%(n)s``) saying why to refuse, or ``None``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    lowered = password.lower()
    local_part, _, domain = email.lower().partition("@")
    personal = [p for p in _WORD.split(f"{local_part} {name.lower()}") if len(p) >= 3]
    if any(part in lowered for part in personal):
        return PERSONAL
    known = [*_KNOWN_WORDS, *personal, *_WORD.split(domain)]
    from zxcvbn import zxcvbn  # its word lists load when a password is first judged, not at start

    result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=known)
    return TOO_COMMON if result["score"] < MIN_SCORE else None
