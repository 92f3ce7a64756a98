"""The sentence encoder the app loads: MiniLM, held until the first question needs it.

This module imports neither numpy nor the tokenizer: a process (``onramp serve``) pays for the
model only once it answers its first question, so servers that never answer stay small. The model
files and the lazy holder live in :mod:`bot.llm.weights`; :mod:`bot.llm.minilm` (numpy) is
imported only by the builder below, when the holder first loads. The dependency goes one way:
encoder → minilm → weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.llm.weights import MODEL_NAME, PACKAGE, WEIGHTS_FILE, LazyEncoder, lazy_encoder, model_dir

if TYPE_CHECKING:
    from pathlib import Path

    from bot.llm.minilm import MiniLMEncoder


def _build_minilm(directory: Path) -> MiniLMEncoder:
    from bot.llm.minilm import MiniLMEncoder

    return MiniLMEncoder(directory)


def load_encoder() -> LazyEncoder | None:
    """The (lazily loaded) MiniLM encoder, or ``None`` (logged) when the model package is
    missing."""
    return lazy_encoder(_build_minilm)


__all__ = ["MODEL_NAME", "PACKAGE", "WEIGHTS_FILE", "LazyEncoder", "load_encoder", "model_dir"]
