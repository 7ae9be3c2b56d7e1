"""How good are the suggested clusters and duplicates, against a facilitator and a model-free baseline?

The card set (``bench/data/cards_nl.json``) holds four workshop themes written the way residents,
professionals and civil servants write cards, each grouped the way a facilitator would, with
cards that fit no cluster and pairs that say the same thing in other words marked. Suggestions are
computed per theme, as in a workshop. For each theme and overall:

- **ARI**: the adjusted Rand index of :func:`app.suggest.engine.suggest_clusters` against the
  facilitator's grouping. A card left ungrouped (by the facilitator or by the engine) is a cluster
  of its own. 1 is the same grouping; 0 is what chance gives.
- **Duplicates**: precision and recall of :func:`app.suggest.engine.find_duplicates` against the
  marked pairs (pooled over the themes for "overall"). The route shows the console only pairs of
  the same kind (only those can be merged); here every pair counts.

Both for the shipped model and for the model-free :class:`~app.suggest.embedding.TfidfEmbedder`
with the same clustering code, in the same run, so the figures compare like with like.

    .venv/bin/python -m bench.suggest_quality [--names]

Needs scikit-learn for the ARI (a maintained implementation, not a hand-written one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.suggest.embedding import Embedder, TfidfEmbedder, default_embedder
from app.suggest.engine import ClusterSuggestions, Unavailable, find_duplicates, suggest_clusters

DATA = Path(__file__).resolve().parent / "data" / "cards_nl.json"


@dataclass(frozen=True)
class Card:
    id: int
    text: str
    kind: str
    group: str | None
    duplicate_of: int | None


@dataclass(frozen=True)
class Theme:
    name: str
    cards: list[Card]

    @property
    def texts(self) -> dict[int, str]:
        return {card.id: card.text for card in self.cards}

    @property
    def duplicate_pairs(self) -> set[frozenset[int]]:
        return {
            frozenset((card.id, card.duplicate_of))
            for card in self.cards
            if card.duplicate_of is not None
        }


def load_themes(path: Path = DATA) -> list[Theme]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        Theme(
            name=theme["theme"],
            cards=[
                Card(c["id"], c["text"], c["kind"], c["group"], c["duplicate_of"])
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


def truth_labels(theme: Theme) -> list[str]:
    """The facilitator's grouping, one label per card (in card order); ungrouped cards alone."""
    return [card.group if card.group else f"alone-{card.id}" for card in theme.cards]


def found_labels(theme: Theme, found: ClusterSuggestions) -> list[str]:
    """The suggested grouping in the same card order; ungrouped cards alone."""
    label = {card_id: f"c{i}" for i, c in enumerate(found.clusters) for card_id in c.card_ids}
    return [label.get(card.id, f"alone-{card.id}") for card in theme.cards]


@dataclass
class ThemeScore:
    ari: float
    clusters: int
    ungrouped: int
    found_pairs: set[frozenset[int]]
    true_pairs: set[frozenset[int]]
    seconds: float
    names: list[tuple[str, list[int]]]
    kinds: dict[int, str]

    @property
    def hits(self) -> int:
        return len(self.found_pairs & self.true_pairs)

    def mergeable(self, pairs: set[frozenset[int]]) -> set[frozenset[int]]:
        """The pairs of cards of the same kind: the only ones the console offers to merge."""
        return {pair for pair in pairs if len({self.kinds[i] for i in pair}) == 1}


def score(theme: Theme, embedder: Embedder, ari: Callable[..., float]) -> ThemeScore:
    started = time.perf_counter()
    found = suggest_clusters(theme.texts, embedder=embedder)
    pairs = find_duplicates(theme.texts, embedder=embedder)
    seconds = time.perf_counter() - started
    return ThemeScore(
        ari=ari(truth_labels(theme), found_labels(theme, found)),
        clusters=len(found.clusters),
        ungrouped=len(found.ungrouped),
        found_pairs={frozenset((p.card_id, p.other_id)) for p in pairs},
        true_pairs=theme.duplicate_pairs,
        seconds=seconds,
        names=[(c.name, list(c.card_ids)) for c in found.clusters],
        kinds={card.id: card.kind for card in theme.cards},
    )


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f} ({part}/{whole})" if whole else "– (0/0)"


