"""The terminal report ``onramp eval`` prints: metrics, kinds, failures, baseline, verdict."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.services.eval_report import render
from bot.services.eval_report.baseline import Baseline
from bot.services.eval_report.verdict import Evaluation, diff_cases

#: How the terminal report writes each baseline finding (see
#: :func:`~bot.services.eval_report.render.baseline_findings`).
_BASELINE_LINES = {
    "regression": "  {}  ← regression",
    "now_fails": "  now fails (passed in the baseline): {}",
    "new_failure": "  new failing case: {}",
    "improved": "  {}",
    "now_passes": "  now passes: {}",
    "note": "  note: {}",
}


def _one_line(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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


def text_report(ev: Evaluation, baseline: Baseline | None = None) -> str:
    """The plain-text summary ``onramp eval`` prints: metrics, kinds, failures, verdict."""
    metrics = ev.report.metrics
    lines = [f"Evaluated {render.headline(ev)}", ""]
    lines += _table(render.summary_rows(ev, baseline), right=(1,))
    lines += ["", *_table(render.kind_rows(ev.report), right=(1, 2, 3))]
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
                f"    expected: {render.expected_text(r.case)}",
                f"    got:      {_one_line(str(r.answer.get('answer', '')))}",
                f"    cited:    {cited}",
            ]
    check = ev.baseline
    if check is not None:
        lines += ["", f"Baseline {check.path}:"]
        lines += render.baseline_findings(check, _BASELINE_LINES)
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
        f"A = {label_a}: {render.headline(a)}",
        f"B = {label_b}: {render.headline(b)}",
        "",
    ]
    lines += _table(render.compare_rows(a, b, label_a, label_b), right=(1, 2, 3))
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
