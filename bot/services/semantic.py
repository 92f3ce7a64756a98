"""Semantic similarity between a question and a blueprint's passages (the dense half of retrieval).

Passages are encoded once, offline, by ``onramp plans index`` and stored beside the plan as
``embeddings.npz`` (float16 unit vectors, the chunk ids, a hash of the exact texts encoded and the
model name). At question time only the question is encoded, through the :class:`Encoder` port (the
numpy MiniLM adapter in :mod:`bot.llm.minilm`). A file that no longer matches the blueprint is
*stale*: ``onramp plans check`` reports it, and the answer service logs it and searches with BM25
alone rather than score passages against vectors of different text.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.domain.chunks import Chunk, chunk_blueprint, heading_text
from bot.domain.plan import LoadedPlan

if TYPE_CHECKING:
    # numpy loads with the first question (see bot.llm.encoder), not with the service.
    import numpy as np
    from numpy.typing import NDArray

log = logging.getLogger("onramp.embeddings")

EMBEDDINGS_FILE = "embeddings.npz"
INDEX_HINT = "run `onramp plans index` to rebuild it"


class Encoder(Protocol):
    """Port: a sentence encoder returning one unit-length float32 row per text."""

    name: str

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Encode ``texts`` (shape ``len(texts) × dimensions``)."""
        ...


def passage_text(chunk: Chunk) -> str:
    """What is encoded for a passage: its heading path (no section numbers) and its text."""
    return f"{heading_text(chunk.heading)}: {chunk.text}"


def texts_hash(texts: Sequence[str]) -> str:
    """A fingerprint of the exact passage texts encoded (changes with the blueprint or chunker)."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class ChunkVectors:
    """A plan's passage vectors as stored in ``embeddings.npz``."""

    model: str
    blueprint_hash: str
    ids: tuple[str, ...]
    vectors: NDArray[np.float16]


def embeddings_path(loaded: LoadedPlan) -> Path:
    """Where a plan's vectors live: beside its ``plan.yaml``."""
    return Path(loaded.path).parent / EMBEDDINGS_FILE


def build_vectors(encoder: Encoder, chunks: Sequence[Chunk]) -> ChunkVectors:
    """Encode every passage (seconds for a whole blueprint on one core)."""
    import numpy as np

    texts = [passage_text(c) for c in chunks]
    vectors = encoder.encode(texts).astype(np.float16)
    return ChunkVectors(encoder.name, texts_hash(texts), tuple(c.id for c in chunks), vectors)


def save_vectors(path: Path, vectors: ChunkVectors) -> None:
    """Write ``embeddings.npz`` (compressed; no pickled objects)."""
    import numpy as np

    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            vectors=vectors.vectors,
            ids=np.array(vectors.ids, dtype=np.str_),
            model=np.array(vectors.model, dtype=np.str_),
            blueprint_hash=np.array(vectors.blueprint_hash, dtype=np.str_),
        )


def load_vectors(path: Path) -> ChunkVectors:
    """Read ``embeddings.npz``; :class:`ValueError` with a fix when it is missing or unreadable."""
    import numpy as np

    if not path.is_file():
        raise ValueError(f"{path} is missing; {INDEX_HINT}")
    try:
        with np.load(path, allow_pickle=False) as data:
            return ChunkVectors(
                model=str(data["model"]),
                blueprint_hash=str(data["blueprint_hash"]),
                ids=tuple(str(i) for i in data["ids"]),
                vectors=np.asarray(data["vectors"], dtype=np.float16),
            )
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable embeddings file ({exc}); {INDEX_HINT}") from exc


def vectors_problem(stored: ChunkVectors, chunks: Sequence[Chunk], model: str | None) -> str | None:
    """Why ``stored`` cannot be used for ``chunks`` (stale, other model, wrong shape), or None."""
    texts = [passage_text(c) for c in chunks]
    if stored.blueprint_hash != texts_hash(texts) or stored.ids != tuple(c.id for c in chunks):
        return (
            f"the embeddings are stale (the blueprint changed since they were built); {INDEX_HINT}"
        )
    if model is not None and stored.model != model:
        return f"the embeddings were built with {stored.model}, not {model}; {INDEX_HINT}"
    if stored.vectors.ndim != 2 or stored.vectors.shape[0] != len(chunks):
        return f"the embeddings file has the wrong shape {stored.vectors.shape}; {INDEX_HINT}"
    return None


def check_plan_vectors(loaded: LoadedPlan, model: str | None = None) -> str | None:
    """A problem with a plan's ``embeddings.npz`` (for ``onramp plans check``), or None."""
    path = embeddings_path(loaded)
    try:
        stored = load_vectors(path)
    except ValueError as exc:
        return f"{loaded.plan.id}: {exc}"
    problem = vectors_problem(stored, chunk_blueprint(loaded.blueprint), model)
    return f"{loaded.plan.id}: {problem}" if problem else None


class SemanticScorer:
    """Cosine similarity of a question to every passage (rows aligned with the chunk list)."""

    def __init__(self, encoder: Encoder, vectors: NDArray[np.float16]) -> None:
        import numpy as np

        self.encoder = encoder
        self.matrix: NDArray[np.float32] = vectors.astype(np.float32)

    def warm(self) -> None:
        """Load the encoder now (one throw-away encoding), not on the first question."""
        self.encoder.encode(["warm up"])

    def scores(self, question: str) -> NDArray[np.float32]:
        """One similarity in [-1, 1] per passage."""
        query = self.encoder.encode([question])[0]
        result: NDArray[np.float32] = self.matrix @ query
        return result


def scorer_for(
    loaded: LoadedPlan, chunks: Sequence[Chunk], encoder: Encoder | None
) -> SemanticScorer | None:
    """The semantic scorer of a plan, or None (logged) when its vectors are missing or stale."""
    if encoder is None:
        return None
    try:
        stored = load_vectors(embeddings_path(loaded))
    except ValueError as exc:
        log.warning("semantic retrieval off for %s: %s", loaded.plan.id, exc)
        return None
    problem = vectors_problem(stored, chunks, encoder.name)
    if problem is not None:
        log.warning("semantic retrieval off for %s: %s", loaded.plan.id, problem)
        return None
    return SemanticScorer(encoder, stored.vectors)


__all__ = [
    "EMBEDDINGS_FILE",
    "ChunkVectors",
    "Encoder",
    "SemanticScorer",
    "build_vectors",
    "check_plan_vectors",
    "embeddings_path",
    "load_vectors",
    "passage_text",
    "save_vectors",
    "scorer_for",
    "texts_hash",
    "vectors_problem",
]
