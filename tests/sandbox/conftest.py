"""Fixtures for the sandbox tests: a running sandbox with people, a real WebClient, a real Bolt app.

The Bolt app is served by ``wsgiref`` with a thread per request on a free loopback port, so it
shuts down cleanly at the end of each test (``app.start()`` cannot be stopped from a test).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.clock import ManualClock

HIRE = "U0HIRE"
BOSS = "U0BOSS"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep request lines out of the test output."""


@contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port; yields its base URL and stops it afterwards."""
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SlackSandbox]:
    """A running sandbox on the test clock with a hire in Berlin and a manager in New York."""
    with SlackSandbox(clock=clock) as slack:
        slack.add_user(HIRE, "hira", tz="Europe/Berlin", real_name="Hira Newcomer")
        slack.add_user(BOSS, "bo", tz="America/New_York", real_name="Bo Manager")
        yield slack


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    """The real slack_sdk WebClient pointed at the sandbox."""
    return WebClient(base_url=sandbox.api_url, token=sandbox.bot_token)


@pytest.fixture
def bolt_app(sandbox: SlackSandbox) -> App:
    """A real, empty Bolt app that talks to the sandbox; tests register their listeners."""
    return App(
        token=sandbox.bot_token,
        signing_secret=sandbox.signing_secret,
        client=WebClient(base_url=sandbox.api_url, token=sandbox.bot_token),
        # Listeners finish before the HTTP answer, so a test sees their effects without waiting.
        process_before_response=True,
        logger=logging.getLogger("tests.sandbox.bolt"),
    )


@pytest.fixture
def driver(sandbox: SlackSandbox, bolt_app: App) -> Iterator[SlackDriver]:
    """A driver that delivers over HTTP to ``bolt_app`` served on loopback."""
    with serve_wsgi(SlackRequestHandler(bolt_app)) as base:
        yield SlackDriver(sandbox, f"{base}/slack/events")
