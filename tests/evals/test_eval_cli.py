"""`onramp eval` end to end on the offline backend: the golden set, failures, bad input, reports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.evals.conftest import (
    GOLDEN,
    IMPOSSIBLE,
    ROOT,
    golden_cases,
    onramp,
    write_config,
    write_suite,
)
from tests.support.evals import ISSUE_METRICS
from tests.support.processes import finish

ISSUE_KEYS = {*ISSUE_METRICS, "passed", "failures"}


def test_the_golden_set_passes_with_every_key(golden_run: dict[str, Any]) -> None:
    """`onramp eval --json` on main exits 0 with ≥ 80 cases, issue 6's keys and every kind."""
    assert golden_run["_exit_code"] == 0, golden_run["problems"]
    assert golden_run["passed"] is True
    assert set(golden_run) >= ISSUE_KEYS
    assert golden_run["cases"] >= 80
    assert golden_run["cases"] == len(golden_cases())
    assert set(golden_run["by_kind"]) == {"in_scope", "out_of_scope", "injection", "personal"}
    for name in ("recall_at_3", "fact_coverage", "refusal_accuracy", "injection_pass_rate"):
        assert 0 <= golden_run[name] <= 1
    assert golden_run["backend"] == "extractive"
    assert golden_run["tokens"] == 0
    assert golden_run["cost_usd"] == 0.0


def test_json_mode_prints_one_object_and_nothing_on_stderr() -> None:
    """With --json, stdout is exactly one JSON object and stderr (not a terminal) stays empty."""
    run = onramp("eval", "--json")
    assert isinstance(run.json(), dict)
    assert run.stderr == ""


def test_the_console_script_runs_the_eval(tmp_path: Path) -> None:
    """The installed `onramp eval --json` (a real process, no terminal) passes on main."""
    result = finish(
        [str(ROOT / ".venv" / "bin" / "onramp"), "eval", "--json"],
        cwd=ROOT,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith("{")
    assert result.stderr == ""


def test_text_mode_prints_tables_and_failures(golden_run: dict[str, Any]) -> None:
    """Without --json the metric table, the per-kind table and each failing question are shown."""
    run = onramp("eval")
    assert run.code == 0
    assert "recall@3" in run.stdout
    assert "injection pass rate" in run.stdout
    for kind in golden_run["by_kind"]:
        assert f"\n{kind} " in run.stdout
    for failure in golden_run["failures"]:
        assert failure["q"] in run.stdout
    assert run.stdout.rstrip().endswith("every threshold met.")


def test_an_impossible_case_exits_1_and_is_listed(
    tmp_path: Path, passing_cases: list[dict[str, Any]]
) -> None:
    """Four passing cases and one impossible fact: exit 1, and the failure says what was missing."""
    suite = write_suite(tmp_path / "suite.yaml", [*passing_cases[:4], IMPOSSIBLE])
    run = onramp("eval", "--suite", str(suite), "--json")
    assert run.code == 1
    data = run.json()
    assert data["passed"] is False
    assert [f["q"] for f in data["failures"]] == [IMPOSSIBLE["q"]]
    assert f"missing facts: {IMPOSSIBLE['facts'][0]}" in data["failures"][0]["reasons"]
    assert data["failures"][0]["expected"]["facts"] == IMPOSSIBLE["facts"]
    text = onramp("eval", "--suite", str(suite))
    assert text.code == 1
    assert f"✗ [in_scope] {IMPOSSIBLE['q']}" in text.stdout
    assert "FAILED:" in text.stdout


def test_one_impossible_case_among_the_golden_set_still_fails(tmp_path: Path) -> None:
    """A failing case fails the run even when the averages stay above every threshold."""
    suite = write_suite(tmp_path / "suite.yaml", [*golden_cases(), IMPOSSIBLE])
    run = onramp("eval", "--suite", str(suite), "--json")
    data = run.json()
    assert run.code == 1
    assert not any("below the minimum" in p for p in data["problems"])
    assert f"failing case (no baseline lists it): {IMPOSSIBLE['q']}" in data["problems"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "cases:\n  - q: Hi\n    facts: [x]\n    colour: red\n",
            "cases[0].colour ('Hi'): unknown key",
            id="unknown-key",
        ),
        pytest.param("cases:\n  - sections: [6]\n", "cases[0].q: Field required", id="no-question"),
        pytest.param("cases: [\n", "not valid YAML", id="not-yaml"),
        pytest.param("- q: Hi\n", "a suite is a mapping with a 'cases' list", id="not-a-mapping"),
        pytest.param(
            "cases:\n  - q: Hi\n    sections: [s6.60-days]\n",
            "cases[0] ('Hi'): sections: no blueprint section 's6.60-days' "
            "(did you mean 's6.60-day-goals'?)",
            id="unknown-section",
        ),
        pytest.param(
            "cases:\n  - q: Mine?\n    as: {day: 3, done: [d30-nope]}\n",
            "cases[0] ('Mine?'): as.done: no milestone 'd30-nope' in plan junior-llm-engineer",
            id="unknown-milestone",
        ),
        pytest.param(
            "cases:\n  - q: Mine?\n    as: {day: 3, evidence: [eval-mindset]}\n",
            "cases[0] ('Mine?'): as.evidence: no tag 'eval-mindset' in plan junior-llm-engineer",
            id="unknown-evidence-tag",
        ),
    ],
)
def test_a_malformed_suite_exits_2_naming_file_case_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    """A broken suite is a usage error: exit 2 and a message naming file, case and field."""
    suite = tmp_path / "broken.yaml"
    suite.write_text(text)
    said = onramp("eval", "--suite", str(suite)).usage_error()
    assert str(suite) in said
    assert message in said


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("--backend", "gpt"),
            "--backend 'gpt' is not a backend; use one of: auto, extractive",
            id="unknown-backend",
        ),
        pytest.param(
            ("--backend", "anthropic"), "needs an API key: set ANTHROPIC_API_KEY", id="no-key"
        ),
        pytest.param(("--prompt", "answer@v99"), "prompt answer@v99 not found", id="no-prompt"),
        pytest.param(("--prompt", "latest"), "write it as name@vN", id="prompt-without-version"),
        pytest.param(
            ("--plan", "astronaut"),
            "there is no plan 'astronaut'; plans available: junior-llm",
            id="unknown-plan",
        ),
        pytest.param(
            ("--suite", "/nonexistent/suite.yaml"),
            "/nonexistent/suite.yaml: file not found",
            id="no-suite",
        ),
        pytest.param(
            ("--compare", "extractive", "answer@v1"),
            "two prompt versions or two backends, not",
            id="compare-mixed",
        ),
        pytest.param(("--compare", "fast", "slow"), "'fast' is neither", id="compare-unknown"),
        pytest.param(
            ("--compare", "extractive", "extractive", "--baseline", str(GOLDEN)),
            "--compare and --baseline do not combine",
            id="compare-with-baseline",
        ),
        pytest.param(
            ("--report", "/nonexistent/dir/r.md"),
            "the folder /nonexistent/dir does not exist",
            id="report-folder-missing",
        ),
    ],
)
def test_usage_errors_exit_2_with_a_remedy(args: tuple[str, ...], message: str) -> None:
    """Unknown backend, missing key, bad prompt, plan, suite, compare or report path: exit 2."""
    assert message in onramp("eval", *args).usage_error()


