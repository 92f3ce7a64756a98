"""Baselines: a saved ``onramp eval --json`` run, read back and compared case by case.

Against a baseline, no rate may drop more than the tolerance below the baseline's, and every
failing case must be a *known failure* (it failed in the baseline too). A case that passed there
and fails now is a regression; a case the baseline does not know that fails is a new failure.
Cases are identified by their question text (a question asked twice in one suite is one case that
passes only when every copy passes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.errors import PlanError
from bot.services.eval_report.gate import EPSILON, LABELS, METRICS, RATES, RunInfo
from bot.services.evals import EvalReport


@dataclass(frozen=True)
class Baseline:
    """A saved ``onramp eval --json`` result to compare against."""

    path: str
    metrics: dict[str, Any]
    #: Question → passed, from ``results`` (``None`` when the file has no ``results``).
    outcomes: dict[str, bool] | None
    #: Questions that failed, from ``failures`` (``None`` when the file has no ``failures``).
    failures: frozenset[str] | None
    backend: str | None = None
    prompt_version: str | None = None


def read_baseline(path: Path) -> Baseline:
    """Read a baseline; raise :class:`PlanError` (exit 2) naming the file and what is wrong."""
    how = "save one with `onramp eval --json > FILE`"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError([f"{path}: baseline not found; {how}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([f"{path}: cannot read the baseline ({exc}); {how}"]) from None
    except json.JSONDecodeError as exc:
        raise PlanError(
            [f"{path}:{exc.lineno}: the baseline is not valid JSON ({exc.msg}); {how}"]
        ) from None
    if not isinstance(data, dict):
        raise PlanError([f"{path}: a baseline is one JSON object; {how}"])
    if {"a", "b", "diff"} <= set(data):
        raise PlanError(
            [f"{path}: this is an `onramp eval --compare` result, not a baseline; {how}"]
        )
    problems = []
    for name in METRICS:
        value = data.get(name)
        if name not in data:
            problems.append(f"{path}: {name}: missing; {how}")
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"{path}: {name}: must be a number or null, not {value!r}")
    outcomes: dict[str, bool] | None = None
    if "results" in data:
        results = data["results"]
        if not isinstance(results, list) or not all(
            isinstance(r, dict)
            and isinstance(r.get("q"), str)
            and isinstance(r.get("passed"), bool)
            for r in results
        ):
            problems.append(f"{path}: results: must be a list of {{q, kind, passed}} objects")
        else:
            outcomes = _merge_outcomes((r["q"], r["passed"]) for r in results)
    failures: frozenset[str] | None = None
    if "failures" in data:
        listed = data["failures"]
        if not isinstance(listed, list) or not all(
            isinstance(f, dict) and isinstance(f.get("q"), str) for f in listed
        ):
            problems.append(f"{path}: failures: must be a list of objects with a 'q'")
        else:
            failures = frozenset(f["q"] for f in listed)
    if problems:
        raise PlanError(problems)
    return Baseline(
        path=str(path),
        metrics={name: data[name] for name in METRICS},
        outcomes=outcomes,
        failures=failures,
        backend=data.get("backend") if isinstance(data.get("backend"), str) else None,
        prompt_version=(
            data.get("prompt_version") if isinstance(data.get("prompt_version"), str) else None
        ),
    )


@dataclass(frozen=True)
class MetricChange:
    """A rate that moved beyond the tolerance."""

    metric: str
    baseline: float
    current: float

    def as_json(self) -> dict[str, Any]:
        """``{"metric", "baseline", "current"}``."""
        return {"metric": self.metric, "baseline": self.baseline, "current": self.current}

    def sentence(self) -> str:
        """``recall@3 dropped from 0.962 to 0.900``."""
        verb = "dropped" if self.current < self.baseline else "rose"
        return f"{LABELS[self.metric]} {verb} from {self.baseline:.3f} to {self.current:.3f}"


@dataclass(frozen=True)
class BaselineCheck:
    """A run compared with its baseline."""

    path: str
    regressed_metrics: tuple[MetricChange, ...] = ()
    improved_metrics: tuple[MetricChange, ...] = ()
    regressed_cases: tuple[str, ...] = ()
    new_failures: tuple[str, ...] = ()
    known_failures: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def regressed(self) -> bool:
        """Whether anything got worse than the baseline allows."""
        return bool(self.regressed_metrics or self.regressed_cases or self.new_failures)

    def as_json(self) -> dict[str, Any]:
        """The ``baseline`` object of ``onramp eval --json``."""
        return {
            "file": self.path,
            "regressed": self.regressed,
            "regressed_metrics": [m.as_json() for m in self.regressed_metrics],
            "regressed_cases": list(self.regressed_cases),
            "new_failures": list(self.new_failures),
            "known_failures": list(self.known_failures),
            "improved_metrics": [m.as_json() for m in self.improved_metrics],
            "fixed": list(self.fixed),
            "notes": list(self.notes),
        }


def outcomes(report: EvalReport) -> dict[str, bool]:
    """Question → passed, in suite order (a repeated question passes only if every copy does)."""
    return _merge_outcomes((r.case.q, r.passed) for r in report.results)


def _merge_outcomes(pairs: Iterable[tuple[str, bool]]) -> dict[str, bool]:
    """(question, passed) pairs → question → passed, a question passing only if every copy does."""
    found: dict[str, bool] = {}
    for q, passed in pairs:
        found[q] = found.get(q, True) and passed
    return found


def compare_to_baseline(
    report: EvalReport, info: RunInfo, baseline: Baseline, tolerance: float
) -> BaselineCheck:
    """Compare a run with a baseline: rates beyond ``tolerance``, then case by case."""
    regressed: list[MetricChange] = []
    improved: list[MetricChange] = []
    for name in RATES:
        before, now = baseline.metrics.get(name), report.metrics.get(name)
        if before is None or now is None:
            continue
        if now < before - tolerance - EPSILON:
            regressed.append(MetricChange(name, float(before), float(now)))
        elif now > before + tolerance + EPSILON:
            improved.append(MetricChange(name, float(before), float(now)))
    notes: list[str] = []
    if baseline.backend and baseline.backend != info.backend:
        notes.append(f"the baseline was recorded with backend {baseline.backend}")
    if baseline.prompt_version and baseline.prompt_version != info.prompt_version:
        notes.append(f"the baseline was recorded with prompt {baseline.prompt_version}")
    if baseline.metrics.get("cases") != report.metrics.get("cases"):
        notes.append(
            f"the baseline has {baseline.metrics.get('cases')} cases, this run "
            f"{report.metrics.get('cases')}"
        )
    now_passed = outcomes(report)
    if baseline.failures is None:
        notes.append("the baseline lists no failures, so cases were not compared one by one")
        return BaselineCheck(
            path=baseline.path,
            regressed_metrics=tuple(regressed),
            improved_metrics=tuple(improved),
            notes=tuple(notes),
        )
    regressed_cases, new, known, fixed = [], [], [], []
    for q, passed in now_passed.items():
        failed_before = q in baseline.failures
        if passed:
            if failed_before:
                fixed.append(q)
        elif failed_before:
            known.append(q)
        elif baseline.outcomes is not None and q not in baseline.outcomes:
            new.append(q)
        elif baseline.outcomes is None:
            # Without `results` a case that is not a known failure may be new or a regression.
            new.append(q)
        else:
            regressed_cases.append(q)
    return BaselineCheck(
        path=baseline.path,
        regressed_metrics=tuple(regressed),
        improved_metrics=tuple(improved),
        regressed_cases=tuple(regressed_cases),
        new_failures=tuple(new),
        known_failures=tuple(known),
        fixed=tuple(fixed),
        notes=tuple(notes),
    )
