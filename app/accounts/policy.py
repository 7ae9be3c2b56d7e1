"""Which new passwords are refused: too short, made of the person's own details, one known word
dressed up with digits and signs, or otherwise easy to guess.

zxcvbn (offline; its lists of common passwords, names and English words ship inside the package)
estimates how many guesses a password takes. It does not know Dutch, this product, or years after
2019, and it scores any password of three or more pieces at "safely unguessable" (its estimate
adds 10^8 for a third piece), so ``Welkom2026!!``, ``Zomer2026!!`` and ``Rotterdam2026!`` passed.
So, before it is asked:

* the person's own details are refused outright: the parts of their name and email address, and
  for a short local part (``b@example.org``) the whole address and the local part with the
  domain's name (``bexample``), also with the separators left out;
* a password whose letters are one known word or name — a Dutch word, month, season or town
  (``dutch_words.txt``, written for this app), the product's name, or a word of zxcvbn's lists —
  with only digits and signs around it (a year, ``!!``) is refused as easy to guess;
* zxcvbn then judges the rest, with the Dutch words, the product's name and the person's details
  given to it as known words.

Nothing is sent anywhere.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from app.labels import N_

MIN_PASSWORD_LENGTH = 10
#: zxcvbn's score 3: "safely unguessable", about 10^8 guesses or more.
MIN_SCORE = 3
#: zxcvbn's matching is slow on long input; the first 72 characters decide well enough.
_CHECKED_LENGTH = 72
_WORD = re.compile(r"[\s@.+_-]+")
_LETTERS = re.compile(r"[^\W\d_]+")
#: The product's name, as words and written together.
PRODUCT_WORDS = ("opgave", "atelier", "opgaveatelier")
WORDS_FILE = Path(__file__).with_name("dutch_words.txt")

TOO_SHORT = N_("The password needs at least %(n)s characters.")
TOO_COMMON = N_(
    "This password is too easy to guess. Choose a longer one, for example four or five "
    "unrelated words with hyphens between them."
)
PERSONAL = N_(
    "This password contains your name or email address. Choose one without them, for "
    "example four or five unrelated words with hyphens between them."
)


@functools.cache
def dutch_words() -> tuple[str, ...]:
    """The Dutch words of ``dutch_words.txt``, most likely first (read once)."""
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    words = (line.strip().lower() for line in lines if not line.lstrip().startswith("#"))
    return tuple(dict.fromkeys(word for word in words if word))


@functools.cache
def _zxcvbn_words() -> frozenset[str]:
    """Every word of zxcvbn's own lists (passwords, names, English words and films)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word for words in FREQUENCY_LISTS.values() for word in words)


def personal_parts(email: str, name: str) -> list[str]:
    """What of the person's own details a password may not contain (lower case)."""
    local_part, _, domain = email.strip().lower().partition("@")
    parts = [p for p in _WORD.split(f"{local_part} {name.lower()}") if len(p) >= 3]
    domain_name = domain.split(".")[0]
    if local_part and domain_name:  # also when the local part is too short to count alone
        parts += [f"{local_part}@{domain}", _WORD.sub("", local_part) + domain_name]
    return list(dict.fromkeys(parts))


def _one_known_word(lowered: str, known: frozenset[str]) -> bool:
    """Whether the password's letters, taken together, are one known word or name: all else
    in it is digits and signs (``Welkom2026!!``, ``Opgave-Atelier-1``)."""
    letters = "".join(_LETTERS.findall(lowered))
    return bool(letters) and (letters in known or letters in _zxcvbn_words())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """The message (an English msgid with ``%(n)s``) saying why to refuse, or ``None``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    lowered = password.lower()
    squeezed = _WORD.sub("", lowered)
    personal = personal_parts(email, name)
    if any(part in lowered or part in squeezed for part in personal):
        return PERSONAL
    domain_words = _WORD.split(email.lower().partition("@")[2])
    known = [*personal, *PRODUCT_WORDS, *dutch_words(), *(w for w in domain_words if w)]
    if _one_known_word(lowered, frozenset(known)):
        return TOO_COMMON
    from zxcvbn import zxcvbn  # its word lists load when a password is first judged, not at start

    result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=known)
    return TOO_COMMON if result["score"] < MIN_SCORE else None
