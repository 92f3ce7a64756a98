"""`SlackSandbox`: the loopback HTTP server that stands in for Slack's Web API.

It serves ``/api/<method>`` (as ``slack_sdk.WebClient(base_url=sandbox.api_url)`` calls it: GET
query strings, form-encoded or JSON bodies, ``Authorization: Bearer``), ``/response/<token>`` for
the response URLs it hands out, and a Socket Mode websocket endpoint. Every request is recorded;
faults (429, 5xx, slow answers, connection resets, rate limits) are injected per method.
"""

from __future__ import annotations

import copy
import json
import logging
import secrets
import socket
import struct
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, urlsplit

from bot.sandbox.faults import Decision, Faults
from bot.sandbox.records import (
    Call,
    Ephemeral,
    JsonDict,
    Message,
    ResponsePost,
    UploadedFile,
    User,
    View,
)
from bot.sandbox.socket_mode import SocketModeServer
from bot.sandbox.workspace import ApiError, ResponseTarget, Workspace, utc_now
from bot.services.clock import Clock

log = logging.getLogger("onramp.sandbox")

RESPONSE_URL = "response_url"  # the pseudo-method name for response_url posts (calls, faults)
UPLOAD = "upload"  # the pseudo-method name for the POST of a file's bytes to its upload_url
_HIDDEN_HEADERS = frozenset({"authorization", "cookie"})


