"""Judge an evaluation run and write it up: thresholds, the baseline, side by side, reports.

:mod:`bot.services.evals` runs a suite and scores every case; this package decides whether the
run passes and renders it for a terminal (plain text) and for a file (Markdown). It is pure apart
from :func:`read_baseline`, which reads one JSON file.

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

The modules, in reading order:

- :mod:`~bot.services.eval_report.gate` — the metrics a run reports and the :class:`Gate` it must
  meet;
- :mod:`~bot.services.eval_report.suites` — a suite checked against its plan before it runs;
- :mod:`~bot.services.eval_report.baseline` — a saved run read back and compared case by case;
- :mod:`~bot.services.eval_report.verdict` — :class:`Evaluation`: gate plus baseline, and whether
  the run passes; two runs side by side;
- :mod:`~bot.services.eval_report.render` — what both reports share (values, table rows,
  baseline findings), then :mod:`~bot.services.eval_report.text` for a terminal and
  :mod:`~bot.services.eval_report.markdown` for a file.
"""

from bot.services.eval_report.baseline import (
    Baseline,
    BaselineCheck,
    MetricChange,
    compare_to_baseline,
    outcomes,
    read_baseline,
)
from bot.services.eval_report.gate import LABELS, METRICS, RATES, Gate, RunInfo
from bot.services.eval_report.markdown import markdown_compare, markdown_report
from bot.services.eval_report.render import headline
from bot.services.eval_report.suites import check_suite
from bot.services.eval_report.text import text_compare, text_report
from bot.services.eval_report.verdict import (
    Evaluation,
    by_kind,
    compare_json,
    diff_cases,
    evaluate,
    expected,
    fallbacks,
)

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
