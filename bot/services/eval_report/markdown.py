"""The Markdown reports ``onramp eval --report FILE`` writes: one run, or two side by side."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.services.eval_report import render
from bot.services.eval_report.baseline import Baseline
from bot.services.eval_report.verdict import Evaluation, by_kind, diff_cases

#: How the Markdown report writes each baseline finding (see
#: :func:`~bot.services.eval_report.render.baseline_findings`).
_BASELINE_LINES = {
    "regression": "- **regression:** {}",
    "now_fails": "- **now fails:** {}",
    "new_failure": "- **new failing case:** {}",
    "improved": "- improved: {}",
    "now_passes": "- now passes: {}",
    "note": "- note: {}",
}


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
        f"{render.headline(ev)}.",
        "",
        "## Summary",
        "",
    ]
    lines += _md_table(render.summary_rows(ev, baseline), right=(1,))
    lines += ["", "## By kind", ""]
    lines += _md_table(render.kind_rows(ev.report), right=(1, 2, 3))
    if ev.problems:
        lines += ["", "## Why it failed", ""]
        lines += [f"- {p}" for p in ev.problems]
    check = ev.baseline
    if check is not None:
        lines += ["", "## Baseline", "", f"Compared with `{check.path}`.", ""]
        lines += render.baseline_findings(check, _BASELINE_LINES)
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
            f"- **expected:** {render.expected_text(r.case)}",
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
        f"- **A** ({label_a}): {render.headline(a)}",
        f"- **B** ({label_b}): {render.headline(b)}",
        "",
        "## Metrics",
        "",
    ]
    lines += _md_table(render.compare_rows(a, b, label_a, label_b), right=(1, 2, 3))
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
