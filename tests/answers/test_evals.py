"""Suite loading and scoring: the pieces `onramp eval` is built on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.errors import PlanError
from bot.services.answers import Answers
from bot.services.evals import Case, SuiteRunner, has_fact, load_suite, score_case, summarize
from tests.answers.conftest import PLAN_ID
from tests.support.evals import BAD, GOOD, ISSUE_METRICS


def test_facts_match_across_dashes_case_and_alternatives() -> None:
    """ "5-8s" finds "5–8s"; "a|b" accepts either alternative."""
    assert has_fact("p95 within product SLA (e.g., <5–8s)", "5-8S")
    assert has_fact("Weekly LLM quality review", "monthly|weekly llm")
    assert not has_fact("Weekly", "daily")


def test_a_good_answer_passes_and_a_wrong_one_says_why() -> None:
    """Scoring passes a correct answer and names the missing fact and section of a wrong one."""
    case = Case.model_validate({"q": "How fast at p95?", "sections": [7], "facts": ["5-8s"]})
    assert score_case(case, GOOD).passed
    wrong = score_case(case, BAD)
    assert not wrong.passed
    assert any("missing facts" in f for f in wrong.failures)
    assert any("first 3 citations" in f for f in wrong.failures)


def test_metrics_have_the_issue_keys() -> None:
    """summarize() reports every metric `onramp eval --json` promises."""
    case = Case.model_validate({"q": "q", "sections": ["s7"]})
    metrics = summarize([score_case(case, GOOD)]).metrics
    assert set(metrics) >= ISSUE_METRICS
    assert metrics["recall_at_1"] == 1.0


def test_bad_suites_name_the_case_and_field(tmp_path: Path) -> None:
    """An unknown key or a personal case without a persona is reported with its question."""
    path = tmp_path / "suite.yaml"
    path.write_text(
        "cases:\n  - q: Hi\n    facts: [x]\n    colour: red\n  - q: Mine?\n    kind: personal\n"
    )
    with pytest.raises(PlanError) as info:
        load_suite(path)
    text = str(info.value)
    assert "cases[0].colour ('Hi'): unknown key" in text
    assert "'Mine?'" in text
    assert "needs 'as'" in text


def test_an_impossible_case_fails_the_run(offline_answers: Answers, tmp_path: Path) -> None:
    """A case whose fact the blueprint cannot supply fails, so the run cannot pass."""
    path = tmp_path / "suite.yaml"
    path.write_text("cases:\n  - q: What are the 30-day goals?\n    facts: [unicorn budget]\n")
    report = SuiteRunner(offline_answers, plan_id=PLAN_ID).run(load_suite(path))
    assert [r.passed for r in report.results] == [False]
    assert report.as_json()["failures"][0]["reasons"] == ["missing facts: unicorn budget"]
