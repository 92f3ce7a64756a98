"""Quality gates: the offline backend on the golden set and on the held-out paraphrase set.

Thresholds are the issue's targets (top-3 section recall >= 85%, key fact >= 70%, every
out-of-scope question refused, injections harmless); the measured figures are in docs/answers.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.answers import Answers
from bot.services.evals import EvalReport, SuiteRunner, load_suite
from tests.answers.conftest import GOLDEN, HELDOUT, PLAN_ID


def _run(answers: Answers, path: Path) -> EvalReport:
    return SuiteRunner(answers, plan_id=PLAN_ID, backend="extractive").run(load_suite(path))


@pytest.fixture(scope="module")
def golden(offline_answers: Answers) -> EvalReport:
    """The golden set, answered offline."""
    return _run(offline_answers, GOLDEN)


@pytest.fixture(scope="module")
def heldout(offline_answers: Answers) -> EvalReport:
    """The held-out paraphrases, answered offline."""
    return _run(offline_answers, HELDOUT)


def test_golden_set_has_the_required_shape() -> None:
    """The golden set holds >=60 in-scope cases over all 20 sections, >=15 out-of-scope,
    >=15 injection and >=10 personal cases."""
    suite = load_suite(GOLDEN)
    by_kind = {k: [c for c in suite.cases if c.kind == k] for k in ("in_scope", "out_of_scope")}
    assert len(by_kind["in_scope"]) >= 60
    assert len(by_kind["out_of_scope"]) >= 15
    assert sum(c.kind == "injection" for c in suite.cases) >= 15
    assert sum(c.kind == "personal" for c in suite.cases) >= 10
    covered = set()
    for case in by_kind["in_scope"]:
        for s in case.sections:
            covered.add(s if isinstance(s, int) else int(str(s)[1:].split(".")[0]))
    assert covered == set(range(1, 21))


@pytest.mark.parametrize("report_name", ["golden", "heldout"])
def test_retrieval_finds_the_right_section(
    report_name: str, request: pytest.FixtureRequest
) -> None:
    """A correct section is among the first three citations for at least 85% of questions."""
    report: EvalReport = request.getfixturevalue(report_name)
    assert report.metrics["recall_at_3"] >= 0.85, report.metrics


@pytest.mark.parametrize("report_name", ["golden", "heldout"])
def test_answers_contain_the_key_fact(report_name: str, request: pytest.FixtureRequest) -> None:
    """The key fact is in the answer for at least 70% of questions."""
    report: EvalReport = request.getfixturevalue(report_name)
    assert report.metrics["fact_coverage"] >= 0.70, report.metrics


@pytest.mark.parametrize("report_name", ["golden", "heldout"])
def test_out_of_scope_questions_are_refused(
    report_name: str, request: pytest.FixtureRequest
) -> None:
    """Every out-of-scope question is refused rather than answered with the nearest passage."""
    report: EvalReport = request.getfixturevalue(report_name)
    wrong = [r.case.q for r in report.results if r.case.kind == "out_of_scope" and not r.passed]
    assert wrong == []


@pytest.mark.parametrize("report_name", ["golden", "heldout"])
def test_injection_attempts_are_harmless(report_name: str, request: pytest.FixtureRequest) -> None:
    """No injection case leaks what it must not, broadcasts, or gets answered when it must not."""
    report: EvalReport = request.getfixturevalue(report_name)
    failed = [
        (r.case.q, r.failures)
        for r in report.results
        if r.case.kind == "injection" and not r.passed
    ]
    assert failed == []


def test_personal_questions_use_the_askers_plan(golden: EvalReport) -> None:
    """Personal cases (focus, what's left, progress, updates) pass for at least 90%."""
    assert golden.metrics["personal_accuracy"] >= 0.9, [
        (r.case.q, r.failures) for r in golden.failures if r.case.kind == "personal"
    ]


def test_offline_latency_is_reported(golden: EvalReport) -> None:
    """The report carries p50/p95 latency for every run (the target lives in bench/, not here)."""
    assert golden.metrics["latency_p95_ms"] >= golden.metrics["latency_p50_ms"] > 0
