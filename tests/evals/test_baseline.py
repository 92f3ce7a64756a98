"""`onramp eval --baseline`: regressions beyond the tolerance and newly failing cases fail a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.evals.conftest import BASELINE, IMPOSSIBLE, golden_cases, onramp, write_suite
from tests.support.evals import RATES


def _save(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps({k: v for k, v in data.items() if not k.startswith("_")}))
    return path


def test_an_equal_baseline_passes(tmp_path: Path, golden_run: dict[str, Any]) -> None:
    """Against a saved run of the same code, nothing regressed and the run passes."""
    baseline = _save(tmp_path / "baseline.json", golden_run)
    run = onramp("eval", "--baseline", str(baseline), "--json")
    assert run.code == 0, run.json()["problems"]
    check = run.json()["baseline"]
    assert check["regressed"] is False
    assert check["regressed_metrics"] == check["regressed_cases"] == check["new_failures"] == []
    assert check["known_failures"] == [f["q"] for f in golden_run["failures"]]


def test_the_committed_baseline_matches_main(golden_run: dict[str, Any]) -> None:
    """The baseline CI gates on is the one `onramp eval` picks by default, and main meets it."""
    assert golden_run["baseline"]["file"].endswith("eval-baseline.extractive.json")
    assert golden_run["baseline"]["regressed"] is False
    committed = json.loads(BASELINE.read_text())
    assert committed["cases"] == golden_run["cases"]


def test_a_better_baseline_is_a_regression(tmp_path: Path, golden_run: dict[str, Any]) -> None:
    """A baseline whose weakest rate is 0.05 higher (tolerance 0.02) makes the run exit 1."""
    weakest = min((n for n in RATES if golden_run[n] is not None), key=lambda n: golden_run[n])
    assert golden_run[weakest] <= 0.95, "every rate is near perfect; craft a different check"
    better = {**golden_run, weakest: round(golden_run[weakest] + 0.05, 4)}
    run = onramp("eval", "--baseline", str(_save(tmp_path / "b.json", better)), "--json")
    assert run.code == 1
    data = run.json()
    assert data["passed"] is False
    assert data["baseline"]["regressed_metrics"] == [
        {"metric": weakest, "baseline": better[weakest], "current": golden_run[weakest]}
    ]
    assert any("dropped from" in p for p in data["problems"])


def test_a_drop_within_the_tolerance_passes(tmp_path: Path, golden_run: dict[str, Any]) -> None:
    """A baseline 0.01 better than today (tolerance 0.02) is not a regression."""
    weakest = min((n for n in RATES if golden_run[n] is not None), key=lambda n: golden_run[n])
    near = {**golden_run, weakest: round(golden_run[weakest] + 0.01, 4)}
    run = onramp("eval", "--baseline", str(_save(tmp_path / "b.json", near)), "--json")
    assert run.code == 0, run.json()["problems"]


def test_a_case_that_passed_in_the_baseline_and_fails_now_is_listed(
    tmp_path: Path, passing_cases: list[dict[str, Any]]
) -> None:
    """A case recorded as passing that fails now is a regression, named in the output."""
    suite = write_suite(tmp_path / "suite.yaml", [*passing_cases[:5], IMPOSSIBLE])
    first = onramp("eval", "--suite", str(suite), "--json").json()
    assert [f["q"] for f in first["failures"]] == [IMPOSSIBLE["q"]]
    # The baseline claims the impossible case passed: today it fails, so it regressed.
    claimed = {
        **first,
        "failures": [],
        "results": [{**r, "passed": True} for r in first["results"]],
    }
    baseline = _save(tmp_path / "b.json", claimed)
    run = onramp("eval", "--suite", str(suite), "--baseline", str(baseline))
    assert run.code == 1
    assert f"now fails (passed in the baseline): {IMPOSSIBLE['q']}" in run.stdout
    assert f"regressed (passed in the baseline): {IMPOSSIBLE['q']}" in run.stdout
    # Against the honest baseline, the same failure is known and the run passes.
    honest = _save(tmp_path / "honest.json", first)
    again = onramp("eval", "--suite", str(suite), "--baseline", str(honest), "--json")
    assert again.code == 0, again.json()["problems"]
    assert again.json()["failures"][0]["known"] is True


def test_a_new_failing_case_fails_against_the_committed_baseline(tmp_path: Path) -> None:
    """Adding a case that fails to the golden set fails CI's gate until it is fixed or accepted."""
    suite = write_suite(tmp_path / "suite.yaml", [*golden_cases(), IMPOSSIBLE])
    run = onramp("eval", "--suite", str(suite), "--baseline", str(BASELINE), "--json")
    assert run.code == 1
    data = run.json()
    assert data["baseline"]["new_failures"] == [IMPOSSIBLE["q"]]
    assert data["baseline"]["regressed_cases"] == []


def test_a_fixed_case_passes_and_suggests_refreshing(
    tmp_path: Path, passing_cases: list[dict[str, Any]]
) -> None:
    """A known failure that now passes is reported as fixed, with the advice to save the gain."""
    suite = write_suite(tmp_path / "suite.yaml", passing_cases[:4])
    first = onramp("eval", "--suite", str(suite), "--json").json()
    question = first["results"][0]["q"]
    pessimistic = {
        **first,
        "failures": [{"q": question, "kind": "in_scope", "reasons": ["invented"]}],
        "results": [{**r, "passed": r["q"] != question} for r in first["results"]],
    }
    baseline = _save(tmp_path / "b.json", pessimistic)
    run = onramp("eval", "--suite", str(suite), "--baseline", str(baseline))
    assert run.code == 0
    assert f"now passes: {question}" in run.stdout
    assert "save this run as the new baseline in the same commit" in run.stdout


def test_a_broken_baseline_exits_2_naming_the_problem(tmp_path: Path) -> None:
    """Not JSON, a missing metric or a --compare result as baseline: exit 2 with the file named."""
    for content, message in (
        ("{", "is not valid JSON"),
        (json.dumps({"cases": 3}), "recall_at_1: missing"),
        (json.dumps({"a": {}, "b": {}, "diff": []}), "is an `onramp eval --compare` result"),
    ):
        path = tmp_path / "baseline.json"
        path.write_text(content)
        said = onramp("eval", "--baseline", str(path)).usage_error()
        assert str(path) in said
        assert message in said
    missing = onramp("eval", "--baseline", str(tmp_path / "nope.json")).usage_error()
    assert "baseline not found; save one with `onramp eval --json > FILE`" in missing
