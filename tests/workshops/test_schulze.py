"""The Schulze count against hand counts: a plain Condorcet winner, a cycle, ties, bad input."""

from __future__ import annotations

import pytest

from app.workshops.schulze import pairwise, schulze, strongest_paths


def ballots(*groups: tuple[int, str]) -> list[list[str]]:
    """``(5, "ACB")`` is five people ranking A above C above B."""
    return [list(order) for count, order in groups for _ in range(count)]


def test_a_condorcet_winner_wins_even_without_the_most_first_places():
    # B has most first places (3), but A beats B 4:3 and C 5:2 head to head; C beats B 4:3.
    rankings = ballots((3, "BAC"), (2, "ACB"), (2, "CAB"))
    outcome = schulze(list("ABC"), rankings)
    assert outcome.pairwise == [[0, 4, 5], [3, 0, 3], [2, 4, 0]]
    assert outcome.order == ["A", "C", "B"] and not outcome.ties_broken


def test_a_cycle_is_resolved_by_the_strongest_paths():
    # Hand count: d(A,B)=5:2, d(B,C)=5:2, d(C,A)=4:3 — a cycle A>B>C>A. Strongest paths:
    # p(A,C)=min(5,5)=5 > p(C,A)=4; p(A,B)=5 > p(B,A)=min(5,4)=4; p(B,C)=5 > p(C,B)=4.
    rankings = ballots((3, "ABC"), (2, "BCA"), (2, "CAB"))
    d = pairwise(list("ABC"), rankings)
    assert d == [[0, 5, 3], [2, 0, 5], [4, 2, 0]]
    assert strongest_paths(d) == [[0, 5, 5], [4, 0, 5], [4, 4, 0]]
    outcome = schulze(list("ABC"), rankings)
    assert outcome.order == ["A", "B", "C"] and not outcome.ties_broken


def test_the_classic_example_of_45_voters():
    """Schulze's own example (five candidates, 45 ballots): E > A > C > B > D, no Condorcet winner."""
    rankings = ballots(
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    )
    d = pairwise(list("ABCDE"), rankings)
    assert d[0] == [0, 20, 26, 30, 22]  # A over B, C, D, E
    assert d[4] == [23, 27, 21, 31, 0]  # E over A, B, C, D
    p = strongest_paths(d)
    # The hand-counted strongest paths: A loses to E 22:23 head to head and 24:25 by paths.
    assert p == [
        [0, 28, 28, 30, 24],
        [25, 0, 28, 33, 24],
        [25, 29, 0, 29, 24],
        [25, 28, 28, 0, 24],
        [25, 28, 28, 31, 0],
    ]
    outcome = schulze(list("ABCDE"), rankings)
    assert outcome.order == list("EACBD") and outcome.winner == "E"


def test_a_tie_goes_to_more_first_places_then_to_the_variant_written_first():
    # A cycle of equal strength: 2 ABC, 2 BCA, 1 CAB → p(A,B)=p(B,A)=3, p(A,C)=p(C,A)=3, B>C.
    rankings = ballots((2, "ABC"), (2, "BCA"), (1, "CAB"))
    outcome = schulze(list("ABC"), rankings)
    assert outcome.order == ["A", "B", "C"] and outcome.ties_broken  # A and B: 2 firsts each
    assert schulze(list("BAC"), rankings).order == ["B", "A", "C"]  # written order decides
    # Equal strength, but C has more first places than A and B.
    tied = ballots((1, "ABC"), (1, "BCA"), (1, "CAB"), (1, "CBA"))
    assert schulze(list("ABC"), tied).order[0] == "C"
    # Nobody ranked: written order.
    assert schulze([3, 1, 2], []).order == [3, 1, 2]


@pytest.mark.parametrize(
    "ranking", [["A", "B"], ["A", "A", "B"], ["A", "B", "C", "D"], ["A", "B", "D"]]
)
def test_a_ranking_must_order_every_candidate_exactly_once(ranking: list[str]):
    with pytest.raises(ValueError, match="exactly once"):
        schulze(list("ABC"), [ranking])


def test_candidates_must_exist_and_differ():
    with pytest.raises(ValueError):
        schulze([], [])
    with pytest.raises(ValueError):
        schulze(["A", "A"], [])