def table(themes: list[Theme], results: Mapping[str, list[ThemeScore]]) -> str:
    rows = [
        "| theme | embedder | ARI | clusters (facilitator) | ungrouped (facilitator) "
        "| duplicates: precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for index, theme in enumerate(themes):
        groups = len({c.group for c in theme.cards if c.group})
        alone = sum(1 for c in theme.cards if not c.group)
        for model, scores in results.items():
            s = scores[index]
            rows.append(
                f"| {theme.name} | {model} | {s.ari:.2f} | {s.clusters} ({groups}) "
                f"| {s.ungrouped} ({alone}) | {ratio(s.hits, len(s.found_pairs))} "
                f"| {ratio(s.hits, len(s.true_pairs))} |"
            )
    for model, scores in results.items():
        hits = sum(s.hits for s in scores)
        found = sum(len(s.found_pairs) for s in scores)
        true = sum(len(s.true_pairs) for s in scores)
        rows.append(
            f"| **overall** (mean ARI, pooled pairs) | {model} "
            f"| **{statistics.mean(s.ari for s in scores):.2f}** "
            f"| {sum(s.clusters for s in scores)} | {sum(s.ungrouped for s in scores)} "
            f"| {ratio(hits, found)} | {ratio(hits, true)} |"
        )
    return "\n".join(rows)


def embedders() -> dict[str, Embedder]:
    """The shipped model (if its extra is installed) and the baseline, by display name."""
    found: dict[str, Embedder] = {}
    try:
        model = default_embedder()
        model.embed(["."])  # loaded before the clock runs
        found[model.name] = model
    except Unavailable as error:
        print(f"shipped model unavailable: {error}")
    baseline = TfidfEmbedder()
    found[f"{baseline.name} (baseline)"] = baseline
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", action="store_true", help="also print the suggested clusters")
    args = parser.parse_args()
    ari = adjusted_rand_score()
    themes = load_themes()
    results: dict[str, list[ThemeScore]] = {}
    for model, embedder in embedders().items():
        results[model] = [score(theme, embedder, ari) for theme in themes]
    cards = sum(len(t.cards) for t in themes)
    pairs = sum(len(t.duplicate_pairs) for t in themes)
    print(f"{cards} cards in {len(themes)} themes, {pairs} marked duplicate pairs\n")
    print(table(themes, results))
    print("\nDuplicates among cards of the same kind only (what the console offers to merge):")
    for model, scores in results.items():
        found = [s.mergeable(s.found_pairs) for s in scores]
        true = [s.mergeable(s.true_pairs) for s in scores]
        hits = sum(len(f & t) for f, t in zip(found, true, strict=True))
        print(
            f"- {model}: precision {ratio(hits, sum(map(len, found)))}, "
            f"recall {ratio(hits, sum(map(len, true)))}"
        )
    names = list(results)
    if len(names) == 2:
        shipped, base = (statistics.mean(s.ari for s in results[n]) for n in names)
        print(
            f"\nmean ARI {names[0]} / {names[1]}: {shipped:.2f} / {base:.2f} = {shipped / base:.2f}"
        )
    if args.names:
        texts = {c.id: c for t in themes for c in t.cards}
        for model, scores in results.items():
            for theme, s in zip(themes, scores, strict=True):
                print(f"\n## {model}: {theme.name}")
                for name, ids in s.names:
                    groups = sorted({texts[i].group or "–" for i in ids})
                    print(f"- {name} ({len(ids)} cards; facilitator: {', '.join(groups)})")
    summary: dict[str, Any] = {
        model: {
            "mean_ari": statistics.mean(s.ari for s in scores),
            "ari": [round(s.ari, 3) for s in scores],
            "duplicate_hits": sum(s.hits for s in scores),
            "duplicates_found": sum(len(s.found_pairs) for s in scores),
            "duplicates_marked": sum(len(s.true_pairs) for s in scores),
            "seconds": round(sum(s.seconds for s in scores), 2),
        }
        for model, scores in results.items()
    }
    print("\n" + json.dumps(summary))


if __name__ == "__main__":
    main()
