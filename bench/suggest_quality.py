"""How good are the suggested clusters, names, duplicates and placements, against a facilitator
and a model-free baseline?

Two card sets, written the way residents, professionals and civil servants write cards, each
grouped the way a facilitator would (by mechanism), with cards that fit no cluster and pairs
that say the same thing in other words marked:

- the **own set** (``bench/data/cards_nl.json``): four themes of 44–53 cards (loneliness,
  poverty, youth care, village mobility); the engine's settings were chosen on it;
- the **held-out set** (``bench/data/cards_klimaat_nl.json``): one workshop of 128 cards on heat
  and flooding in an old neighbourhood, with the factoren each consequentie is linked to and
  near-miss pairs (the same words in another meaning: a bench in the park and a bank's loan).

Suggestions are computed per theme, as in a workshop. Per set (mean over its themes, pairs
pooled):

- **ARI**: adjusted Rand index of :func:`~app.suggest.engine.suggest_clusters` against the
  facilitator (a card left ungrouped by either is a cluster of its own; 1 = the same grouping,
  0 = chance); **largest**: the largest suggested cluster's share of the cards; **1-word
  names**: the share of names that are a single word.
- **Duplicates top K**: of :func:`~app.suggest.engine.rank_duplicates`'s first K pairs, K = the
  number of marked pairs, how many are marked (precision = recall at K) and how many are
  near-misses; **marked**: precision and recall of what
  :func:`~app.suggest.engine.find_duplicates` marks.
- **Placements**: each facilitator cluster seeded with 30% of its cards (drawn with a fixed
  seed) and titled with the facilitator's name; of the other cards in a cluster, the share
  :func:`~app.suggest.placing.place_cards` puts in the right one, the share it leaves unplaced,
  and the share right among those it calls sure (:data:`~app.suggest.placing.CONFIDENT`).

Rows: the shipped model with every idea, then with one idea switched off (or the margin
ranking, which is off, on) at a time, then the
model-free :class:`~app.suggest.embedding.TfidfEmbedder` with the same code, all in one run.

    .venv/bin/python -m bench.suggest_quality [--names]

Needs scikit-learn for the ARI (a maintained implementation, not a hand-written one).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.suggest.embedding import Embedder, TfidfEmbedder, default_embedder
from app.suggest.engine import Unavailable, find_duplicates, rank_duplicates, suggest_clusters
from app.suggest.placing import CONFIDENT, place_cards
from app.suggest.room import RoomCard
from app.suggest.vectors import DEFAULT, Ideas

DATA = Path(__file__).resolve().parent / "data"
SETS = {"own": DATA / "cards_nl.json", "held-out": DATA / "cards_klimaat_nl.json"}
#: The share of each facilitator cluster's cards that seed it in the placements test.
SEEDED = 0.3


@dataclass(frozen=True)
class Card:
    id: int
    text: str
    kind: str
    group: str | None
    duplicate_of: int | None
    near_miss_of: int | None
    factor_ids: tuple[int, ...]


@dataclass(frozen=True)
class Theme:
    name: str
    cards: list[Card]

    def room(self, seeds: dict[int, int] | None = None) -> list[RoomCard]:
        seeds = seeds or {}
        return [RoomCard(c.id, c.kind, c.text, seeds.get(c.id), c.factor_ids) for c in self.cards]

    def pairs(self, field: str) -> set[frozenset[int]]:
        return {
            frozenset((c.id, getattr(c, field)))
            for c in self.cards
            if getattr(c, field) is not None
        }


def load_themes(path: Path = SETS["own"]) -> list[Theme]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        Theme(
            name=theme["theme"],
            cards=[
                Card(
                    c["id"],
                    c["text"],
                    c["kind"],
                    c["group"],
                    c["duplicate_of"],
                    c.get("near_miss_of"),
                    tuple(c.get("factor_ids") or ()),
                )
                for c in theme["cards"]
            ],
        )
        for theme in raw["themes"]
    ]


def adjusted_rand_score() -> Callable[[Sequence[str], Sequence[str]], float]:
    try:
        from sklearn.metrics import adjusted_rand_score as ari  # type: ignore[import-untyped]
    except ImportError as error:  # pragma: no cover - depends on the venv
        raise SystemExit(
            "bench.suggest_quality needs scikit-learn for the adjusted Rand index: "
            ".venv/bin/pip install scikit-learn"
        ) from error
    return lambda truth, found: float(ari(truth, found))


def seeds(theme: Theme) -> tuple[dict[int, int], dict[int, str]]:
    """30% of each facilitator cluster's cards (at least one), drawn with a fixed seed: card →
    cluster number, and cluster number → the facilitator's name."""
    rng = random.Random(28)
    groups = sorted({c.group for c in theme.cards if c.group})
    seeded: dict[int, int] = {}
    for number, group in enumerate(groups, start=1):
        ids = sorted(c.id for c in theme.cards if c.group == group)
        rng.shuffle(ids)
        for card_id in ids[: max(1, math.ceil(SEEDED * len(ids)))]:
            seeded[card_id] = number
    return seeded, {number: group for number, group in enumerate(groups, start=1)}