def test_report_writes_markdown_with_the_tables(
    tmp_path: Path, passing_cases: list[dict[str, Any]]
) -> None:
    """--report writes the summary and per-kind tables and each failure with expected and got."""
    suite = write_suite(tmp_path / "suite.yaml", [*passing_cases[:3], IMPOSSIBLE])
    report = tmp_path / "report.md"
    run = onramp("eval", "--suite", str(suite), "--report", str(report), "--json")
    assert run.code == 1
    run.json()  # the notice about the report went to stderr, not into the JSON
    assert f"Report written to {report}" in run.stderr
    text = report.read_text()
    assert text.startswith("# Evaluation: junior-llm-engineer — ❌ failed")
    assert "| metric | value | threshold | status |" in text
    assert "| recall@3 |" in text
    assert "| kind | passed | cases | rate |" in text
    assert "| in_scope | 3 | 4 | 75.0% |" in text
    assert f"### 1. [in_scope] {IMPOSSIBLE['q']}" in text
    assert f"- **expected:** sections 6 · facts {IMPOSSIBLE['facts'][0]}" in text
    assert "**got:**" in text
    assert "- **citations:**" in text


def test_empty_default_baseline_means_none_so_it_can_be_rewritten(
    tmp_path: Path, golden_run: dict[str, Any]
) -> None:
    """`onramp eval --json > BASELINE` truncates the default baseline first: that run has none."""
    config = write_config(tmp_path, extra="eval:\n  baseline: baselines/{plan}.{backend}.json\n")
    target = tmp_path / "baselines" / "junior-llm-engineer.extractive.json"
    target.parent.mkdir()
    target.write_text("")
    first = onramp("eval", "--json", config=config)
    assert first.json()["baseline"] is None
    assert first.code == (1 if golden_run["failures"] else 0)
    target.write_text(first.stdout)
    second = onramp("eval", "--json", config=config)
    assert second.code == 0
    data = second.json()
    assert data["baseline"]["file"] == str(target)
    assert data["baseline"]["known_failures"] == [f["q"] for f in golden_run["failures"]]


def test_the_documented_example_suite_passes(tmp_path: Path) -> None:
    """The case-format example in docs/evaluation.md is a valid suite whose every case passes."""
    docs = (ROOT / "docs" / "evaluation.md").read_text()
    example = re.findall(r"```yaml\n(.*?)```", docs, re.S)[0]
    suite = tmp_path / "example.yaml"
    suite.write_text(example)
    run = onramp("eval", "--suite", str(suite), "--json")
    assert run.code == 0, run.json()["problems"]
    assert set(run.json()["by_kind"]) == {"in_scope", "out_of_scope", "injection", "personal"}


def test_a_baseline_template_with_an_unknown_placeholder_exits_2(tmp_path: Path) -> None:
    """eval.baseline may use {plan} and {backend} only; anything else is named as a config error."""
    config = write_config(tmp_path, extra="eval:\n  baseline: baselines/{team}.json\n")
    said = onramp("eval", config=config).usage_error()
    assert "eval.baseline 'baselines/{team}.json' in app.yaml" in said
