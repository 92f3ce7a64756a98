"""Transports: Socket Mode (default) and HTTP (``/slack/events`` + ``/healthz``) on waitress.

Both block until SIGTERM or SIGINT, then stop taking work, finish what is in flight, and return.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

from bot.domain.errors import ConfigError

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("onramp.slack.server")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HTTP_THREADS = 8


#: ``/healthz``'s answer: a bool (the database is reachable) or the whole JSON body with "ok".
HealthCheck = Callable[[], "bool | Mapping[str, Any]"]


def wsgi_app(app: App, *, health: HealthCheck) -> WSGIApplication:
    """One WSGI app: Slack's requests (commands, interactivity, events) on ``/slack/events``,
    and ``/healthz`` (``{"ok": …, "database": …}`` plus what ``health`` adds, e.g. the
    scheduler; 503 unless ``ok``)."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            report = health()
            state = (
                dict(report) if isinstance(report, Mapping) else {"ok": report, "database": report}
            )
            body = json.dumps(state).encode()
            status = "200 OK" if state.get("ok") else "503 Service Unavailable"
            start_response(
                status,
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        if not _looks_signed(environ):
            # Bolt's verifier raises on a missing or non-numeric timestamp (a 500); refuse here.
            log.info("unsigned request on %s refused", environ.get("PATH_INFO"))
            body = b'{"error": "invalid request"}'
            start_response(
                "401 Unauthorized",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        try:
            return slack(environ, start_response)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            # Bolt parses the body before it checks the signature; garbage (bad JSON, a JSON
            # list where an object belongs) is a client error, not a server one.
            log.warning(
                "unparsable request body on %s (%s)", environ.get("PATH_INFO"), type(exc).__name__
            )
            body = b"Bad Request"
            start_response(
                "400 Bad Request",
                [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
            )
            return [body]

    return application


def _looks_signed(environ: WSGIEnvironment) -> bool:
    """Whether a request carries Slack's signature headers in their documented form."""
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
    return timestamp.isdigit() and len(timestamp) <= 12 and signature.startswith("v0=")


def _on_signals(handler: Callable[[int, FrameType | None], None]) -> None:
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@dataclass(frozen=True)
class Listening:
    """An HTTP server bound to its port, not yet serving."""

    server: Any  # waitress' server: one socket or several (a name that resolves twice)
    host: str
    port: int


def listen_http(
    app: App, *, host: str, port: int, health: HealthCheck, threads: int = HTTP_THREADS
) -> Listening:
    """Bind ``host:port`` now (before anything else starts), ready for :func:`run_http`.

    A port that is taken or not ours to bind is a :class:`ConfigError` saying what to change.
    """
    try:
        server = create_server(
            wsgi_app(app, health=health),
            host=host,
            port=port,
            threads=threads,
            ident="onramp",
            clear_untrusted_proxy_headers=True,
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"cannot listen on {host}:{port} ({reason}): another process (another onramp serve?) "
            "may hold the port; stop it or choose another with --port N (or PORT)"
        ) from None
    return Listening(server=server, host=host, port=port)


def serve_http(
    app: App,
    *,
    host: str,
    port: int,
    health: HealthCheck,
    threads: int = HTTP_THREADS,
) -> None:
    """Serve until SIGTERM/SIGINT; in-flight requests finish before this returns."""
    run_http(listen_http(app, host=host, port=port, health=health, threads=threads))


def run_http(listening: Listening) -> None:
    """Run a server made by :func:`listen_http` until SIGTERM/SIGINT, then drain it."""
    server, host, port = listening.server, listening.host, listening.port

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # waitress ends its loop on SystemExit and drains its worker threads.
        raise SystemExit(0)

    _on_signals(stop)
    log.info("listening on http://%s:%s%s (health: %s)", host, port, EVENTS_PATH, HEALTH_PATH)
    try:
        server.run()
    finally:
        server.close()
        log.info("stopped")


def serve_socket_mode(app: App, *, app_token: str, web_client: WebClient) -> None:
    """Connect over Socket Mode (``apps.connections.open`` goes to ``web_client``'s base URL)
    and run until SIGTERM/SIGINT."""
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    _on_signals(stop)
    handler = SocketModeHandler(app, app_token=app_token, web_client=web_client)
    handler.connect()  # type: ignore[no-untyped-call]
    log.info("connected over Socket Mode")
    try:
        stopping.wait()
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        log.info("stopped")
