"""Short names for suggested clusters, from the words that set a cluster apart.

A name is a suggestion the facilitator edits, so it only has to point the right way: the one to
three words that are frequent on the cluster's cards and rare on the other cards, in the form the
cards use most, Dutch stop words left out. No model is involved, so the name can be explained by
pointing at the cards.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["STOP_WORDS", "cluster_name", "stem", "words"]

# Dutch function words and the vague verbs, adverbs and adjectives cards are full of ("er is
# geen …", "veel mensen kunnen niet …", "te weinig", "veel te hoog"): they say nothing about what
# a cluster is about.
_STOP_TEXT = """
    aan aangezien achter af al alle allemaal alleen alles als altijd ander andere anders ben
    bent bij bijna bijv binnen boven buiten daar daarna daarom dan dat de deden deze die dit
    doch doe doen doet door dus echt een eens eigen eigenlijk elk elke en enig enige enkel er
    erg ergens even ge geen geweest gaan gaat gedaan gehad goed had hadden heb hebben hebt heeft
    heel hem hen het hier hij hoe hoeveel hun iemand iets ik in is ja je jij jou jouw jullie kan
    kon konden kunnen kun kunt laat laten maak maakt maar me meer men met mij mijn minder moet
    moeten mogen na naar naast net niet niets nog nooit nu of om omdat ondanks onder ons onze
    ook op over paar per te tegen terwijl toch toen tot u uit uw van vaak veel vooral voor
    vanaf vanuit waar waarom wanneer want waren was wat we wel welk welke werd werden weten
    wie wij wil willen wilt word worden wordt zal ze zeer zelf zelfs zich zij zijn zo zoals zodat
    zonder zou zouden zullen via tussen soms steeds weer ver eerst nou mee hele daardoor
    dezelfde hetzelfde sommige sommigen iedereen niemand zeggen zegt krijgen krijgt komen komt
    gaan zit zitten staat staan ziet zien lukt mensen jaar keer tijd manier elkaar geworden
    weet gaat ging gingen kreeg kwam komt bleef blijft blijven houdt houden vindt vinden denk
    denkt geef geeft geven hoeft hoeven langs pas toe terug gewoon helemaal hooguit niks
    nergens telkens tegenwoordig vandaag beetje dingen ding alsof twee drie vier vijf tien
    honderd uur eén één wel waarbij waardoor daarmee daarvoor ermee erover
    slecht slechte beter vroeger later avonds ochtends middags weinig hoog hoge laag lage groot
    grote klein kleine nieuw nieuwe lang lange snel moeilijk makkelijk genoeg meteen zomaar
"""
#: The words a cluster name never contains.
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Plural and inflection endings folded together so "wachtlijst" and "wachtlijsten" count as one.
_ENDINGS = ("en", "s", "e", "n")


def words(text: str) -> list[str]:
    """The content words of a text, lower case, stop words and very short words left out."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS]


def stem(word: str) -> str:
    """A crude key that folds Dutch plural and inflection endings, so "wachtlijst" and
    "wachtlijsten", "bus" and "bussen" count as one word."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            if ending == "s" and word[-2] not in "rlne":
                break  # "bus", "huis": no plural
            word = word[: -len(ending)]
            if word[-1] == word[-2] and word[-1] not in "aeiou":
                word = word[:-1]  # bussen → buss → bus
            break
    return word


def cluster_name(members: Sequence[str], rest: Sequence[str]) -> str:
    """A short theme phrase of two to four words for ``members`` against ``rest``, first letter
    capitalised, or an empty string when no card has a content word.

    Words score by how many of the cluster's cards use them and how much more often than the
    other cards do (a smoothed log ratio), so a theme word on every card of the workshop does
    not name one cluster. A word also counts where it ends a compound, because in Dutch the last
    part names the thing: "bus" is on a card about the "buurtbus". The best word then becomes a
    phrase the way a facilitator writes one: the word with the one the cards put before it
    ("platte dak", "volle zon") when two cards say it so, otherwise the best two words joined
    ("Riool en kolken"), and the best word with its most common neighbour on the cards when it
    is the only telling one. Ties go to the more common word, then the longer, then
    alphabetically, so the same cards always get the same name.
    """
    scored = _scored(members, rest)
    if not scored:
        return ""
    surface = Counter(w for text in members for w in words(text))
    best = scored[0][2]
    phrase = _phrase(best, members)
    if phrase is None:
        # A second word shared by two of the cluster's cards, or the word most often beside
        # the first: a word of one card would make the name that card's.
        second = next(
            (
                key
                for _score, count, key in scored[1:]
                if count >= min(2, len(members))
                and not key.endswith(best)
                and not best.endswith(key)
            ),
            None,
        )
        if second is None:
            second = _neighbour(best, members)
        head = _most_used_form(best, surface)
        phrase = head if second is None else f"{head} en {_most_used_form(second, surface)}"
    return phrase[:1].upper() + phrase[1:]


def _scored(members: Sequence[str], rest: Sequence[str]) -> list[tuple[float, int, str]]:
    """(score, cards, key) of every word key more common on ``members`` than on ``rest``, best
    first."""
    inside = [_tails(text) for text in members]
    outside = [_tails(text) for text in rest]
    keys = sorted({stem(w) for text in members for w in words(text)})
    n_in, n_out = max(1, len(members)), len(rest) + 1
    scored: list[tuple[float, int, str]] = []
    for key in keys:
        count = sum(key in tails for tails in inside)
        share_in = count / n_in
        share_out = (sum(key in tails for tails in outside) + 0.5) / n_out
        if share_in <= share_out:
            continue
        scored.append((share_in * math.log(share_in / share_out), count, key))
    # Longer words first among equals: in Dutch they are the specific nouns ("energierekening").
    scored.sort(key=lambda s: (-s[0], -s[1], -len(s[2]), s[2]))
    return scored


def _phrase(key: str, members: Sequence[str]) -> str | None:
    """The two-word phrase with ``key`` that at least two of ``members`` use, the most used one:
    ``key`` after a word ("platte dak", "openbaar vervoer") or before one ("platte dak" for
    "platte"). Both words are content words."""
    found: Counter[str] = Counter()
    for text in members:
        tokens = _WORD.findall(text.lower())
        seen = set()
        for before, after in itertools.pairwise(tokens):
            if key not in (stem(before), stem(after)):
                continue
            if all(len(w) > 2 and w not in STOP_WORDS for w in (before, after)):
                seen.add(f"{before} {after}")
        found.update(seen)
    common = sorted((-n, phrase) for phrase, n in found.items() if n >= 2)
    return common[0][1] if common else None


def _neighbour(key: str, members: Sequence[str]) -> str | None:
    """The content word (key) most often on the same card as ``key``, other than itself."""
    together: Counter[str] = Counter()
    for text in members:
        keys = {stem(w) for w in words(text)}
        if key in keys:
            together.update(k for k in keys if k != key and not k.endswith(key))
    common = sorted(((-n, -len(k), k) for k, n in together.items()))
    return common[0][2] if common else None


def _tails(text: str) -> frozenset[str]:
    """Every word key of a text, and every ending of one that could be the last part of a
    compound: three letters or more, after three or more ("buurt|bus", not "d|uur")."""
    tails = set()
    for key in (stem(w) for w in words(text)):
        tails.add(key)
        tails.update(key[start:] for start in range(3, len(key) - 2))
    return frozenset(tails)


def _most_used_form(key: str, surface: Counter[str]) -> str:
    forms = [(count, form) for form, count in surface.items() if stem(form) == key]
    forms.sort(key=lambda f: (-f[0], f[1]))
    return forms[0][1] if forms else key
