"""What an answer is: the backends' names, citations, the answer and its cost, and the policy.

Answers made here, without a model (refusals, personal replies, quoted passages), are built by
:func:`local_answer`; :meth:`~bot.services.answers.Answers.ask` measures their latency and sets
the prompt version they are logged with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.domain.chunks import Chunk, words
from bot.services.answers.port import Usage
from bot.services.retrieval import RetrievalTuning

QUESTION_LIMIT = 2000
BackendName = Literal["auto", "extractive", "anthropic"]
EXTRACTIVE = "extractive"
ANTHROPIC = "anthropic"
FALLBACK = "extractive (fallback)"
GUARDRAIL = "guardrail"
PERSONAL = "personal"
#: The stop reasons of a finished answer (anything else is cut off, declined or unfinished).
COMPLETE_STOPS = frozenset({"end_turn", "stop_sequence"})


@dataclass(frozen=True)
class Citation:
    """A blueprint passage an answer rests on."""

    section: int
    id: str
    heading: str
    quote: str

    @classmethod
    def of(cls, chunk: Chunk, quote: str | None = None) -> Citation:
        """``chunk`` cited, with ``quote`` (an excerpt) or its whole source lines."""
        return cls(
            chunk.number, chunk.section_id, chunk.heading, chunk.quote if quote is None else quote
        )

    def as_json(self) -> dict[str, Any]:
        """The ``onramp ask --json`` citation shape: the fields, in their order."""
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """An answer, as returned to adapters and printed by ``onramp ask --json``."""

    text: str
    refused: bool
    citations: tuple[Citation, ...]
    backend: str
    model: str | None
    prompt_version: str
    latency_ms: float
    usage: Usage | None = None
    cost_usd: float = 0.0
    personal: bool = False
    cached: bool = False
    qa_id: int | None = None
    reason: str = ""
    #: Claude's stop reason (``None`` for answers made without a model).
    stop_reason: str | None = None

    @property
    def complete(self) -> bool:
        """Whether the answer may be cached: not refused, and from Claude only when it finished
        (``end_turn`` / ``stop_sequence``) and cited the blueprint."""
        if self.refused:
            return False
        if self.backend != ANTHROPIC:
            return True
        return self.stop_reason in COMPLETE_STOPS and bool(self.citations)

    def as_json(self) -> dict[str, Any]:
        """The stable shape of design.md §8."""
        usage = None
        if self.usage is not None:
            usage = {
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
                "cache_read_input_tokens": self.usage.cache_read_tokens,
                "cache_creation_input_tokens": self.usage.cache_write_tokens,
                "cost_usd": round(self.cost_usd, 6),
            }
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.as_json() for c in self.citations],
            "backend": self.backend,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "latency_ms": round(self.latency_ms, 2),
            "usage": usage,
        }


@dataclass(frozen=True)
class Prices:
    """USD per million tokens, for the cost estimate in ``qa_log``."""

    input: float = 3.0
    output: float = 15.0
    cache_read: float = 0.3
    cache_write: float = 3.75

    def cost(self, usage: Usage) -> float:
        """The estimated cost of ``usage``."""
        return (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cache_read_tokens * self.cache_read
            + usage.cache_write_tokens * self.cache_write
        ) / 1_000_000


@dataclass(frozen=True)
class AnswerPolicy:
    """Knobs of the answer service (from ``app.yaml``; thresholds calibrated on the golden set)."""

    backend: BackendName = "auto"
    prompt: str = "answer@v1"
    app_name: str = "Onramp"
    min_coverage: float = 0.45
    max_passages: int = 3
    model_passages: int = 6
    cache_size: int = 256
    retention_days: int = 180
    prices: Prices = field(default_factory=Prices)
    tuning: RetrievalTuning = field(default_factory=RetrievalTuning)


def normalize_question(text: str) -> str:
    """The cache key form of a question: lower-case words, single spaces, no end punctuation."""
    return " ".join(words(text))


def cited_sections(answers: Sequence[Answer]) -> list[str]:
    """Section ids cited by ``answers`` (helper for reports)."""
    return [c.id for a in answers for c in a.citations]


def local_answer(
    text: str,
    backend: str,
    *,
    prompt_version: str,
    citations: tuple[Citation, ...] = (),
    refused: bool = False,
    personal: bool = False,
    reason: str = "",
) -> Answer:
    """An answer made here, without a model (latency is measured by the service's ``ask``)."""
    return Answer(
        text=text,
        refused=refused,
        citations=citations,
        backend=backend,
        model=None,
        prompt_version=prompt_version,
        latency_ms=0.0,
        personal=personal,
        reason=reason,
    )


def refusal(text: str, reason: str, *, prompt_version: str) -> Answer:
    """A refusal: by the guardrails, or by the extractive backend below its threshold."""
    backend = GUARDRAIL if reason != "below_threshold" else EXTRACTIVE
    return local_answer(text, backend, prompt_version=prompt_version, refused=True, reason=reason)


def personal_answer(text: str, *, prompt_version: str) -> Answer:
    """A reply about the asker's own plan."""
    return local_answer(text, PERSONAL, prompt_version=prompt_version, personal=True)
