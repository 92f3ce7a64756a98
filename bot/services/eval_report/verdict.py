"""A judged run: the gate, the baseline comparison, and whether the run passes.

A run **passes** when every metric meets the gate and, against a baseline, nothing regressed and
every failing case is a known failure; without a baseline no failure is known, so every failing
case fails the run (unless ``strict_cases`` is off, as for side-by-side runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.services.answers import FALLBACK
from bot.services.eval_report.baseline import (
    Baseline,
    BaselineCheck,
    compare_to_baseline,
    outcomes,
)
from bot.services.eval_report.gate import METRICS, RATES, Gate, RunInfo
from bot.services.evals import KINDS, Case, CaseResult, EvalReport


@dataclass(frozen=True)
class Evaluation:
    """A run, its gate and (maybe) its baseline comparison; ``passed`` is the verdict."""

    report: EvalReport
    info: RunInfo
    gate: Gate
    baseline: BaselineCheck | None = None
    #: Whether a failing case fails the run without a baseline (off for side-by-side runs).
    strict_cases: bool = True

    @property
    def threshold_problems(self) -> list[str]:
        """Thresholds this run misses."""
        return self.gate.problems(self.report.metrics)

    @property
    def unaccepted_failures(self) -> list[str]:
        """Failing questions that no baseline accepts."""
        if self.baseline is not None:
            return [*self.baseline.regressed_cases, *self.baseline.new_failures]
        if not self.strict_cases:
            return []
        return [q for q, passed in outcomes(self.report).items() if not passed]

    @property
    def problems(self) -> list[str]:
        """Every reason the run does not pass (empty when it passes)."""
        found = self.threshold_problems
        fell_back = fallbacks(self.report)
        if fell_back:
            found.append(
                f"{fell_back} answers came from the extractive fallback (Claude was unavailable), "
                f"so this run did not measure {self.info.backend}"
            )
        check = self.baseline
        if check is not None:
            found += [
                f"{m.sentence()} (tolerance {self.gate.tolerance})" for m in check.regressed_metrics
            ]
            found += [f"regressed (passed in the baseline): {q}" for q in check.regressed_cases]
            found += [f"new failing case (not in the baseline): {q}" for q in check.new_failures]
        elif self.strict_cases:
            found += [f"failing case (no baseline lists it): {q}" for q in self.unaccepted_failures]
        return found

    @property
    def passed(self) -> bool:
        """Whether the run passes its gate."""
        return not self.problems

    def known(self, result: CaseResult) -> bool:
        """Whether a failing case is a known failure of the baseline."""
        return self.baseline is not None and result.case.q in self.baseline.known_failures

    def as_json(self) -> dict[str, Any]:
        """The ``onramp eval --json`` object: issue 6's keys, then what explains them."""
        metrics = self.report.metrics
        return {
            **{name: metrics.get(name) for name in METRICS},
            "passed": self.passed,
            "failures": [
                {**r.as_json(), "expected": expected(r.case), "known": self.known(r)}
                for r in self.report.failures
            ],
            "problems": self.problems,
            "plan": self.info.plan,
            "suite": self.info.suite,
            "backend": self.info.backend,
            "prompt_version": self.info.prompt_version,
            "fallbacks": fallbacks(self.report),
            "thresholds": {
                **{name: self.gate.minimums.get(name) for name in RATES},
                "max_latency_p95_ms": self.gate.max_latency_p95_ms,
                "max_cost_usd": self.gate.max_cost_usd,
                "regression_tolerance": self.gate.tolerance,
            },
            "by_kind": by_kind(self.report),
            "baseline": self.baseline.as_json() if self.baseline is not None else None,
            "results": [
                {"q": r.case.q, "kind": r.case.kind, "passed": r.passed}
                for r in self.report.results
            ],
        }


def evaluate(
    report: EvalReport,
    info: RunInfo,
    gate: Gate,
    *,
    baseline: Baseline | None = None,
    strict_cases: bool = True,
) -> Evaluation:
    """Judge ``report`` against ``gate`` and, when given, ``baseline``."""
    check = None
    if baseline is not None:
        check = compare_to_baseline(report, info, baseline, gate.tolerance)
    return Evaluation(
        report=report, info=info, gate=gate, baseline=check, strict_cases=strict_cases
    )


def expected(case: Case) -> dict[str, Any]:
    """What a case asks for, as reported with a failure."""
    out: dict[str, Any] = {}
    if case.sections:
        out["sections"] = list(case.sections)
    if case.facts:
        out["facts"] = list(case.facts)
    if case.refuse:
        out["refuse"] = True
    if case.must_not_contain:
        out["must_not_contain"] = list(case.must_not_contain)
    if case.as_ is not None:
        out["as"] = case.as_.model_dump(exclude_defaults=True, mode="json")
    return out


def by_kind(report: EvalReport) -> dict[str, dict[str, int]]:
    """Passed / total per kind, in the suite format's kind order."""
    table = report.by_kind()
    return {
        kind: table[kind] for kind in (*KINDS, *sorted(set(table) - set(KINDS))) if kind in table
    }


def fallbacks(report: EvalReport) -> int:
    """Answers Claude could not give, so the extractive fallback gave them instead."""
    return sum(1 for r in report.results if r.answer.get("backend") == FALLBACK)


# --- side by side --------------------------------------------------------------------------------


def diff_cases(a: Evaluation, b: Evaluation) -> list[dict[str, Any]]:
    """Cases whose outcome differs between two runs of one suite, in suite order."""
    b_results = {r.case.q: r for r in b.report.results}
    changed: list[dict[str, Any]] = []
    for ra in a.report.results:
        rb = b_results.get(ra.case.q)
        if rb is None or rb.passed == ra.passed:
            continue
        changed.append(
            {
                "q": ra.case.q,
                "kind": ra.case.kind,
                "change": "pass→fail" if ra.passed else "fail→pass",
                "a": {"passed": ra.passed, "reasons": list(ra.failures), **_brief(ra)},
                "b": {"passed": rb.passed, "reasons": list(rb.failures), **_brief(rb)},
            }
        )
    return changed


def _brief(result: CaseResult) -> dict[str, Any]:
    return {
        "answer": str(result.answer.get("answer", "")),
        "citations": [c.get("id") for c in result.answer.get("citations") or []],
    }


def compare_json(a: Evaluation, b: Evaluation) -> dict[str, Any]:
    """``onramp eval --compare A B --json``: both runs and the cases that changed."""
    return {"a": a.as_json(), "b": b.as_json(), "diff": diff_cases(a, b)}
