"""What the evaluation tests hold `onramp eval` to, written out once on the tests' side.

These are the promises of issue 6, spelled out here rather than imported from
:mod:`bot.services.eval_report`, so a metric dropped from the code fails the tests.
"""

from __future__ import annotations

from typing import Any

#: The rates (0–1, higher is better) a run reports.
RATES = (
    "recall_at_1",
    "recall_at_3",
    "citation_precision",
    "fact_coverage",
    "refusal_accuracy",
    "injection_pass_rate",
    "personal_accuracy",
)
#: Every metric `onramp eval --json` promises (issue 6).
ISSUE_METRICS = frozenset(
    {"cases", *RATES, "latency_p50_ms", "latency_p95_ms", "tokens", "cost_usd"}
)

#: A scored answer that passes a case asking for section 7 and the fact "5-8s".
GOOD: dict[str, Any] = {
    "answer": "p95 within product SLA (e.g., <5–8s)",
    "refused": False,
    "citations": [{"section": 7, "id": "s7", "heading": "7) KPIs", "quote": "…"}],
    "latency_ms": 1.0,
    "usage": None,
}
#: The same answer gone wrong: no fact, no citation.
BAD: dict[str, Any] = {**GOOD, "answer": "no idea", "citations": []}