class SlackSandbox:
    """A fake Slack workspace on loopback: Web API, response URLs and Socket Mode.

    Use it as a context manager (``with SlackSandbox() as slack: …``) or call :meth:`start` and
    :meth:`stop`. Tokens and the signing secret are generated per instance unless given.
    Every public method is thread-safe. ``fail``, ``slow``, ``reset``, ``rate_limit`` and
    ``clear_faults`` are those of :class:`~bot.sandbox.faults.Faults` (``sandbox.faults``).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        socket_port: int = 0,
        clock: Clock | None = None,
        team_id: str = "T0SANDBOX",
        team_name: str = "Sandbox",
        bot_name: str = "onramp",
        bot_user_id: str = "U0ONRAMPBOT",
        bot_token: str | None = None,
        app_token: str | None = None,
        signing_secret: str | None = None,
    ) -> None:
        self.host = host
        self.team_id = team_id
        self.app_id = "A0SANDBOX"
        self.bot_user_id = bot_user_id
        self.bot_id = "B0SANDBOX"
        self.bot_token = bot_token or f"xoxb-sandbox-{secrets.token_hex(12)}"
        self.app_token = app_token or f"xapp-1-{self.app_id}-sandbox-{secrets.token_hex(12)}"
        self.signing_secret = signing_secret or secrets.token_hex(16)
        self.verification_token = secrets.token_hex(12)
        self.faults = Faults()
        # Faults are injected on the sandbox itself (``sandbox.fail(…)``): these are the
        # :class:`Faults` methods, documented there.
        self.fail = self.faults.fail
        self.slow = self.faults.slow
        self.reset = self.faults.reset
        self.rate_limit = self.faults.rate_limit
        self.clear_faults = self.faults.clear
        self._port = port
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._in_flight = 0
        now = clock.now if clock is not None else utc_now
        self._workspace = Workspace(
            now=now,
            team_id=team_id,
            team_name=team_name,
            app_id=self.app_id,
            bot_user_id=bot_user_id,
            bot_id=self.bot_id,
            bot_name=bot_name,
        )
        self._workspace.add_user(User(bot_user_id, bot_name, is_bot=True))
        self._handlers = self._workspace.handlers()  # built once: per-request work stays small
        self._socket = SocketModeServer(host=host, port=socket_port, app_id=self.app_id)
        #: Send a Socket Mode envelope to the connected app and return its ack payload.
        self.socket_deliver = self._socket.deliver
        self._http: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind the loopback ports and serve in background threads; returns ``self``."""
        if self._http is not None:
            return self
        self._stopping.clear()
        self._http = _HttpServer((self.host, self._port), _Handler, self)
        self._workspace.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-http",
            daemon=True,
        )
        self._thread.start()
        self._socket.start()
        log.info("Slack sandbox listening on %s", self.api_url)
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and join every thread the sandbox started."""
        if self._http is None:
            return
        self._stopping.set()
        self._socket.stop()
        self._http.shutdown()
        self._http.close_connections()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._http = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The HTTP port (after :meth:`start`)."""
        if self._http is None:
            raise RuntimeError("the sandbox is not running; call start() or use it in a with block")
        return int(self._http.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (after :meth:`start`)."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=…)`` and ``SLACK_API_URL``."""
        return f"{self.base_url}/api/"

    @property
    def socket_port(self) -> int:
        """The Socket Mode websocket port (after :meth:`start`)."""
        return self._socket.port

    def now(self) -> datetime:
        """The workspace's current time (its clock: real, or the tests'/demo's ManualClock)."""
        return self._workspace.now()

    def env(self) -> dict[str, str]:
        """The settings that point Onramp at this sandbox (``SLACK_API_URL`` and the secrets)."""
        return {
            "SLACK_API_URL": self.api_url,
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_APP_TOKEN": self.app_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
        }

    # ----------------------------------------------------------------- the workspace

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        tz: str = "UTC",
        real_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> User:
        """Add (or replace) a person; ``users.info`` and ``conversations.open`` know them."""
        if not user_id or user_id[0] not in "UW":
            raise ValueError(f"user ids start with U or W, like Slack's (got {user_id!r})")
        user = User(user_id, name, tz, real_name, is_bot, deleted, email)
        with self._lock:
            self._workspace.add_user(user)
        return user

    def add_channel(self, channel_id: str, name: str) -> str:
        """Make a public channel known; returns its id."""
        if not channel_id or channel_id[0] not in "CG":
            raise ValueError(f"channel ids start with C or G, like Slack's (got {channel_id!r})")
        with self._lock:
            self._workspace.add_channel(channel_id, name)
        return channel_id

    def user(self, user_id: str) -> User | None:
        """The person with ``user_id``, if added."""
        with self._lock:
            return self._workspace.users.get(user_id)

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM channel with ``user_id`` (stable for the sandbox's life)."""
        with self._lock:
            if user_id not in self._workspace.users:
                raise KeyError(f"no user {user_id!r} in the sandbox; add_user() them first")
            return self._workspace.dm_channel(user_id)

    def post_as_user(
        self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> Message:
        """Record a message a person wrote (the driver does this before delivering the event).

        ``channel`` is a channel id or a user id (their DM with the bot); an unknown public
        channel is added on the fly.
        """
        with self._lock:
            if user_id not in self._workspace.users:
                raise KeyError(f"no user {user_id!r} in the sandbox; add_user() them first")
            if channel[:1] in "CG" and channel not in self._workspace.channels:
                self._workspace.add_channel(channel, channel.lower())
            channel_id = self._channel_id(channel)
            return self._workspace.post(channel_id, user=user_id, text=text, thread_ts=thread_ts)

    def _channel_id(self, channel_or_user: str) -> str:
        """A channel id from a channel id or a user id (their DM); unknown ids stay as given."""
        ws = self._workspace
        if channel_or_user in ws.users:
            return ws.dm_channel(channel_or_user)
        return channel_or_user

    # ----------------------------------------------------------------- what happened

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request received, oldest first; only ``method``'s when given."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def messages(
        self,
        channel: str | None = None,
        *,
        user: str | None = None,
        author: str | None = None,
        thread_ts: str | None = None,
    ) -> list[Message]:
        """Messages oldest first, thread replies included.

        ``channel`` is a channel id (a user id means the DM with them); ``user`` is the same as
        ``channel=<their DM>``; ``author`` keeps only what that user (or the bot's user id)
        posted; ``thread_ts`` keeps one thread.
        """
        with self._lock:
            ws = self._workspace
            wanted: set[str] | None = None
            if channel is not None:
                wanted = {self._channel_id(channel)}
            if user is not None:
                dm = self._channel_id(user)
                wanted = {dm} if wanted is None else wanted & {dm}
            found = [
                m
                for cid, history in ws.history.items()
                if wanted is None or cid in wanted
                for m in history
                if (author is None or m.user == author)
                and (thread_ts is None or thread_ts in (m.ts, m.thread_ts))
            ]
        found.sort(key=lambda m: float(m.ts))
        return copy.deepcopy(found)

    def bot_messages(self, user: str | None = None) -> list[Message]:
        """What the bot posted (in the DM with ``user`` when given), oldest first."""
        return self.messages(user=user, author=self.bot_user_id)

    def ephemerals(self, user: str | None = None, *, channel: str | None = None) -> list[Ephemeral]:
        """Ephemeral messages (postEphemeral, response_url and command acks), oldest first."""
        with self._lock:
            found = [
                e
                for e in self._workspace.ephemerals
                if (user is None or e.user == user) and (channel is None or e.channel == channel)
            ]
        return copy.deepcopy(found)

    def home_view(self, user_id: str) -> View | None:
        """The Home tab ``user_id`` sees now (the latest published), or None."""
        views = self.home_views(user_id)
        return views[-1] if views else None

    def home_views(self, user_id: str) -> list[View]:
        """Every Home view published for ``user_id``, oldest first."""
        with self._lock:
            return copy.deepcopy(self._workspace.home_views.get(user_id, []))

    def views(self, type: str | None = None) -> list[View]:
        """The current version of every view (``home``, ``modal``), in creation order."""
        with self._lock:
            return copy.deepcopy(
                [v for v in self._workspace.views.values() if type is None or v.type == type]
            )

    def files(self, channel: str | None = None) -> list[UploadedFile]:
        """Files uploaded and completed (``files_upload_v2``), oldest first; only those shared
        in ``channel`` when given (a user id means the DM with them). Read one back with
        ``.content`` or ``.text``."""
        with self._lock:
            wanted = None if channel is None else self._channel_id(channel)
            return [f for f in self._workspace.files if wanted is None or f.channel == wanted]

    @property
    def responses(self) -> list[ResponsePost]:
        """Every response_url post (and slash command ack body), oldest first."""
        with self._lock:
            return copy.deepcopy(self._workspace.responses)

    @property
    def in_flight(self) -> int:
        """How many requests the sandbox is handling right now (e.g. held by ``slow``)."""
        with self._lock:
            return self._in_flight

    def clear(self) -> None:
        """Forget calls, messages, ephemerals, views and responses; keep people and faults."""
        with self._lock:
            ws = self._workspace
            self._calls.clear()
            for history in ws.history.values():
                history.clear()
            ws.ephemerals.clear()
            ws.views.clear()
            ws.home_views.clear()
            ws.responses.clear()
            ws.files.clear()

    # ----------------------------------------------------------------- for the driver

    def new_response_url(
        self,
        *,
        channel: str,
        user: str,
        original_ts: str | None = None,
        original_ephemeral: bool = False,
    ) -> str:
        """A response_url whose posts land in ``channel`` for ``user`` (optionally replacing
        the message ``original_ts``)."""
        with self._lock:
            target = ResponseTarget(channel, user, original_ts, original_ephemeral)
            return self._workspace.new_response_url(target)

    def new_trigger_id(self, user: str) -> str:
        """A trigger id that ``views.open`` accepts once."""
        with self._lock:
            return self._workspace.new_trigger_id(user)

    def record_ack_reply(self, response_url: str, body: JsonDict) -> None:
        """Show a slash command's non-empty ack body to the user, as Slack does."""
        token = response_url.rsplit("/", 1)[-1]
        with self._lock:
            try:
                self._workspace.respond(token, body, source="ack")
            except ApiError as exc:
                log.warning("the app acked a command with a message Slack rejects: %s", exc.code)

    def user_object(self, user_id: str) -> JsonDict:
        """Slack's user object for ``user_id`` (as payloads carry ``user``)."""
        with self._lock:
            user = self._workspace.users[user_id]
            return {
                "id": user.id,
                "username": user.name,
                "name": user.name,
                "team_id": self.team_id,
            }

    def message_object(self, message: Message) -> JsonDict:
        """The message as Slack puts it in payloads and history."""
        with self._lock:
            return copy.deepcopy(self._workspace.message_object(message))

    def view_object(self, view: View) -> JsonDict:
        """The view as Slack puts it in payloads."""
        with self._lock:
            return copy.deepcopy(self._workspace.view_body(view))

    def wait_for_socket(self, timeout: float = 5.0) -> bool:
        """True once an app holds a Socket Mode connection (False after ``timeout``)."""
        return self._socket.wait_connected(timeout)

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode connections are open now."""
        return self._socket.open_connections

    def close_sockets(self) -> int:
        """Close every Socket Mode connection from Slack's side; returns how many were open."""
        return self._socket.close_all()

    def request_socket_refresh(self) -> int:
        """Ask every connected app to reconnect (Slack's ``disconnect``/``refresh_requested``)."""
        return self._socket.request_refresh()

    # ----------------------------------------------------------------- request handling

    def _token_kind(self, token: str | None) -> Literal["bot", "app", "none", "invalid"]:
        if not token:
            return "none"
        if secrets.compare_digest(token, self.bot_token):
            return "bot"
        if secrets.compare_digest(token, self.app_token):
            return "app"
        return "invalid"

    def _api(self, method: str, params: JsonDict, token: str | None) -> JsonDict:
        kind = self._token_kind(token)
        if method == "apps.connections.open":
            _require_token(kind, "app")
            return {"ok": True, "url": self._socket.issue_url()}
        with self._lock:
            handler = self._handlers.get(method)
            if handler is None:
                raise ApiError("unknown_method", req_method=method)
            _require_token(kind, "bot")
            return handler(params)

    def _respond_url(self, token: str, body: JsonDict) -> JsonDict:
        with self._lock:
            self._workspace.respond(token, body, source="response_url")
        return {"ok": True}

    def _track(self, delta: int) -> None:
        with self._lock:
            self._in_flight += delta

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def _wait(self, seconds: float) -> None:
        # Waits on the stop event so stop() never hangs behind a slow() fault.
        self._stopping.wait(seconds)


class _HttpServer(ThreadingHTTPServer):
    """A thread per connection, each tracked so :meth:`SlackSandbox.stop` can end and join it.

    (``ThreadingMixIn`` joins only non-daemon threads; daemon threads keep an abandoned sandbox
    from holding up interpreter exit, so the sandbox tracks them itself.)
    """

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], sandbox: SlackSandbox
    ) -> None:
        self.sandbox = sandbox
        self._open: dict[Any, threading.Thread] = {}
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="sandbox-http-connection",
            daemon=True,
        )
        with self._open_lock:
            self._open[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def close_connections(self, timeout: float = 10.0) -> None:
        """End idle keep-alive connections and wait for every connection thread to finish."""
        with self._open_lock:
            open_now = list(self._open.items())
        for sock, _ in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue
        for _, thread in open_now:
            thread.join(timeout)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"
    timeout = 30
    server_version = "SlackSandbox/1"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _serve(self) -> None:
        self.server.sandbox._track(+1)
        try:
            self._answer()
        finally:
            self.server.sandbox._track(-1)

    def _answer(self) -> None:
        sandbox = self.server.sandbox
        url = urlsplit(self.path)
        if url.path.startswith("/upload/"):
            self._upload(url.path.rsplit("/", 1)[-1])
            return
        params: JsonDict = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            params.update(self._body(headers.get("content-type", "")))
            malformed = None
        except ValueError as exc:
            malformed = str(exc)
        token = _bearer(headers.get("authorization")) or params.pop("token", None)
        params.pop("token", None)
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/").strip("/")
        elif url.path.startswith("/response/"):
            method = RESPONSE_URL
        else:
            method = url.path
        decision = sandbox.faults.decide(method, str(params.get("channel") or ""))
        if decision.delay:
            sandbox._wait(decision.delay)
        status, body, extra = self._outcome(method, url.path, params, token, decision, malformed)
        sandbox._record(
            Call(
                method=method,
                params=params,
                headers={k: v for k, v in headers.items() if k not in _HIDDEN_HEADERS},
                at=datetime.now(UTC),  # noqa: TID251 - the stand-in Slack's own log time
                status=status,
                response=body,
                token_kind=sandbox._token_kind(token),
            )
        )
        if status is None:
            self._reset()
            return
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _outcome(
        self,
        method: str,
        path: str,
        params: JsonDict,
        token: str | None,
        decision: Decision,
        malformed: str | None,
    ) -> tuple[int | None, JsonDict | None, dict[str, str]]:
        sandbox = self.server.sandbox
        if decision.reset:
            if decision.processed:
                self._outcome(method, path, params, token, Decision(), malformed)
            return None, None, {}
        if decision.status is not None:
            extra = {"Retry-After": decision.retry_after} if decision.retry_after else {}
            return decision.status, {"ok": False, "error": decision.error}, extra
        if malformed is not None:
            return 200, {"ok": False, "error": "invalid_form_data", "detail": malformed}, {}
        try:
            if method == RESPONSE_URL:
                return 200, sandbox._respond_url(path.rsplit("/", 1)[-1], params), {}
            if path.startswith("/api/"):
                return 200, sandbox._api(method, params, token), {}
        except ApiError as exc:
            # A response_url that never existed or is used up no longer works at all.
            gone = method == RESPONSE_URL and exc.code in ("invalid_url", "used_url")
            status = 404 if gone else 200
            return status, exc.body(), {}
        return 404, {"ok": False, "error": "not_found", "detail": f"no such path {path}"}, {}

    def _upload(self, token: str) -> None:
        """A file's bytes POSTed to the upload_url files.getUploadURLExternal gave: kept
        as sent (whatever the Content-Type), answered as Slack does, ``OK - <length>``."""
        sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with sandbox._lock:
            known = sandbox._workspace.receive_upload(token, raw)
        status = 200 if known else 404
        sandbox._record(
            Call(
                method=UPLOAD,
                params={"bytes": len(raw)},
                headers={},
                at=datetime.now(UTC),  # noqa: TID251 - the stand-in Slack's own log time
                status=status,
                response={"ok": known},
                token_kind="none",  # noqa: S106 - a label: the upload URL is the secret
            )
        )
        payload = f"OK - {len(raw)}".encode() if known else b"Not Found"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self, content_type: str) -> JsonDict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        if content_type.startswith("application/json"):
            try:
                data = json.loads(raw)
            except ValueError:
                raise ValueError("the body is not valid JSON") from None
            if not isinstance(data, dict):
                raise ValueError("a JSON body must be an object")
            return data
        if content_type.startswith("application/x-www-form-urlencoded") or not content_type:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        raise ValueError(f"unsupported Content-Type {content_type!r}")

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def _require_token(kind: str, needed: Literal["bot", "app"]) -> None:
    """Slack's answer to a call made without the ``needed`` kind of token."""
    if kind == "none":
        raise ApiError("not_authed")
    if kind == "invalid":
        raise ApiError("invalid_auth")
    if kind != needed:
        raise ApiError("not_allowed_token_type")


def _bearer(value: str | None) -> str | None:
    if value and value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return None
