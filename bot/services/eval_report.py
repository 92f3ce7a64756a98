"""Judge an evaluation run and write it up: thresholds, the baseline, side by side, reports.

:mod:`bot.services.evals` runs a suite and scores every case; this module decides whether the run
passes and renders it for a terminal (plain text) and for a file (Markdown). It is pure apart from
:func:`read_baseline`, which reads one JSON file.

A run **passes** when

1. every metric meets its minimum (``eval.thresholds`` in ``app.yaml``; a metric a suite cannot
   measure, e.g. ``personal_accuracy`` without personal cases, is not judged), latency p95 and cost
   stay under their optional maximums, and
2. against a baseline (a saved ``onramp eval --json``): no rate dropped more than the tolerance
   below the baseline's, and every failing case is a *known failure* (it failed in the baseline
   too). A case that passed there and fails now is a regression; a case the baseline does not
   know that fails is a new failure. Without a baseline no failure is known, so every failing
   case fails the run.

Cases are identified by their question text (a question asked twice in one suite is one case that
passes only when every copy passes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domain.errors import PlanError
from bot.domain.plan import LoadedPlan
from bot.services.answers import FALLBACK
from bot.services.evals import KINDS, Case, CaseResult, EvalReport, Suite

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
_EPSILON = 1e-9


# --- suites against their plan -------------------------------------------------------------------


def check_suite(suite: Suite, loaded: LoadedPlan, path: Path | str) -> list[str]:
    """Problems of a suite that only its plan can reveal: unknown sections and milestone ids.

    A mistyped section or milestone would make a case fail (or crash a persona) for the wrong
    reason; each problem names the file, the case and the field, like :func:`load_suite` does.
    """
    blueprint = loaded.blueprint
    numbers = {s.number for s in blueprint.sections}
    milestones = set(loaded.plan.milestone_ids)
    problems: list[str] = []
    for index, case in enumerate(suite.cases):
        where = f"{path}: cases[{index}] ({case.q!r})"
        for expected in case.sections:
            if isinstance(expected, int):
                if expected not in numbers:
                    problems.append(
                        f"{where}: sections: there is no section {expected} in "
                        f"{blueprint.source_name} (sections {min(numbers)}–{max(numbers)})"
                    )
            elif not any(i == expected or i.startswith(f"{expected}.") for i in blueprint.ids):
                hint = blueprint.suggest(expected)
                problems.append(
                    f"{where}: sections: no blueprint section {expected!r}"
                    + (f" (did you mean {hint!r}?)" if hint else "")
                )
        persona = case.as_
        if persona is None:
            continue
        for name, ids in (
            ("done", persona.done),
            ("in_progress", persona.in_progress),
            ("blocked", persona.blocked),
            ("skipped", persona.skipped),
            ("expect", list(persona.expect)),
        ):
            problems.extend(
                f"{where}: as.{name}: no milestone {mid!r} in plan {loaded.plan.id} "
                "(`onramp plans show` lists the ids)"
                for mid in ids
                if mid not in milestones
            )
    return problems


# --- the gate ------------------------------------------------------------------------------------


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
            if minimum is not None and value is not None and value < minimum - _EPSILON:
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


# --- baselines -----------------------------------------------------------------------------------


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
        if now < before - tolerance - _EPSILON:
            regressed.append(MetricChange(name, float(before), float(now)))
        elif now > before + tolerance + _EPSILON:
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


# --- a judged run --------------------------------------------------------------------------------


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


# --- rendering: shared helpers -------------------------------------------------------------------


def _precision(name: str) -> str:
    """The format spec of a metric's value: rates to 3 places, cost to 4, latency to 1."""
    if name in RATES:
        return ".3f"
    if name == "cost_usd":
        return ".4f"
    if name.startswith("latency"):
        return ".1f"
    return "d"


