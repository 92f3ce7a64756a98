"""What the terminal and the Markdown reports share: values, the rows of each table, findings.

:mod:`~bot.services.eval_report.text` lays these rows out for a terminal and
:mod:`~bot.services.eval_report.markdown` for a file; both say the same things in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.services.eval_report.baseline import Baseline, BaselineCheck
from bot.services.eval_report.gate import EPSILON, LABELS, METRICS, RATES
from bot.services.eval_report.verdict import Evaluation, by_kind
from bot.services.evals import Case, EvalReport


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
        return "below" if minimum is not None and value < minimum - EPSILON else "ok"
    limit = ev.gate.max_latency_p95_ms if name == "latency_p95_ms" else ev.gate.max_cost_usd
    return "above" if limit is not None and value > limit else "ok"


def _baseline_value(baseline: Baseline | None, name: str) -> str:
    if baseline is None:
        return ""
    return _value(name, baseline.metrics.get(name))


def expected_text(case: Case) -> str:
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


def kind_rows(report: EvalReport) -> list[list[str]]:
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


def summary_rows(ev: Evaluation, baseline: Baseline | None) -> list[list[str]]:
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


def compare_rows(a: Evaluation, b: Evaluation, label_a: str, label_b: str) -> list[list[str]]:
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


def _delta(name: str, a: Any, b: Any) -> str:
    if a is None or b is None or name == "cases":
        return ""
    return format(b - a, "+" + _precision(name))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def baseline_findings(check: BaselineCheck, formats: Mapping[str, str]) -> list[str]:
    """What a baseline comparison found, in report order, one line each as ``formats`` writes
    it: by kind (``regression``, ``now_fails``, ``new_failure``, ``improved``, ``now_passes``,
    ``note``), a template whose ``{}`` is the finding."""
    found = [
        *(("regression", m.sentence()) for m in check.regressed_metrics),
        *(("now_fails", q) for q in check.regressed_cases),
        *(("new_failure", q) for q in check.new_failures),
        *(("improved", m.sentence()) for m in check.improved_metrics),
        *(("now_passes", q) for q in check.fixed),
        *(("note", n) for n in check.notes),
    ]
    return [formats[kind].format(text) for kind, text in found]
