"""A loopback stand-in for Anthropic's Messages API (``POST /v1/messages``), for tests and demos.

It answers with real response shapes so the real ``anthropic.Anthropic`` client can be pointed at
it (``base_url=fake.base_url``):

* by default, a text answer that cites the first ``search_result`` block of the request with a
  ``search_result_location`` citation (or declines when there is none), and usage that reports a
  cache write for a system prompt seen for the first time and a cache read afterwards;
* scripted replies, queued with :meth:`FakeMessagesAPI.enqueue` and served in order: any status
  and body (``overloaded(…)`` gives a 529 with ``retry-after-ms``), ``tool_use`` turns
  (:func:`tool_use_message`), or a reply held back until the client has given up (``hang=True``,
  for timeouts — the handler waits on an event, nothing sleeps).

It is as strict as the real API: every ``/v1/messages`` body is checked against the pinned SDK's
``*Param`` types (:mod:`bot.llm.fake_strict`: unknown keys, wrong types and a tool_use block with
``"caller": null`` get a 400 ``invalid_request_error``), a model id outside
:attr:`FakeMessagesAPI.models` gets the real 404 ``not_found_error``, a refused request never
consumes a scripted reply, and every reply names the model that was requested. Scripts can return
each stop reason (``message(…, stop_reason=…)``), uncited and interleaved cited text
(:func:`text_message`), a 429 with a realistic ``retry-after`` (:func:`rate_limited`) and any
error in the real shape (:func:`api_error`).

Every request is recorded (headers, parsed JSON body) in :attr:`FakeMessagesAPI.requests`.
Binds 127.0.0.1 only.

Also ``GET /v1/models/{id}`` (what ``client.models.retrieve`` asks, and ``onramp serve`` at
start-up): the model's info for an id in :attr:`FakeMessagesAPI.models` (the ids the pinned SDK
names, plus :data:`MODEL`), else a 404 ``not_found_error`` like the real API. Set
:attr:`FakeMessagesAPI.api_key` to answer other keys with 401, and :attr:`FakeMessagesAPI.latency`
to make every reply to ``/v1/messages`` wait that many seconds on the server thread (a slow model;
``stop()`` releases it).
"""

from __future__ import annotations

import hashlib
import json
import threading
import typing
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from anthropic.types import Model

from bot.llm.fake_strict import request_problems

MODEL = "claude-fake-1"
#: The model ids the fake's models endpoint knows: the pinned SDK's own list, and MODEL.
KNOWN_MODELS = frozenset(
    {MODEL, *(a for arg in typing.get_args(Model) for a in typing.get_args(arg))}
)


@dataclass
class Scripted:
    """One queued reply."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


@dataclass
class Recorded:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def _tokens(value: Any) -> int:
    return max(1, len(json.dumps(value)) // 4)


def message(
    content: list[dict[str, Any]],
    *,
    stop_reason: str = "end_turn",
    input_tokens: int = 100,
    output_tokens: int = 20,
    cache_read: int = 0,
    cache_write: int = 0,
    model: str = MODEL,
) -> dict[str, Any]:
    """A Messages API response body."""
    return {
        "id": "msg_fake_"
        + hashlib.sha1(json.dumps(content).encode(), usedforsecurity=False).hexdigest()[:12],
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_write,
        },
    }


def tool_use_message(
    name: str, tool_input: dict[str, Any], *, tool_id: str = "toolu_1"
) -> dict[str, Any]:
    """A response that asks the client to run one tool."""
    return message(
        [
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input},
        ],
        stop_reason="tool_use",
    )


def overloaded(retry_after_ms: int = 1) -> Scripted:
    """A 529 ``overloaded_error`` (the SDK retries it after ``retry-after-ms``)."""
    return Scripted(
        status=529,
        body={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        headers={"retry-after-ms": str(retry_after_ms)},
    )


def api_error(status: int, kind: str, text: str, headers: dict[str, str] | None = None) -> Scripted:
    """An error reply in the real API's shape (``{"type": "error", "error": {…}, "request_id"}``):
    ``api_error(400, "invalid_request_error", …)``, ``(401, "authentication_error", …)``,
    ``(404, "not_found_error", …)``."""
    body = {"type": "error", "error": {"type": kind, "message": text}, "request_id": "req_fake"}
    return Scripted(status=status, body=body, headers=headers or {})


def rate_limited(retry_after: int = 17) -> Scripted:
    """A 429 ``rate_limit_error`` as the real API sends it: ``retry-after`` in whole seconds, and
    the reset time of the limit that was hit (tests set ``max_retries=0``: the SDK would wait)."""
    return api_error(
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization.",
        {
            "retry-after": str(retry_after),
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:17Z",
        },
    )


def text_message(
    *parts: str | tuple[str, dict[str, Any]], stop_reason: str = "end_turn"
) -> dict[str, Any]:
    """A text reply in blocks: a ``str`` is uncited text, a ``(text, citation)`` pair is text that
    cites (:func:`search_result_citation`), so citations can be interleaved with plain text."""
    content: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, str):
            content.append({"type": "text", "text": part})
        else:
            text, citation = part
            content.append({"type": "text", "text": text, "citations": [citation]})
    return message(content, stop_reason=stop_reason)


def search_result_citation(index: int, source: str, cited_text: str) -> dict[str, Any]:
    """A ``search_result_location`` citation of the request's ``index``-th search result."""
    return {
        "type": "search_result_location",
        "source": source,
        "title": None,
        "cited_text": cited_text,
        "search_result_index": index,
        "start_block_index": 0,
        "end_block_index": 1,
    }


