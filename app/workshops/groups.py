"""Stakeholder group names: grouped without regard to case, shown as they were first typed.

A trajectory may expect groups of its own ("Dorpsraad Grou", "GGD Fryslân"), and people may join
under them. Every figure per group (who is at the table, who contributed, pooling, the record)
counts people by the stored group name, so one group must have one stored form: the first one
typed. A facilitator's "Dorpsraad Grou" is stored as typed; someone joining as "dorpsraad grou"
is stored under that same form; a group of the app's own ("inwoner") keeps its key, which every
page translates. Nothing is lower-cased for display, so the capitals a facilitator typed are the
ones the phones, the projector and the record show.

Comparisons of group names that may come from different moments (a trajectory's expected groups
edited after people joined) go through :func:`group_key`.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.types import STAKEHOLDER_GROUPS


def tidy(name: str) -> str:
    """A group name as typed, without stray spaces."""
    return " ".join(name.split())


def group_key(name: str) -> str:
    """What two spellings of one group have in common: case and spacing do not count."""
    return tidy(name).casefold()


def canonical(name: str, known: Iterable[str] = ()) -> str:
    """The stored form of group ``name``: the app's own group with that key, else the first of
    ``known`` (the trajectory's expected groups, then those people joined under) with that key,
    else ``name`` as typed."""
    key = group_key(name)
    for group in (*STAKEHOLDER_GROUPS, *known):
        if group_key(group) == key:
            return group
    return tidy(name)


def expected_groups(names: Iterable[str]) -> list[str]:
    """A trajectory's expected groups as typed, each group once (the first spelling kept)."""
    kept: list[str] = []
    for name in names:
        if tidy(name) and all(group_key(name) != group_key(k) for k in kept):
            kept.append(canonical(name))
    return kept
