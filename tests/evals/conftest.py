"""Fixtures for `onramp eval`: the CLI in-process, the shipped golden set's run, suites, configs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import load
from bot.llm.fake_api import MODEL, FakeMessagesAPI
from tests.support.claude import (
    API_KEY,
    fake_api,  # noqa: F401 - the fixture, offered to this folder
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "app.yaml"
PLAN_ID = "junior-llm-engineer"
GOLDEN = ROOT / "plans" / PLAN_ID / "evals.yaml"
BASELINE = ROOT / "plans" / PLAN_ID / "eval-baseline.extractive.json"
#: No key and no base URL from the developer's shell: the offline backend unless a test says so.
CLEAN_ENV: dict[str, str | None] = {"ANTHROPIC_API_KEY": None, "ANTHROPIC_BASE_URL": None}


@dataclass(frozen=True)
class Run:
    """One `onramp` invocation: exit code, stdout, stderr."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Stdout as exactly one JSON document."""
        return json.loads(self.stdout)

    def usage_error(self) -> str:
        """Stderr of a run refused as a usage error: exit 2, and no traceback anywhere."""
        assert self.code == 2, self.stdout + self.stderr
        assert "Traceback" not in self.stderr + self.stdout
        return self.stderr


def onramp(*args: str, config: Path = CONFIG, env: dict[str, str | None] | None = None) -> Run:
    """Run `onramp ARGS --config CONFIG` in-process (stderr is not a terminal here)."""
    result = CliRunner().invoke(
        load(),
        [*args, "--config", str(config)],
        env={**CLEAN_ENV, **(env or {})},
        catch_exceptions=False,
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def write_suite(path: Path, cases: Sequence[dict[str, Any]]) -> Path:
    """Write a suite file holding ``cases``."""
    path.write_text(yaml.safe_dump({"cases": list(cases)}, sort_keys=False, allow_unicode=True))
    return path


def golden_cases() -> list[dict[str, Any]]:
    """The shipped golden set's cases, as plain mappings."""
    data = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases


@pytest.fixture(scope="session")
def golden_run() -> dict[str, Any]:
    """`onramp eval --json` on the shipped golden set, as the repository is (run once)."""
    run = onramp("eval", "--json")
    assert run.code in (0, 1), run.stderr
    data: dict[str, Any] = run.json()
    data["_exit_code"] = run.code
    return data


@pytest.fixture(scope="session")
def passing_cases(golden_run: dict[str, Any]) -> list[dict[str, Any]]:
    """In-scope golden cases that pass today (so a test can add a failure of its own)."""
    passed = {r["q"] for r in golden_run["results"] if r["passed"]}
    return [c for c in golden_cases() if c.get("kind") == "in_scope" and c["q"] in passed]


#: A question the golden set does not ask, with a fact no blueprint answer can contain.
IMPOSSIBLE = {
    "kind": "in_scope",
    "q": "What do I have to get done in my first month here?",
    "sections": [6],
    "facts": ["a budget of forty-two purple unicorns"],
}


def write_config(tmp_path: Path, *, prompts_dir: Path | None = None, extra: str = "") -> Path:
    """An app.yaml in ``tmp_path`` with the shipped plans, no retries, and ``extra`` appended."""
    path = tmp_path / "app.yaml"
    path.write_text(
        f"database_url: sqlite:///{tmp_path / 'unused.db'}\n"
        f"plans_dir: {ROOT / 'plans'}\n"
        f"prompts_dir: {prompts_dir or ROOT / 'prompts'}\n"
        # The fake's model name: the SDK warns about deprecated real ones, and warnings are errors.
        f"anthropic:\n  model: {MODEL}\n  max_retries: 0\n  timeout_seconds: 10\n" + extra
    )
    return path


def anthropic_env(fake: FakeMessagesAPI) -> dict[str, str | None]:
    """The environment that points the real SDK at the fake."""
    return {"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_BASE_URL": fake.base_url}
