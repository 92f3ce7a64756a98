"""`onramp serve` asks the Messages API about the model id and the key before it starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.llm.fake_api import FakeMessagesAPI
from bot.sandbox import SlackSandbox
from tests.support.claude import API_KEY
from tests.support.processes import base_env, free_port, run_onramp, slack_env

pytestmark = pytest.mark.slow


def _serve(
    tmp_path: Path, sandbox: SlackSandbox, fake: FakeMessagesAPI, model: str
) -> tuple[int, str]:
    config = tmp_path / "app.yaml"
    config.write_text(f"anthropic:\n  model: {model}\n", encoding="utf-8")
    env = {
        **base_env(tmp_path),
        **slack_env(sandbox),
        "ANTHROPIC_API_KEY": API_KEY,
        "ANTHROPIC_BASE_URL": fake.base_url,
    }
    result = run_onramp(
        "serve",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
        "--config",
        str(config),
        env=env,
    )
    return result.returncode, result.stdout + result.stderr


def test_unknown_model_id_stops_serve_naming_the_setting(
    sandbox: SlackSandbox,
    fake_api: FakeMessagesAPI,
    tmp_path: Path,
) -> None:
    """A model id the API answers 404 for stops `onramp serve` at start-up (exit 2), naming
    `anthropic.model` in app.yaml, with no traceback and no key."""
    code, output = _serve(tmp_path, sandbox, fake_api, "claude-retired-1")
    assert code == 2, output
    assert "the model id 'claude-retired-1' was not found" in output
    assert "fix `anthropic.model` in app.yaml" in output
    assert "listening on" not in output
    assert "Traceback" not in output
    assert API_KEY not in output
    assert [r.path for r in fake_api.requests] == ["/v1/models/claude-retired-1"]


def test_refused_key_stops_serve_naming_the_variable(
    sandbox: SlackSandbox,
    fake_api: FakeMessagesAPI,
    tmp_path: Path,
) -> None:
    """A key the API answers 401 for stops `onramp serve` at start-up (exit 2) naming
    ANTHROPIC_API_KEY, and the key itself is never printed."""
    fake_api.api_key = "sk-ant-the-right-one"
    code, output = _serve(tmp_path, sandbox, fake_api, "claude-sonnet-4-6")
    assert code == 2, output
    assert "the API key was refused" in output
    assert "fix `ANTHROPIC_API_KEY`" in output
    assert API_KEY not in output
