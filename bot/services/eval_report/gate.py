"""What a run is held to: the metrics it reports, and the gate of minimums and maximums.

:class:`Gate` holds ``eval.thresholds`` from ``app.yaml``; a metric a suite cannot measure (e.g.
``personal_accuracy`` without personal cases) is not judged. :class:`RunInfo` names what was run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Rates (0–1, higher is better), in report order.
RATES: tuple[str, ...] = (
    "recall_at_1",
    "recall_at_3",
    "citation_precision",
    "fact_coverage",
    "refusal_accuracy",
    "injection_pass_rate",
    "personal_accuracy",
)
#: Every metric of ``onramp eval --json`` (issue 6), in output order.
METRICS: tuple[str, ...] = (
    "cases",
    *RATES,
    "latency_p50_ms",
    "latency_p95_ms",
    "tokens",
    "cost_usd",
)
LABELS: dict[str, str] = {
    "cases": "cases",
    "recall_at_1": "recall@1",
    "recall_at_3": "recall@3",
    "citation_precision": "citation precision",
    "fact_coverage": "fact coverage",
    "refusal_accuracy": "refusal accuracy",
    "injection_pass_rate": "injection pass rate",
    "personal_accuracy": "personal accuracy",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p95_ms": "latency p95 (ms)",
    "tokens": "tokens",
    "cost_usd": "cost (USD)",
}
#: Rates this close to a minimum (or a baseline) meet it: floating-point noise is no regression.
EPSILON = 1e-9


@dataclass(frozen=True)
class Gate:
    """What a run must reach: minimum rates, optional maximums, and the baseline tolerance."""

    minimums: Mapping[str, float | None] = field(default_factory=dict)
    max_latency_p95_ms: float | None = None
    max_cost_usd: float | None = None
    tolerance: float = 0.02

    def problems(self, metrics: Mapping[str, Any]) -> list[str]:
        """Every threshold ``metrics`` miss, as a sentence."""
        found: list[str] = []
        for name in RATES:
            minimum = self.minimums.get(name)
            value = metrics.get(name)
            if minimum is not None and value is not None and value < minimum - EPSILON:
                found.append(f"{LABELS[name]} {value:.3f} is below the minimum {minimum:.2f}")
        p95 = metrics.get("latency_p95_ms")
        if (
            self.max_latency_p95_ms is not None
            and p95 is not None
            and p95 > self.max_latency_p95_ms
        ):
            found.append(f"latency p95 {p95:.1f} ms is above the maximum {self.max_latency_p95_ms}")
        cost = metrics.get("cost_usd")
        if self.max_cost_usd is not None and cost is not None and cost > self.max_cost_usd:
            found.append(f"cost ${cost:.4f} is above the maximum ${self.max_cost_usd}")
        return found


@dataclass(frozen=True)
class RunInfo:
    """What was run: the plan, the suite file, the backend and the prompt version."""

    plan: str
    suite: str
    backend: str
    prompt_version: str
