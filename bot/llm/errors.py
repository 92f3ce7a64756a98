"""What went wrong with Claude, told apart: a configuration problem or a passing one.

:func:`classify` turns an SDK exception into a :class:`ClaudeFailure`:

* **configuration** — 400, 401, 403, 404 (and 413, 422): the request or the setup is wrong and a
  retry will not help. The failure names the setting to fix (``anthropic.model`` in app.yaml for
  a 404, ``ANTHROPIC_API_KEY`` for a 401/403).
* **transient** — 408, 409, 429, 5xx, 529, timeouts, connection errors: Claude is busy or
  unreachable; the next question may well work.

Each failure carries the error type and the API's request id (``request-id``, for Anthropic's
support) — never the key or the request body — plus the sentence the person sees with the
offline answer. :class:`ClaudeHealth` remembers the last one for ``/healthz``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import anthropic

from bot.services.clock import Clock, SystemClock

Kind = Literal["configuration", "transient"]

#: Statuses a retry will not fix: the request or the setup is wrong.
CONFIG_STATUSES = frozenset({400, 401, 403, 404, 413, 422})
MODEL_SETTING = "anthropic.model"
KEY_SETTING = "ANTHROPIC_API_KEY"
OFFLINE = "this answer quotes the blueprint directly"


@dataclass(frozen=True)
class ClaudeFailure:
    """One classified failure; every field is safe to log and to show."""

    kind: Kind
    error: str  # the SDK exception's class name
    status: int | None
    request_id: str | None
    detail: str  # what happened, in a few words
    setting: str | None = None  # what an admin should fix (configuration only)
    retry_after: float | None = None  # seconds the API asked us to wait (429/529)

    @property
    def user_note(self) -> str:
        """The sentence shown with the offline answer."""
        if self.kind == "configuration":
            fix = f"fix `{self.setting}`" if self.setting else "check the `anthropic` settings"
            where = " in app.yaml" if self.setting == MODEL_SETTING else ""
            return (
                f"Claude isn't configured right ({self.detail}): an admin should {fix}{where}, "
                f"so {OFFLINE}."
            )
        return f"Claude is {self.detail} right now, so {OFFLINE}."

    def log_fields(self) -> dict[str, Any]:
        """Structured fields for the ERROR log line and ``/healthz``."""
        return {
            "kind": self.kind,
            "error": self.error,
            "status": self.status,
            "request_id": self.request_id,
            "detail": self.detail,
            "setting": self.setting,
        }


def retry_after_seconds(response: Any) -> float | None:
    """``retry-after-ms`` / ``retry-after`` (seconds) of an HTTP response, if readable."""
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            continue
    return None


def classify(exc: BaseException, *, model: str) -> ClaudeFailure:
    """The kind, type, status, request id and fix of an SDK failure."""
    name = type(exc).__name__
    if isinstance(exc, anthropic.APITimeoutError):
        return ClaudeFailure("transient", name, None, None, "taking too long")
    if isinstance(exc, anthropic.APIConnectionError):
        return ClaudeFailure("transient", name, None, None, "unreachable")
    if isinstance(exc, anthropic.APIStatusError):
        status, rid = exc.status_code, exc.request_id
        wait = retry_after_seconds(exc.response)
        if status == 404:
            detail = f"the model id '{model}' was not found"
            return ClaudeFailure("configuration", name, status, rid, detail, MODEL_SETTING)
        if status == 401:
            detail = "the API key was refused"
            return ClaudeFailure("configuration", name, status, rid, detail, KEY_SETTING)
        if status == 403:
            detail = f"the API key may not use the model '{model}'"
            return ClaudeFailure("configuration", name, status, rid, detail, KEY_SETTING)
        if status in CONFIG_STATUSES:
            detail = f"the Messages API refused the request (HTTP {status})"
            return ClaudeFailure("configuration", name, status, rid, detail)
        if status == 529:
            return ClaudeFailure("transient", name, status, rid, "overloaded", retry_after=wait)
        if status == 429:
            return ClaudeFailure("transient", name, status, rid, "busy", retry_after=wait)
        return ClaudeFailure("transient", name, status, rid, "having trouble", retry_after=wait)
    return ClaudeFailure("transient", name, None, None, "unavailable")


def check_model(client: anthropic.Anthropic, model: str) -> ClaudeFailure | None:
    """Whether ``model`` exists and the key may use it (``GET /v1/models/{model}``, no tokens
    spent); the classified failure when not."""
    try:
        client.with_options(max_retries=0).models.retrieve(model)
    except anthropic.AnthropicError as exc:
        return classify(exc, model=model)
    return None


class ClaudeHealth:
    """The last Claude failure and the last success, for ``/healthz`` (thread-safe)."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._last: ClaudeFailure | None = None
        self._failed_at: datetime | None = None
        self._ok_at: datetime | None = None

    def failed(self, failure: ClaudeFailure) -> None:
        """Remember ``failure`` as the last one."""
        with self._lock:
            self._last, self._failed_at = failure, self._clock.now()

    def succeeded(self) -> None:
        """Remember that Claude just answered."""
        with self._lock:
            self._ok_at = self._clock.now()

    def report(self) -> dict[str, Any]:
        """``{"last_error_kind": "configuration" | "transient" | null, …}`` for ``/healthz``."""
        with self._lock:
            last, failed_at, ok_at = self._last, self._failed_at, self._ok_at
        return {
            "last_error_kind": None if last is None else last.kind,
            "last_error": None if last is None else last.log_fields(),
            "last_error_at": None if failed_at is None else failed_at.isoformat(),
            "last_ok_at": None if ok_at is None else ok_at.isoformat(),
        }


__all__ = [
    "CONFIG_STATUSES",
    "KEY_SETTING",
    "MODEL_SETTING",
    "ClaudeFailure",
    "ClaudeHealth",
    "Kind",
    "check_model",
    "classify",
    "retry_after_seconds",
]
