"""The gate in isolation: thresholds, tolerance, known failures, suite checks (pure functions)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.plan import LoadedPlan
from bot.services.catalog import PlanCatalog
from bot.services.eval_report import (
    Baseline,
    Gate,
    RunInfo,
    check_suite,
    evaluate,
    markdown_report,
    text_report,
)
from bot.services.evals import Case, EvalReport, Suite, score_case, summarize
from tests.evals.conftest import PLAN_ID, ROOT
from tests.support.evals import BAD, GOOD

INFO = RunInfo(plan=PLAN_ID, suite="suite.yaml", backend="extractive", prompt_version="answer@v1")


def _report(*answers: dict[str, Any]) -> EvalReport:
    cases = [
        Case.model_validate({"q": f"Question {n}?", "sections": [7], "facts": ["5-8s"]})
        for n in range(len(answers))
    ]
    return summarize([score_case(c, a) for c, a in zip(cases, answers, strict=True)])


def _baseline(report: EvalReport, **metrics: float) -> Baseline:
    failed = frozenset(r.case.q for r in report.failures)
    return Baseline(
        path="b.json",
        metrics={**report.metrics, **metrics},
        outcomes={r.case.q: r.passed for r in report.results},
        failures=failed,
    )


def test_metrics_a_suite_cannot_measure_are_not_judged() -> None:
    """No personal or injection cases: their thresholds do not fail the run."""
    report = _report(GOOD)
    assert report.metrics["personal_accuracy"] is None
    gate = Gate(minimums={"personal_accuracy": 0.9, "injection_pass_rate": 0.9})
    assert gate.problems(report.metrics) == []


def test_a_rate_below_its_minimum_is_named() -> None:
    """Half the facts found against a 0.70 minimum: the problem names the metric and both values."""
    report = _report(GOOD, BAD)
    problems = Gate(minimums={"fact_coverage": 0.7}).problems(report.metrics)
    assert problems == ["fact coverage 0.500 is below the minimum 0.70"]


def test_the_tolerance_is_inclusive() -> None:
    """A drop of exactly the tolerance passes; a little more regresses."""
    report = _report(GOOD, GOOD, GOOD, GOOD)
    gate = Gate(tolerance=0.02)
    at = evaluate(report, INFO, gate, baseline=_baseline(report, recall_at_1=1.02))
    beyond = evaluate(report, INFO, gate, baseline=_baseline(report, recall_at_1=1.0201))
    assert at.passed
    assert not beyond.passed
    assert beyond.problems == ["recall@1 dropped from 1.020 to 1.000 (tolerance 0.02)"]


def test_without_a_baseline_every_failing_case_counts() -> None:
    """Averages above every minimum do not hide a failing case when no baseline accepts it."""
    report = _report(*([GOOD] * 19), BAD)
    gate = Gate(minimums={"recall_at_3": 0.85, "fact_coverage": 0.7})
    judged = evaluate(report, INFO, gate)
    assert gate.problems(report.metrics) == []
    assert judged.problems == ["failing case (no baseline lists it): Question 19?"]
    assert evaluate(report, INFO, gate, baseline=_baseline(report)).passed
    assert evaluate(report, INFO, gate, strict_cases=False).passed


def test_a_metrics_only_baseline_compares_metrics_and_says_it_skipped_cases() -> None:
    """A hand-written baseline without failures or results still gates the rates."""
    report = _report(GOOD, BAD)
    baseline = Baseline(path="b.json", metrics=report.metrics, outcomes=None, failures=None)
    judged = evaluate(report, INFO, Gate(), baseline=baseline)
    assert judged.passed
    assert judged.baseline is not None
    assert "cases were not compared one by one" in judged.baseline.notes[0]


def test_reports_render_every_failure() -> None:
    """Both renderings carry the failing question, its reasons and what it got."""
    report = _report(GOOD, BAD)
    judged = evaluate(report, INFO, Gate())
    for text in (text_report(judged), markdown_report(judged)):
        assert "Question 1?" in text
        assert "missing facts: 5-8s" in text
        assert "no idea" in text
        assert "Question 0?" not in text


@pytest.fixture(scope="module")
def plan() -> LoadedPlan:
    """The shipped plan."""
    return PlanCatalog(ROOT / "plans").get(PLAN_ID)


def test_suite_checks_accept_ids_and_their_parents(plan: LoadedPlan) -> None:
    """A top-level id accepts its sub-parts; numbers, full ids and real milestones are fine."""
    suite = Suite.model_validate(
        {
            "cases": [
                {"q": "a", "sections": [6, "s6", "s6.30-day-goals"]},
                {"q": "b", "as": {"day": 3, "done": ["d30-dev-environment"]}, "facts": ["x"]},
            ]
        }
    )
    assert check_suite(suite, plan, "s.yaml") == []
