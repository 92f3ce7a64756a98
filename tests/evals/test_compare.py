"""`onramp eval --compare A B` on the offline backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.evals.conftest import onramp
from tests.support.evals import RATES


def test_the_same_backend_twice_shows_no_difference(golden_run: dict[str, Any]) -> None:
    """`--compare extractive extractive --json`: equal rates, an empty diff, both runs in full."""
    run = onramp("eval", "--compare", "extractive", "extractive", "--json")
    assert run.code == 0
    data = run.json()
    assert set(data) == {"a", "b", "diff"}
    assert data["diff"] == []
    for name in RATES:
        assert data["a"][name] == data["b"][name] == golden_run[name]
    assert data["a"]["cases"] == data["b"]["cases"] == golden_run["cases"]


def test_the_text_comparison_has_both_columns() -> None:
    """The terminal view prints A and B columns, the delta and says nothing changed."""
    run = onramp("eval", "--compare", "extractive", "extractive")
    assert run.code == 0
    assert "A extractive" in run.stdout
    assert "B extractive" in run.stdout
    assert "B − A" in run.stdout
    assert "recall@3" in run.stdout
    assert run.stdout.rstrip().endswith("No case changed outcome.")


def test_a_comparison_report_is_markdown(tmp_path: Path) -> None:
    """--report with --compare writes both metric columns and the (empty) list of changes."""
    report = tmp_path / "compare.md"
    run = onramp("eval", "--compare", "extractive", "extractive", "--report", str(report))
    assert run.code == 0
    text = report.read_text()
    assert text.startswith("# Evaluation: extractive vs extractive")
    assert "| metric | A extractive | B extractive | B − A |" in text
    assert "## Cases whose outcome differs (0)" in text


def test_prompt_versions_on_the_extractive_backend_warn_they_are_unused() -> None:
    """Comparing prompts offline says the extractive backend ignores them."""
    run = onramp("eval", "--compare", "answer@v1", "answer@v1", "--backend", "extractive")
    assert run.code == 0
    assert "the extractive backend does not use a prompt" in run.stderr
    assert "No case changed outcome." in run.stdout
