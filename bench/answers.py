"""Offline answers: latency of ``ask`` over the golden set in one process, and recall@3.

The answer service is built once and its index warmed, as ``onramp ask --json -`` does; then
every question of ``plans/<plan>/evals.yaml`` is asked once (a cold answer cache for each: the
questions are distinct), anonymously, with the offline (extractive) backend, and logged to
``qa_log`` like any answer. Latency is the wall time of ``Answers.ask`` around each call.
Recall@3 is judged as ``onramp eval`` judges it (:func:`bot.services.evals.score_case`): an
expected section among the first three citations, over the cases that name sections.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench.common import PLANS_DIR, Latencies, Workspace


@dataclass(frozen=True)
class AnswersResult(Latencies):
    """Per-question wall times (ms), recall@3 and how many cases it was judged on."""

    recall_at_3: float
    judged: int


def run(workspace: Workspace, *, plan_id: str = "junior-llm-engineer") -> AnswersResult:
    """Ask every golden question once; time each answer; judge retrieval."""
    from bot.app import build
    from bot.config import load_settings
    from bot.services.evals import load_suite, score_case

    suite = load_suite(PLANS_DIR / plan_id / "evals.yaml")
    url = workspace.database_url("answers")
    settings = load_settings(workspace.config("answers", database_url=url))
    settings.anthropic_api_key = None  # offline, whatever the environment says
    container = build(settings)
    try:
        answers = container.answers
        answers.warm(plan_id)  # the index is built once per process, before the first question
        latencies: list[float] = []
        hits: list[bool] = []
        for case in suite.cases:
            started = time.perf_counter()
            answer = answers.ask(question=case.q, plan_id=plan_id, backend="extractive")
            latencies.append((time.perf_counter() - started) * 1000)
            judged = score_case(case, answer.as_json())
            if judged.hit_at_3 is not None:
                hits.append(judged.hit_at_3)
    finally:
        container.close()
    return AnswersResult(
        latencies_ms=latencies,
        recall_at_3=round(sum(hits) / len(hits), 4) if hits else 0.0,
        judged=len(hits),
    )