def _value(name: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if _precision(name) == "d":
        return str(value)
    shown = format(value, _precision(name))
    return f"${shown}" if name == "cost_usd" else shown


def _minimum(ev: Evaluation, name: str) -> str:
    if name in RATES:
        minimum = ev.gate.minimums.get(name)
        return f"≥ {minimum:.2f}" if minimum is not None else ""
    if name == "latency_p95_ms" and ev.gate.max_latency_p95_ms is not None:
        return f"≤ {ev.gate.max_latency_p95_ms:g}"
    if name == "cost_usd" and ev.gate.max_cost_usd is not None:
        return f"≤ ${ev.gate.max_cost_usd:g}"
    return ""


def _status(ev: Evaluation, name: str) -> str:
    value = ev.report.metrics.get(name)
    if not _minimum(ev, name):
        return ""
    if value is None:
        return "n/a"
    if name in RATES:
        minimum = ev.gate.minimums.get(name)
        return "below" if minimum is not None and value < minimum - _EPSILON else "ok"
    limit = ev.gate.max_latency_p95_ms if name == "latency_p95_ms" else ev.gate.max_cost_usd
    return "above" if limit is not None and value > limit else "ok"


def _baseline_value(baseline: Baseline | None, name: str) -> str:
    if baseline is None:
        return ""
    return _value(name, baseline.metrics.get(name))


def _one_line(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _expected_text(case: Case) -> str:
    parts = []
    if case.sections:
        parts.append("sections " + ", ".join(str(s) for s in case.sections))
    if case.facts:
        parts.append("facts " + "; ".join(case.facts))
    if case.refuse:
        parts.append("a refusal")
    if case.must_not_contain:
        parts.append("never " + "; ".join(repr(m) for m in case.must_not_contain))
    if case.as_ is not None:
        parts.append(f"as a hire on day {case.as_.day}")
        parts.extend(f"{m} ends {s.value}" for m, s in case.as_.expect.items())
    return " · ".join(parts) or "a passing answer"


def _table(rows: Sequence[Sequence[str]], right: Iterable[int] = ()) -> list[str]:
    aligned = set(right)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in aligned else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _kind_rows(report: EvalReport) -> list[list[str]]:
    """The per-kind table: a header, passed / cases / rate per kind, then all of them."""
    rows = [["kind", "passed", "cases", "rate"]]
    total = passed = 0
    for kind, row in by_kind(report).items():
        total += row["total"]
        passed += row["passed"]
        rows.append(
            [kind, str(row["passed"]), str(row["total"]), _pct(row["passed"], row["total"])]
        )
    rows.append(["all", str(passed), str(total), _pct(passed, total)])
    return rows


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _summary_rows(ev: Evaluation, baseline: Baseline | None) -> list[list[str]]:
    """The summary table of one run: each metric's value, threshold, status (and baseline)."""
    metrics = ev.report.metrics
    header = ["metric", "value", "threshold", "status"] + (["baseline"] if baseline else [])
    rows = [header]
    for name in (n for n in METRICS if n != "cases"):
        row = [LABELS[name], _value(name, metrics.get(name)), _minimum(ev, name), _status(ev, name)]
        if baseline is not None:
            row.append(_baseline_value(baseline, name))
        rows.append(row)
    return rows


def _compare_rows(a: Evaluation, b: Evaluation, label_a: str, label_b: str) -> list[list[str]]:
    """The metrics table of two runs side by side, with B − A and each run's verdict."""
    rows = [["metric", f"A {label_a}", f"B {label_b}", "B − A"]]
    for name in METRICS:
        va, vb = a.report.metrics.get(name), b.report.metrics.get(name)
        rows.append([LABELS[name], _value(name, va), _value(name, vb), _delta(name, va, vb)])
    rows.append(["passed thresholds", _yes(a.passed), _yes(b.passed), ""])
    return rows


def headline(ev: Evaluation) -> str:
    """One line naming what was run."""
    info = ev.info
    return (
        f"{ev.report.metrics.get('cases')} cases of {info.suite} · plan {info.plan} · "
        f"backend {info.backend} · prompt {info.prompt_version}"
    )


# --- rendering: a terminal -----------------------------------------------------------------------


def text_report(ev: Evaluation, baseline: Baseline | None = None) -> str:
    """The plain-text summary ``onramp eval`` prints: metrics, kinds, failures, verdict."""
    metrics = ev.report.metrics
    lines = [f"Evaluated {headline(ev)}", ""]
    lines += _table(_summary_rows(ev, baseline), right=(1,))
    lines += ["", *_table(_kind_rows(ev.report), right=(1, 2, 3))]
    failures = ev.report.failures
    if failures:
        known = sum(1 for r in failures if ev.known(r))
        suffix = f", {known} known from the baseline" if known else ""
        lines += ["", f"Failures ({len(failures)}{suffix}):"]
        for r in failures:
            mark = "  (known)" if ev.known(r) else ""
            cited = ", ".join(str(c.get("id")) for c in r.answer.get("citations") or []) or "none"
            lines += [
                f"✗ [{r.case.kind}] {r.case.q}{mark}",
                f"    why:      {'; '.join(r.failures)}",
                f"    expected: {_expected_text(r.case)}",
                f"    got:      {_one_line(str(r.answer.get('answer', '')))}",
                f"    cited:    {cited}",
            ]
    check = ev.baseline
    if check is not None:
        lines += ["", f"Baseline {check.path}:"]
        lines += [f"  {m.sentence()}  ← regression" for m in check.regressed_metrics]
        lines += [f"  now fails (passed in the baseline): {q}" for q in check.regressed_cases]
        lines += [f"  new failing case: {q}" for q in check.new_failures]
        lines += [f"  {m.sentence()}" for m in check.improved_metrics]
        lines += [f"  now passes: {q}" for q in check.fixed]
        lines += [f"  note: {n}" for n in check.notes]
        if not check.regressed:
            lines.append(f"  no regression ({len(check.known_failures)} known failures)")
        if check.improved_metrics or check.fixed:
            lines.append(
                "  better than the baseline: save this run as the new baseline in the same commit"
            )
    lines.append("")
    if ev.passed:
        lines.append(f"PASSED: {metrics.get('cases')} cases, every threshold met.")
    else:
        lines.append("FAILED:")
        lines += [f"  - {p}" for p in ev.problems]
        if ev.baseline is None and ev.unaccepted_failures:
            lines.append(
                "  Fix them, or record them as known failures by saving a baseline "
                "(`onramp eval --json > BASELINE`, see docs/evaluation.md)."
            )
    return "\n".join(lines)


def text_compare(a: Evaluation, b: Evaluation, label_a: str, label_b: str) -> str:
    """Two runs side by side, then the cases whose outcome differs."""
    lines = [
        f"A = {label_a}: {headline(a)}",
        f"B = {label_b}: {headline(b)}",
        "",
    ]
    lines += _table(_compare_rows(a, b, label_a, label_b), right=(1, 2, 3))
    diff = diff_cases(a, b)
    lines.append("")
    if not diff:
        lines.append("No case changed outcome.")
    else:
        lines.append(f"Cases whose outcome differs ({len(diff)}):")
        for d in diff:
            failing = "b" if d["change"] == "pass→fail" else "a"
            lines.append(f"  {d['change']}  [{d['kind']}] {d['q']}")
            lines.append(f"      {failing.upper()} fails: " + "; ".join(d[failing]["reasons"]))
    return "\n".join(lines)


def _delta(name: str, a: Any, b: Any) -> str:
    if a is None or b is None or name == "cases":
        return ""
    return format(b - a, "+" + _precision(name))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# --- rendering: Markdown -------------------------------------------------------------------------


def _md_table(rows: Sequence[Sequence[str]], right: Iterable[int] = ()) -> list[str]:
    aligned = set(right)
    head, *body = rows
    rule = ["---:" if i in aligned else "---" for i in range(len(head))]
    return ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in (head, rule, *body)]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.strip().splitlines()] or ["> (empty)"]


