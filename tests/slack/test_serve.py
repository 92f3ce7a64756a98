"""`onramp serve` as an operator runs it: a subprocess against the sandbox."""

from __future__ import annotations

import json
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from bot.sandbox import SlackDriver, SlackSandbox
from tests.slack.conftest import MANAGER, shown

ROOT = Path(__file__).resolve().parents[2]
ONRAMP = str(Path(sys.executable).parent / "onramp")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pump(stream: IO[str], lines: queue.Queue[str], seen: list[str]) -> None:
    for line in stream:
        seen.append(line)
        lines.put(line)


def _base_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
    }


@pytest.fixture
def served(
    sandbox: SlackSandbox, tmp_path: Path
) -> Iterator[tuple[str, list[str], subprocess.Popen[str]]]:
    """``onramp serve --http`` on a free port, ready (it logged that it listens)."""
    port = _free_port()
    env = {
        **_base_env(tmp_path),
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": sandbox.signing_secret,
        "SLACK_API_URL": sandbox.api_url,
    }
    process = subprocess.Popen(
        [ONRAMP, "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    reader = threading.Thread(target=_pump, args=(process.stdout, lines, seen), daemon=True)
    reader.start()
    deadline = time.monotonic() + 30
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "onramp serve did not start:\n" + "".join(seen)
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if "listening on" in line:
            break
    yield f"http://127.0.0.1:{port}", seen, process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    reader.join(timeout=10)
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
    result = subprocess.run(
        [ONRAMP, *args],
        cwd=ROOT,
        env={**_base_env(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "xoxp-user" not in result.stderr


def test_refused_token_stops_start_up(sandbox: SlackSandbox, tmp_path: Path) -> None:
    """A bot token Slack refuses (auth.test: invalid_auth) exits 2 with the fix, no traceback."""
    env = {
        **_base_env(tmp_path),
        "SLACK_BOT_TOKEN": "xoxb-not-a-real-token",
        "SLACK_SIGNING_SECRET": sandbox.signing_secret,
        "SLACK_API_URL": sandbox.api_url,
    }
    result = subprocess.run(
        [ONRAMP, "serve", "--http", "--host", "127.0.0.1", "--port", str(_free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert "Traceback" not in result.stderr
    assert "xoxb-not-a-real-token" not in result.stderr
