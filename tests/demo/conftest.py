"""Running ``onramp demo`` in-process from an empty working directory, with a private temp dir.

The environment is deliberately hostile: a database URL, Slack settings and an Anthropic key
that would all be used (or fail loudly) if the demo read them. ``tempfile.tempdir`` points at a
directory of the test's own, so a test can check the demo's temporary database is gone.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import load

#: Nothing listens on port 9 (discard); anything that tried to use these would fail.
HOSTILE_ENV = {
    "DATABASE_URL": "sqlite:///onramp.db",
    "SLACK_BOT_TOKEN": "xoxb-must-not-be-used",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
    "ANTHROPIC_API_KEY": "sk-ant-must-not-be-used",
    "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
}


@dataclass(frozen=True)
class Run:
    """One ``onramp demo`` run: exit code, output, and the directories it could have littered."""

    code: int
    out: str
    err: str
    cwd: Path
    tmp: Path

    def missing(self, *pieces: str) -> list[str]:
        """The ``pieces`` the transcript lacks: ``[]`` when it shows every one."""
        return [piece for piece in pieces if piece not in self.out]


def run_demo(base: Path, *args: str, stdin: str | None = None) -> Run:
    """``onramp demo ARGS`` with cwd and the temp dir in fresh folders under ``base``."""
    cwd, tmp = base / "cwd", base / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        patch.setattr(tempfile, "tempdir", str(tmp))
        result = CliRunner().invoke(
            load(), ["demo", *args], input=stdin, env=HOSTILE_ENV, catch_exceptions=False
        )
    return Run(result.exit_code, result.stdout, result.stderr, cwd, tmp)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The whole scripted story, played once for the module's tests."""
    return run_demo(tmp_path_factory.mktemp("story"))