def markdown_report(ev: Evaluation, baseline: Baseline | None = None) -> str:
    """A Markdown report: verdict, summary table, per-kind table, baseline, every failure."""
    verdict = "✅ passed" if ev.passed else "❌ failed"
    lines = [
        f"# Evaluation: {ev.info.plan} — {verdict}",
        "",
        f"{headline(ev)}.",
        "",
        "## Summary",
        "",
    ]
    lines += _md_table(_summary_rows(ev, baseline), right=(1,))
    lines += ["", "## By kind", ""]
    lines += _md_table(_kind_rows(ev.report), right=(1, 2, 3))
    if ev.problems:
        lines += ["", "## Why it failed", ""]
        lines += [f"- {p}" for p in ev.problems]
    check = ev.baseline
    if check is not None:
        lines += ["", "## Baseline", "", f"Compared with `{check.path}`.", ""]
        lines += [f"- **regression:** {m.sentence()}" for m in check.regressed_metrics]
        lines += [f"- **now fails:** {q}" for q in check.regressed_cases]
        lines += [f"- **new failing case:** {q}" for q in check.new_failures]
        lines += [f"- improved: {m.sentence()}" for m in check.improved_metrics]
        lines += [f"- now passes: {q}" for q in check.fixed]
        lines += [f"- note: {n}" for n in check.notes]
        lines.append(f"- known failures: {len(check.known_failures)}")
    failures = ev.report.failures
    lines += ["", f"## Failures ({len(failures)})", ""]
    if not failures:
        lines.append("Every case passed.")
    for n, r in enumerate(failures, start=1):
        known = " (known failure)" if ev.known(r) else ""
        citations = [
            f"`{c.get('id')}` {c.get('heading', '')}".strip()
            for c in r.answer.get("citations") or []
        ]
        lines += [
            f"### {n}. [{r.case.kind}] {r.case.q}{known}",
            "",
            f"- **why:** {'; '.join(r.failures)}",
            f"- **expected:** {_expected_text(r.case)}",
            f"- **citations:** {', '.join(citations) if citations else 'none'}",
            f"- **backend:** {r.answer.get('backend', '')}",
            "",
            "**got:**",
            "",
            *_quote(str(r.answer.get("answer", ""))),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def markdown_compare(a: Evaluation, b: Evaluation, label_a: str, label_b: str) -> str:
    """A Markdown report of two runs side by side and the cases that changed."""
    lines = [
        f"# Evaluation: {label_a} vs {label_b}",
        "",
        f"- **A** ({label_a}): {headline(a)}",
        f"- **B** ({label_b}): {headline(b)}",
        "",
        "## Metrics",
        "",
    ]
    lines += _md_table(_compare_rows(a, b, label_a, label_b), right=(1, 2, 3))
    lines += ["", "## By kind", ""]
    kinds_a, kinds_b = by_kind(a.report), by_kind(b.report)
    kind_rows = [["kind", "A passed", "B passed", "cases"]]
    for kind in dict.fromkeys([*kinds_a, *kinds_b]):
        ra, rb = kinds_a.get(kind, {}), kinds_b.get(kind, {})
        total = str(ra.get("total", rb.get("total", 0)))
        kind_rows.append([kind, str(ra.get("passed", 0)), str(rb.get("passed", 0)), total])
    lines += _md_table(kind_rows, right=(1, 2, 3))
    diff = diff_cases(a, b)
    lines += ["", f"## Cases whose outcome differs ({len(diff)})", ""]
    if not diff:
        lines.append("No case changed outcome.")
    for d in diff:
        lines += [f"### {d['change']} [{d['kind']}] {d['q']}", ""]
        for side, label in (("a", f"A {label_a}"), ("b", f"B {label_b}")):
            entry = d[side]
            state = "passed" if entry["passed"] else "failed: " + "; ".join(entry["reasons"])
            cited = ", ".join(f"`{c}`" for c in entry["citations"]) or "none"
            lines += [
                f"**{label}** — {state} (citations: {cited})",
                "",
                *_quote(entry["answer"]),
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


__all__ = [
    "LABELS",
    "METRICS",
    "RATES",
    "Baseline",
    "BaselineCheck",
    "Evaluation",
    "Gate",
    "MetricChange",
    "RunInfo",
    "by_kind",
    "check_suite",
    "compare_json",
    "compare_to_baseline",
    "diff_cases",
    "evaluate",
    "expected",
    "fallbacks",
    "headline",
    "markdown_compare",
    "markdown_report",
    "outcomes",
    "read_baseline",
    "text_compare",
    "text_report",
]
