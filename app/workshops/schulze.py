"""The Schulze method: which variant the room prefers, from everyone's full ranking of them.

A redraft (:mod:`app.workshops.redrafts`) ends with the room ranking two to four variants. The
winner must be the one the room prefers over each of the others head to head (the Condorcet
winner) whenever there is one, and a sensible one when preferences go round in a circle (A over
B, B over C, C over A). Schulze does both, and it is what many associations use for exactly this.

Why a module of our own and not a library: the packages on PyPI are either unmaintained
(python-vote-core, last release 2012; "schulze", 2018) or GPL-licensed and string-based
(schulze-condorcet 2.0.1, GPLv3+, ballots as ``"a>b=c"`` strings, no tie-break): its licence
would bind this EUPL project, and with at most four variants the method is a few lines.

The method, as implemented here (all pure functions, tested against hand counts):

1. ``d[x][y]``: how many people ranked ``x`` above ``y`` (:func:`pairwise`).
2. A link ``x → y`` has strength ``d[x][y]`` if ``d[x][y] > d[y][x]`` (x wins that duel), else 0
   ("winning votes").
3. ``p[x][y]``: the strength of the strongest path from ``x`` to ``y``, where a path is as strong
   as its weakest link (widest paths, computed Floyd–Warshall style, :func:`strongest_paths`).
4. ``x`` beats ``y`` when ``p[x][y] > p[y][x]``. The order: repeatedly take the variants that no
   remaining variant beats.

**Ties** (variants that neither beats, e.g. no rankings at all, or two exactly equal) are broken
deterministically: among tied variants, the one with more first places comes first, and then the
one written first (lower position in ``candidates``, i.e. the order the variants were written).
Written first is arbitrary but fixed and visible to everyone, which is what a tie-break needs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The result of one count: the order (winner first), the pairwise counts and path strengths.

    ``ties_broken`` is true when the order needed the tie-break somewhere (the record says so).
    """

    order: list[T]
    pairwise: list[list[int]]
    strengths: list[list[int]]
    ties_broken: bool

    @property
    def winner(self) -> T:
        return self.order[0]


def pairwise(candidates: Sequence[T], rankings: Sequence[Sequence[T]]) -> list[list[int]]:
    """``d[i][j]``: how many rankings put ``candidates[i]`` above ``candidates[j]``.

    Every ranking must order all candidates (a permutation); the caller checks that.
    """
    index = {c: i for i, c in enumerate(candidates)}
    n = len(candidates)
    d = [[0] * n for _ in range(n)]
    for ranking in rankings:
        positions = [index[c] for c in ranking]
        for above, i in enumerate(positions):
            for j in positions[above + 1 :]:
                d[i][j] += 1
    return d


def strongest_paths(d: Sequence[Sequence[int]]) -> list[list[int]]:
    """``p[i][j]``: the strength of the widest path from ``i`` to ``j`` (winning votes)."""
    n = len(d)
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(n)] for i in range(n)]
    for k in range(n):
        for i in range(n):
            if i == k:
                continue
            for j in range(n):
                if j in (i, k):
                    continue
                p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return p


def schulze(candidates: Sequence[T], rankings: Sequence[Sequence[T]]) -> Outcome[T]:
    """Count ``rankings`` (each a full order of ``candidates``, best first) with Schulze."""
    if not candidates:
        raise ValueError("Nothing to rank.")
    if len(set(candidates)) != len(candidates):
        raise ValueError("The candidates must differ.")
    for ranking in rankings:
        if len(ranking) != len(candidates) or set(ranking) != set(candidates):
            raise ValueError("A ranking must order every candidate exactly once.")
    d = pairwise(candidates, rankings)
    p = strongest_paths(d)
    firsts = [0] * len(candidates)
    index = {c: i for i, c in enumerate(candidates)}
    for ranking in rankings:
        firsts[index[ranking[0]]] += 1
    remaining = list(range(len(candidates)))
    order: list[int] = []
    ties_broken = False
    while remaining:
        unbeaten = [i for i in remaining if all(p[i][j] >= p[j][i] for j in remaining if j != i)]
        # Schulze's relation is transitive, so some variant is always unbeaten.
        unbeaten.sort(key=lambda i: (-firsts[i], i))
        if len(unbeaten) > 1:
            ties_broken = True
        order.extend(unbeaten)
        remaining = [i for i in remaining if i not in unbeaten]
    return Outcome(
        order=[candidates[i] for i in order], pairwise=d, strengths=p, ties_broken=ties_broken
    )