@dataclass
class ThemeScore:
    ari: float
    largest: float
    names: list[tuple[str, list[int]]]
    top_hits: int
    top_near: int
    true_pairs: int
    marked: int
    marked_hits: int
    placed_right: int
    unplaced: int
    to_place: int
    sure: int
    sure_right: int
    loose_unplaced: int
    loose: int
    seconds: float

    @property
    def single_word(self) -> int:
        return sum(1 for name, _ in self.names if len(name.split()) == 1)


def score(theme: Theme, embedder: Embedder, ideas: Ideas, ari: Callable[..., float]) -> ThemeScore:
    started = time.perf_counter()
    room = theme.room()
    found = suggest_clusters(room, embedder=embedder, ideas=ideas)
    ranked = rank_duplicates(room, embedder=embedder, ideas=ideas)
    marked = find_duplicates(room, embedder=embedder, ideas=ideas)
    seeded, titles = seeds(theme)
    placed = place_cards(theme.room(seeded), titles, embedder=embedder, ideas=ideas)
    seconds = time.perf_counter() - started

    label = {i: f"c{n}" for n, c in enumerate(found.clusters) for i in c.card_ids}
    truth = [c.group or f"alone-{c.id}" for c in theme.cards]
    suggested = [label.get(c.id, f"alone-{c.id}") for c in theme.cards]
    sizes = [len(c.card_ids) for c in found.clusters] or [0]
    true_pairs = theme.pairs("duplicate_of")
    near = theme.pairs("near_miss_of")
    top = {frozenset((p.card_id, p.other_id)) for p in ranked[: len(true_pairs)]}
    marked_pairs = {frozenset((p.card_id, p.other_id)) for p in marked}
    group = {c.id: c.group for c in theme.cards}
    number = {name: n for n, name in titles.items()}
    others = [c for c in theme.cards if c.id not in seeded]
    where = {p.card_id: p for p in placed.placements}
    in_a_group = [c for c in others if c.group]
    return ThemeScore(
        ari=ari(truth, suggested),
        largest=max(sizes) / len(theme.cards),
        names=[(c.name, list(c.card_ids)) for c in found.clusters],
        top_hits=len(top & true_pairs),
        top_near=len(top & near),
        true_pairs=len(true_pairs),
        marked=len(marked_pairs),
        marked_hits=len(marked_pairs & true_pairs),
        placed_right=sum(
            1
            for c in in_a_group
            if c.id in where and where[c.id].cluster_id == number[c.group or ""]
        ),
        unplaced=sum(1 for c in in_a_group if c.id not in where),
        to_place=len(in_a_group),
        sure=sum(1 for c in in_a_group if c.id in where and where[c.id].confidence >= CONFIDENT),
        sure_right=sum(
            1
            for c in in_a_group
            if c.id in where
            and where[c.id].confidence >= CONFIDENT
            and where[c.id].cluster_id == number[group[c.id] or ""]
        ),
        loose_unplaced=sum(1 for c in others if not c.group and c.id not in where),
        loose=sum(1 for c in others if not c.group),
        seconds=seconds,
    )


