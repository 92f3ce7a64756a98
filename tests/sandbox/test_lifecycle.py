"""Starting and stopping: no leaked threads or ports, and the ``python -m bot.sandbox`` entry."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from contextlib import ExitStack
from typing import IO

import pytest
from slack_sdk import WebClient
from websockets.sync.client import connect

from bot.sandbox import SlackSandbox
from bot.sandbox.__main__ import main
from bot.services.clock import ManualClock


def _threads() -> set[threading.Thread]:
    return set(threading.enumerate())


def test_the_context_manager_leaves_no_threads_or_ports_behind(clock: ManualClock):
    """After ``with SlackSandbox()`` ends, its threads are gone and nothing listens on its ports,
    even with an idle keep-alive HTTP connection and an open websocket at exit."""
    before = _threads()
    with ExitStack() as clients, SlackSandbox(clock=clock) as sandbox:
        ports = (sandbox.port, sandbox.socket_port)
        WebClient(base_url=sandbox.api_url, token=sandbox.bot_token).auth_test()
        idle = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
        clients.callback(idle.close)
        bearer = {"Authorization": f"Bearer {sandbox.bot_token}"}
        idle.request("POST", "/api/auth.test", headers=bearer)
        assert idle.getresponse().read()
        opener = WebClient(base_url=sandbox.api_url, token=sandbox.app_token)
        url = opener.apps_connections_open(app_token=sandbox.app_token)["url"]
        clients.enter_context(connect(url, open_timeout=5))
    assert _threads() - before == set()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_stop_is_idempotent_and_start_returns_the_sandbox(clock: ManualClock):
    """start() returns the sandbox itself; stop() twice is harmless."""
    sandbox = SlackSandbox(clock=clock)
    assert sandbox.start() is sandbox
    sandbox.stop()
    sandbox.stop()


def test_urls_before_start_say_to_start_first(clock: ManualClock):
    """Asking a stopped sandbox for its URL explains how to start it."""
    with pytest.raises(RuntimeError, match="call start"):
        _ = SlackSandbox(clock=clock).api_url


def test_tokens_and_secrets_differ_per_instance():
    """Each sandbox generates its own bot token, app token and signing secret."""
    first, second = SlackSandbox(), SlackSandbox()
    assert first.bot_token.startswith("xoxb-")
    assert first.app_token.startswith("xapp-")
    assert (first.bot_token, first.app_token, first.signing_secret) != (
        second.bot_token,
        second.app_token,
        second.signing_secret,
    )


def test_user_ids_must_look_like_slacks(clock: ManualClock):
    """add_user refuses an id Slack would never send, saying what ids look like."""
    with pytest.raises(ValueError, match="start with U or W"):
        SlackSandbox(clock=clock).add_user("hira", "hira")


def test_the_module_entry_rejects_a_malformed_user(capsys: pytest.CaptureFixture[str]):
    """``python -m bot.sandbox --user bad`` exits 2 and shows the expected form."""
    assert main(["--port", "0", "--user", "U0HIRE"]) == 2
    assert "ID:NAME" in capsys.readouterr().err


@pytest.mark.slow
def test_the_module_entry_prints_settings_and_stops_on_sigterm():
    """``python -m bot.sandbox`` prints SLACK_API_URL and tokens, serves, and exits 0 on SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox", "--port", "0", "--user", "U0HIRE:hira:Europe/Berlin"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    watchdog = threading.Timer(20, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        settings = _read_settings(process.stdout)
        client = WebClient(base_url=settings["SLACK_API_URL"], token=settings["SLACK_BOT_TOKEN"])
        assert client.users_info(user="U0HIRE")["user"]["tz"] == "Europe/Berlin"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _read_settings(stream: IO[str]) -> dict[str, str]:
    """Read ``KEY=value`` lines up to the closing comment line."""
    settings: dict[str, str] = {}
    for line in iter(stream.readline, ""):
        if line.startswith("# team"):
            break
        if "=" in line and not line.startswith("#"):
            key, value = line.strip().split("=", 1)
            settings[key] = value
    assert {"SLACK_API_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} <= set(
        settings
    )
    return settings