def content_blocks(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The content blocks of type ``kind`` (``search_result``, ``tool_result`` …) in every
    message of a Messages API request body, in order."""
    found: list[dict[str, Any]] = []
    for msg in body.get("messages", []):
        content = msg.get("content")
        if isinstance(content, list):
            found.extend(b for b in content if b.get("type") == kind)
    return found


class FakeMessagesAPI:
    """The fake server. Use as a context manager, or call :meth:`start` and :meth:`stop`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[Scripted] = deque()
        #: Model ids ``GET /v1/models/{id}`` knows (others: 404).
        self.models: set[str] = set(KNOWN_MODELS)
        #: When set, requests with another key get a 401 ``authentication_error``.
        self.api_key: str | None = None
        #: Seconds every ``/v1/messages`` reply waits on its server thread (a slow model).
        self.latency: float = 0.0
        self._seen_systems: set[str] = set()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeMessagesAPI:
        """Listen on an ephemeral loopback port."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle_get(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def release(self) -> None:
        """Let every held reply (``hang``, :attr:`latency`) go now, and later ones at once."""
        self._release.set()

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until the fake has received ``count`` requests; ``False`` on timeout."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout)

    def stop(self) -> None:
        """Release held replies and shut down."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeMessagesAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The URL to pass as ``base_url`` to ``anthropic.Anthropic``."""
        assert self._server is not None, "start() the fake first"  # noqa: S101
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- scripting ---------------------------------------------------------------------------

    def enqueue(self, *replies: Scripted | dict[str, Any]) -> None:
        """Queue replies (a ``Scripted`` or a 200 body) served before the default answer."""
        with self._lock:
            for reply in replies:
                self._script.append(reply if isinstance(reply, Scripted) else Scripted(body=reply))

    def default_reply(self, body: dict[str, Any]) -> dict[str, Any]:
        """Cite the first search result (or decline), with cache-aware usage."""
        system = json.dumps(body.get("system"), sort_keys=True) + json.dumps(body.get("tools"))
        with self._lock:
            seen = system in self._seen_systems
            self._seen_systems.add(system)
        prefix = _tokens(body.get("system")) + _tokens(body.get("tools") or [])
        results = content_blocks(body, "search_result")
        tool_outputs = content_blocks(body, "tool_result")
        content: list[dict[str, Any]]
        if tool_outputs:
            content = [
                {"type": "text", "text": f"Here is your plan: {tool_outputs[-1]['content']}"}
            ]
        elif results:
            first = results[0]
            cited = "".join(b["text"] for b in first["content"])
            content = [
                {"type": "text", "text": "According to the blueprint, "},
                {
                    "type": "text",
                    "text": cited,
                    "citations": [
                        {
                            "type": "search_result_location",
                            "source": first["source"],
                            "title": first.get("title"),
                            "cited_text": cited,
                            "search_result_index": 0,
                            "start_block_index": 0,
                            "end_block_index": 1,
                        }
                    ],
                },
            ]
        else:
            content = [{"type": "text", "text": "I can't answer that from the blueprint."}]
        return message(
            content,
            model=body["model"],
            input_tokens=_tokens(body.get("messages")),
            output_tokens=_tokens(content),
            cache_read=prefix if seen else 0,
            cache_write=0 if seen else prefix,
        )

    # --- serving -----------------------------------------------------------------------------

    def _authorized(self, headers: dict[str, str]) -> bool:
        bearer = headers.get("authorization", "")
        key = headers.get("x-api-key") or (bearer[7:] if bearer.startswith("Bearer ") else "")
        return bool(key) and (self.api_key is None or key == self.api_key)

    def _handle_get(self, handler: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(Recorded(path=handler.path, headers=headers, body={}))
            self._arrived.notify_all()
        prefix = "/v1/models/"
        if not self._authorized(headers):
            error = {"type": "authentication_error", "message": "invalid x-api-key"}
            self._send(handler, 401, {"type": "error", "error": error}, {})
            return
        model_id = handler.path.split("?")[0][len(prefix) :]
        if not handler.path.startswith(prefix) or model_id not in self.models:
            error = {"type": "not_found_error", "message": f"model: {model_id}"}
            self._send(handler, 404, {"type": "error", "error": error}, {})
            return
        info = {
            "type": "model",
            "id": model_id,
            "display_name": model_id,
            "created_at": "2025-01-01T00:00:00Z",
        }
        self._send(handler, 200, info, {})

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            body = {}
        headers = {k.lower(): v for k, v in handler.headers.items()}
        refused = self._refusal(handler.path, body)
        with self._lock:
            self.requests.append(Recorded(path=handler.path, headers=headers, body=body))
            self._arrived.notify_all()
            # A request the real API would refuse never consumes a scripted reply.
            scripted = None if refused or not self._script else self._script.popleft()
        if refused is not None:
            self._send(handler, refused.status, refused.body or {}, refused.headers)
            return
        if handler.path.rstrip("/") != "/v1/messages":
            self._send(handler, 404, {"type": "error", "error": {"type": "not_found_error"}}, {})
            return
        if not self._authorized(headers):
            self._send(
                handler, 401, {"type": "error", "error": {"type": "authentication_error"}}, {}
            )
            return
        if self.latency > 0:
            self._release.wait(timeout=self.latency)
        if scripted is None:
            self._send(handler, 200, self.default_reply(body), {})
            return
        if scripted.hang:
            # Hold the reply until the test ends; the client's timeout fires first.
            self._release.wait(timeout=30)
            return
        reply = scripted.body or self.default_reply(body)
        if reply.get("type") == "message":
            reply = {**reply, "model": body["model"]}  # the real API names the requested model
        self._send(handler, scripted.status, reply, scripted.headers)

    def _refusal(self, path: str, body: dict[str, Any]) -> Scripted | None:
        """The 400 or 404 the real API gives a ``/v1/messages`` body, or ``None``: every field
        checked against the SDK's ``*Param`` types (:mod:`bot.llm.fake_strict`), then the model."""
        if path.rstrip("/") != "/v1/messages":
            return None
        problems = request_problems(body)
        if problems:
            return api_error(400, "invalid_request_error", "; ".join(problems[:5]))
        if body["model"] not in self.models:
            return api_error(404, "not_found_error", f"model: {body['model']}")
        return None

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("content-type", "application/json")
            handler.send_header("content-length", str(len(data)))
            handler.send_header("request-id", "req_fake")
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return


__all__ = [
    "KNOWN_MODELS",
    "MODEL",
    "FakeMessagesAPI",
    "Recorded",
    "Scripted",
    "api_error",
    "content_blocks",
    "message",
    "overloaded",
    "rate_limited",
    "search_result_citation",
    "text_message",
    "tool_use_message",
]
