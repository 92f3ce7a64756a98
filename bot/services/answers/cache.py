"""The answer cache: the last answers to blueprint questions, served again without a backend.

An answer is kept under its question's normal form, the plan's id, version and content hash, the
prompt and the backend, so a new blueprint, plan version or prompt never serves an old answer.
The service keeps personal and refused answers out of it; a hit reports itself as cached, with no
tokens spent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from bot.domain.plan import LoadedPlan
from bot.services.answers.port import Usage
from bot.services.answers.results import Answer, normalize_question


class AnswerCache:
    """The ``size`` most recently used answers (least recently used go first); thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[str, ...], Answer] = OrderedDict()

    @staticmethod
    def key(question: str, loaded: LoadedPlan, prompt: str, backend: str) -> tuple[str, ...]:
        """What an answer is kept under."""
        return (
            normalize_question(question),
            loaded.plan.id,
            str(loaded.plan.version),
            loaded.content_hash,
            prompt,
            backend,
        )

    def get(self, key: tuple[str, ...]) -> Answer | None:
        """The answer kept under ``key``, marked cached and costing nothing, or ``None``."""
        with self._lock:
            hit = self._answers.get(key)
            if hit is not None:
                self._answers.move_to_end(key)
                return replace(hit, cached=True, usage=Usage() if hit.usage else None, cost_usd=0)
        return None

    def put(self, key: tuple[str, ...], answer: Answer) -> None:
        """Keep ``answer`` under ``key``, dropping the least recently used beyond the size."""
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
