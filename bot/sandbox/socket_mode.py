"""The Socket Mode side of the sandbox: a websocket endpoint like Slack's ``wss://…/link``.

``apps.connections.open`` hands out ``ws://127.0.0.1:PORT/link/?ticket=…&app_id=…``; each ticket
opens one connection. On connect the server sends Slack's ``hello``;
:meth:`SocketModeServer.deliver` sends an envelope
``{"envelope_id", "type", "payload", "accepts_response_payload"}`` to one open connection (round
robin, like Slack spreading work over up to 10 connections) and waits for the app's ack
``{"envelope_id", "payload"?}``. Served by the ``websockets`` threaded server, which
``slack_sdk``'s built-in client (Bolt's default ``SocketModeHandler``) connects to over plain ws.
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import threading
import uuid
from concurrent.futures import Future
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.sandbox.records import JsonDict

log = logging.getLogger("onramp.sandbox.socket")


class DeliveryError(RuntimeError):
    """A delivery to the app failed: nothing listening, nothing connected, or no ack in time."""


class SocketModeServer:
    """The websocket endpoint of one sandbox. Thread-safe."""

    def __init__(self, *, host: str, port: int, app_id: str) -> None:
        self._host = host
        self._port = port
        self._app_id = app_id
        self._lock = threading.Condition()
        self._tickets: set[str] = set()
        self._open: list[ServerConnection] = []
        self._refreshing: list[ServerConnection] = []
        self._pending: dict[str, Future[JsonDict | None]] = {}
        self._turn = itertools.count()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.connections_made = 0

    @property
    def port(self) -> int:
        """The port the endpoint listens on (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("the Socket Mode endpoint is not running; call start() first")
        return int(self._server.socket.getsockname()[1])

    def start(self) -> None:
        """Listen on the loopback port and serve in a background thread."""
        self._server = serve(
            self._handle,
            self._host,
            self._port,
            process_request=self._check_ticket,
            compression=None,
            close_timeout=1,
            logger=log,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox-socket-mode", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Close every connection, stop listening and wait for the threads to end."""
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
        self._server = None
        self._thread = None

    def issue_url(self) -> str:
        """A fresh single-use connection URL, as ``apps.connections.open`` returns."""
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://{self._host}:{self.port}/link/?ticket={ticket}&app_id={self._app_id}"

    @property
    def open_connections(self) -> int:
        """How many apps are connected right now."""
        with self._lock:
            return len(self._open)

    def wait_connected(self, timeout: float) -> bool:
        """Block until at least one connection is open (True) or ``timeout`` passes (False)."""
        with self._lock:
            return self._lock.wait_for(lambda: bool(self._open), timeout=timeout)

    def deliver(
        self,
        kind: str,
        payload: JsonDict,
        *,
        timeout: float,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> JsonDict | None:
        """Send one envelope and return the ack's ``payload`` (None for a bare ack)."""
        if not self.wait_connected(timeout):
            raise DeliveryError(
                "no app is connected to the sandbox's Socket Mode endpoint; connect the app's "
                "SocketModeHandler (handler.connect()) with the sandbox's app token and API URL"
            )
        envelope_id = str(uuid.uuid4())
        envelope: JsonDict = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        future: Future[JsonDict | None] = Future()
        with self._lock:
            self._pending[envelope_id] = future
            connection = self._open[next(self._turn) % len(self._open)]
        try:
            connection.send(json.dumps(envelope))
            return future.result(timeout=timeout)
        except TimeoutError:
            raise DeliveryError(
                f"the app did not acknowledge the {kind} envelope within {timeout:g} s "
                "(Slack retries or shows an error after 3 s)"
            ) from None
        except ConnectionClosed:
            raise DeliveryError("the app's connection closed before the ack arrived") from None
        finally:
            with self._lock:
                self._pending.pop(envelope_id, None)

    def request_refresh(self, reason: str = "refresh_requested") -> int:
        """Send Slack's ``disconnect`` message to every connection; returns how many got it.

        Like Slack, the old connections are closed once the app has opened a new one.
        """
        message = json.dumps(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "sandbox"}}
        )
        with self._lock:
            connections = list(self._open)
            self._refreshing.extend(connections)
        for connection in connections:
            try:
                connection.send(message)
            except ConnectionClosed:
                continue
        return len(connections)

    def close_all(self, reason: str = "going away") -> int:
        """Close every open connection (code 1001), as when Slack drops them; returns how many."""
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            connection.close(CloseCode.GOING_AWAY, reason)
        return len(connections)

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        ticket = parse_qs(url.query).get("ticket", [""])[0]
        with self._lock:
            valid = url.path.rstrip("/") == "/link" and ticket in self._tickets
            self._tickets.discard(ticket)
        if valid:
            return None
        return connection.respond(
            HTTPStatus.UNAUTHORIZED,
            "unknown or used ticket: call apps.connections.open for a fresh URL\n",
        )

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._open.append(connection)
            self.connections_made += 1
            count = len(self._open)
            self._lock.notify_all()
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": count,
                        "debug_info": {
                            "host": "applink-sandbox",
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": self._app_id},
                    }
                )
            )
            with self._lock:
                retiring = [c for c in self._refreshing if c is not connection]
                self._refreshing.clear()
            for old in retiring:
                old.close(CloseCode.GOING_AWAY, "refreshed")
            for raw in connection:
                self._acknowledge(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if connection in self._open:
                    self._open.remove(connection)

    def _acknowledge(self, raw: str | bytes) -> None:
        try:
            message: Any = json.loads(raw)
        except ValueError:
            log.warning("ignored a Socket Mode frame that is not JSON")
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        with self._lock:
            future = self._pending.get(str(message["envelope_id"]))
        if future is not None and not future.done():
            payload = message.get("payload")
            future.set_result(payload if isinstance(payload, dict) and payload else None)