def share(part: int, whole: int) -> str:
    return f"{part / whole:.2f} ({part}/{whole})" if whole else "– (0/0)"


def row(label: str, scores: list[ThemeScore]) -> str:
    names = sum(len(s.names) for s in scores)
    return (
        f"| {label} | **{statistics.mean(s.ari for s in scores):.3f}** "
        f"| {max(s.largest for s in scores):.2f} "
        f"| {share(sum(s.single_word for s in scores), names)} "
        f"| {share(sum(s.top_hits for s in scores), sum(s.true_pairs for s in scores))} "
        f"| {sum(s.top_near for s in scores)} "
        f"| {share(sum(s.marked_hits for s in scores), sum(s.marked for s in scores))}, "
        f"{share(sum(s.marked_hits for s in scores), sum(s.true_pairs for s in scores))} "
        f"| {share(sum(s.placed_right for s in scores), sum(s.to_place for s in scores))} "
        f"| {share(sum(s.unplaced for s in scores), sum(s.to_place for s in scores))} "
        f"| {share(sum(s.sure_right for s in scores), sum(s.sure for s in scores))} "
        f"| {share(sum(s.loose_unplaced for s in scores), sum(s.loose for s in scores))} |"
    )


HEADER = (
    "| embedder, ideas | ARI | largest | 1-word names | duplicates top K | near-misses in "
    "top K | marked: precision, recall | placed right | unplaced | right among sure "
    "| loose cards left unplaced |\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def variants() -> dict[str, tuple[Embedder, Ideas]]:
    """The shipped model with every idea and with each switched off, and the baseline."""
    found: dict[str, tuple[Embedder, Ideas]] = {}
    try:
        model = default_embedder()
        model.embed(["."])  # loaded before the clock runs
        found["e5, all ideas"] = (model, DEFAULT)
        found["e5, no links"] = (model, replace(DEFAULT, links=0.0))
        found["e5, not centred"] = (model, replace(DEFAULT, centre=False))
        found["e5, margin ranking"] = (model, replace(DEFAULT, margin=True))
        found["e5, any kinds"] = (model, replace(DEFAULT, kinds=False))
        found["e5, no titles"] = (model, replace(DEFAULT, names=False))
        found["e5, one round of placements"] = (model, replace(DEFAULT, rounds=1))
    except Unavailable as error:
        print(f"shipped model unavailable: {error}")
    found["tf-idf (baseline), all ideas"] = (TfidfEmbedder(), DEFAULT)
    # The fit limits are set for e5's centred space; without centring the baseline keeps
    # more cards in clusters, which is the fairer comparison for its clusters.
    found["tf-idf (baseline), not centred"] = (TfidfEmbedder(), replace(DEFAULT, centre=False))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--names", action="store_true", help="also print the suggested clusters")
    args = parser.parse_args()
    ari = adjusted_rand_score()
    summary: dict[str, Any] = {}
    for set_name, path in SETS.items():
        themes = load_themes(path)
        cards = sum(len(t.cards) for t in themes)
        print(f"\n## {set_name} set: {cards} cards in {len(themes)} theme(s)\n")
        print(HEADER)
        results = {
            label: [score(theme, embedder, ideas, ari) for theme in themes]
            for label, (embedder, ideas) in variants().items()
        }
        for label, scores in results.items():
            print(row(label, scores))
            summary[f"{set_name}: {label}"] = {
                "ari": round(statistics.mean(s.ari for s in scores), 3),
                "seconds": round(sum(s.seconds for s in scores), 2),
            }
        if args.names:
            for label in list(results)[:1] + list(results)[-1:]:
                for theme, s in zip(themes, results[label], strict=True):
                    groups = {c.id: c.group or "–" for c in theme.cards}
                    print(f"\n### {label}: {theme.name}")
                    for name, ids in s.names:
                        facilitator = sorted({groups[i] for i in ids})
                        print(f"- {name} ({len(ids)} cards; facilitator: {', '.join(facilitator)})")
    print("\n" + json.dumps(summary))


if __name__ == "__main__":
    main()
