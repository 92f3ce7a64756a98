"""`onramp serve` as an operator runs it: a subprocess against the sandbox."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import SlackDriver, SlackSandbox
from tests.slack.conftest import MANAGER, shown
from tests.support.processes import (
    Output,
    base_env,
    free_port,
    run_onramp,
    slack_env,
    start_serve,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def served(
    sandbox: SlackSandbox, tmp_path: Path
) -> Iterator[tuple[str, list[str], subprocess.Popen[str]]]:
    """``onramp serve --http`` on a free port, ready (it logged that it listens)."""
    port = free_port()
    process = start_serve({**base_env(tmp_path), **slack_env(sandbox)}, port)
    assert process.stdout is not None
    output = Output(process.stdout)
    deadline = time.monotonic() + 30
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "onramp serve did not start:\n" + output.text()
        line = output.next_line(remaining)
        if line is not None and "listening on" in line:
            break
    yield f"http://127.0.0.1:{port}", output.seen, process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    output.join()
    process.stdout.close()


def test_serve_http_answers_and_stops_on_sigterm(
    served: tuple[str, list[str], subprocess.Popen[str]], sandbox: SlackSandbox
) -> None:
    """The server reports health, answers help and an unknown subcommand, refuses a forgery,
    stops cleanly on SIGTERM, and never logs a secret."""
    base, output, process = served
    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
        health = json.loads(response.read())
    assert (health["ok"], health["database"], health["scheduler"]["running"]) == (True, True, True)
    slack = SlackDriver(sandbox=sandbox, events_url=f"{base}/slack/events")
    sandbox.add_user(MANAGER, "maria")
    assert "/onramp enroll @user" in shown(slack.command("help", MANAGER))
    unknown = slack.command("frobnicate", MANAGER)
    assert unknown.status == 200
    assert "I don't know `/onramp frobnicate`" in shown(unknown)
    assert slack.signed_with(secret="f" * 32).command("help", MANAGER).status == 401
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    log = "".join(output)
    assert "listening on" in log
    assert sandbox.bot_token not in log
    assert sandbox.signing_secret not in log
    assert "Traceback" not in log


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["serve", "--http"], {}, "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token"),
        (
            ["serve", "--http"],
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_SIGNING_SECRET is not set",
        ),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN is not set"),
        (
            ["serve"],
            {"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_BOT_TOKEN is not a bot token",
        ),
    ],
)
def test_missing_settings_stop_start_up(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    """Missing or malformed Slack settings exit 2 naming the variable and where to get it."""
    result = run_onramp(*args, env={**base_env(tmp_path), **env})
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "xoxp-user" not in result.stderr


def test_refused_token_stops_start_up(sandbox: SlackSandbox, tmp_path: Path) -> None:
    """A bot token Slack refuses (auth.test: invalid_auth) exits 2 with the fix, no traceback."""
    env = {**base_env(tmp_path), **slack_env(sandbox), "SLACK_BOT_TOKEN": "xoxb-not-a-real-token"}
    result = run_onramp(
        "serve", "--http", "--host", "127.0.0.1", "--port", str(free_port()), env=env
    )
    assert result.returncode == 2
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert "Traceback" not in result.stderr
    assert "xoxb-not-a-real-token" not in result.stderr
