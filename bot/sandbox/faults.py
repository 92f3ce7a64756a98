"""Fault injection: failures, slow answers, connection resets and rate limits, per method.

The sandbox asks :meth:`Faults.decide` once per request, before it runs the method. Rules added
with ``fail``/``reset`` are used up in the order they were added (``times``); ``slow`` rules add
their delays; rate limits are sliding one-second windows on the real monotonic clock (they are
about throughput, not about the simulated time of the workspace).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

ANY = None  # a rule for every method

_ERRORS_BY_STATUS = {
    429: "ratelimited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


@dataclass
class _Rule:
    kind: Literal["fail", "slow", "reset"]
    method: str | None
    remaining: int | None
    status: int = 200
    error: str = ""
    retry_after: float = 1
    seconds: float = 0.0
    processed: bool = False

    def matches(self, method: str) -> bool:
        return (self.method is None or self.method == method) and self.remaining != 0

    def use(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1


@dataclass
class _Window:
    """Sliding-window limiter: at most ``capacity`` admissions in any ``window`` seconds."""

    capacity: int
    window: float
    fractional: bool
    admitted: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> float | None:
        """None when admitted; otherwise the seconds until a slot frees up."""
        while self.admitted and self.admitted[0] <= now - self.window:
            self.admitted.popleft()
        if len(self.admitted) < self.capacity:
            self.admitted.append(now)
            return None
        return self.admitted[0] + self.window - now


@dataclass(frozen=True)
class Decision:
    """What to do with one request: wait ``delay`` seconds, then reset, fail, or go ahead."""

    delay: float = 0.0
    reset: bool = False
    processed: bool = False
    status: int | None = None
    error: str | None = None
    retry_after: str | None = None

    @property
    def proceed(self) -> bool:
        """True when the method should run normally (after ``delay``)."""
        return not self.reset and self.status is None


def _retry_after(seconds: float, *, fractional: bool) -> str:
    # Slack sends whole seconds; slack_sdk's RateLimitErrorRetryHandler parses them with int().
    if fractional:
        return f"{max(seconds, 0.001):.3f}"
    return str(max(1, math.ceil(seconds)))


class Faults:
    """The fault rules of one sandbox. Thread-safe."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._limits: dict[str | None, tuple[float, bool, bool]] = {}
        self._windows: dict[tuple[str, str], _Window] = {}
        self._monotonic = monotonic

    def fail(
        self,
        method: str | None,
        status: int = 429,
        *,
        retry_after: float = 1,
        times: int | None = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any) with ``status``.

        429 carries ``Retry-After: retry_after`` and ``{"ok": false, "error": "ratelimited"}``;
        5xx carries ``internal_error``/``service_unavailable``; ``status=200, error="…"`` is a
        plain Slack error such as ``account_inactive``. ``times=None`` fails every call.
        """
        if status == 200 and not error:
            raise ValueError(
                "fail(status=200) needs error='…' (a Slack error code such as 'channel_not_found')"
            )
        if status != 200 and status not in _ERRORS_BY_STATUS and not 400 <= status <= 599:
            raise ValueError(f"fail(status={status}) must be 200 (with error=…), 4xx or 5xx")
        if retry_after < 0:
            raise ValueError("retry_after must be 0 or more seconds")
        code = error or _ERRORS_BY_STATUS.get(status, "fatal_error")
        self._add(
            _Rule("fail", method, _times(times), status=status, error=code, retry_after=retry_after)
        )

    def slow(self, method: str | None, seconds: float, *, times: int | None = None) -> None:
        """Delay the answers to ``method`` (None: any) by ``seconds``; ``times=None``: always.

        The sandbox really waits: keep it tiny."""
        if seconds < 0:
            raise ValueError("slow(seconds=…) must be 0 or more")
        self._add(_Rule("slow", method, _times(times), seconds=seconds))

    def reset(self, method: str | None, *, times: int | None = 1, processed: bool = False) -> None:
        """Close the connection without an answer for the next ``times`` calls of ``method``.

        ``processed=True`` runs the method first (the message is posted, the answer is lost): the
        case a sender must reconcile against the history, not repeat.
        """
        self._add(_Rule("reset", method, _times(times), processed=processed))

    def rate_limit(
        self,
        method: str | None,
        per_second: float | None,
        *,
        fractional_retry_after: bool = False,
        per_channel: bool = False,
    ) -> None:
        """Answer 429 above ``per_second`` calls a second of ``method`` (None: each method).

        ``per_second=None`` removes the limit. ``per_channel`` keys the window by channel too
        (Slack paces ``chat.postMessage`` per channel). ``Retry-After`` is whole seconds (at least
        1, as Slack sends) unless ``fractional_retry_after``.
        """
        with self._lock:
            self._windows.clear()
            if per_second is None:
                self._limits.pop(method, None)
                return
            if per_second <= 0:
                raise ValueError("rate_limit(per_second=…) must be more than 0, or None to remove")
            self._limits[method] = (per_second, fractional_retry_after, per_channel)

    def clear(self) -> None:
        """Remove every rule and limit."""
        with self._lock:
            self._rules.clear()
            self._limits.clear()
            self._windows.clear()

    def decide(self, method: str, channel: str = "") -> Decision:
        """Use up the matching rules for one call of ``method`` and say what to do."""
        with self._lock:
            delay = 0.0
            for rule in self._rules:
                if rule.kind == "slow" and rule.matches(method):
                    rule.use()
                    delay += rule.seconds
            for rule in self._rules:
                if rule.kind in ("fail", "reset") and rule.matches(method):
                    rule.use()
                    if rule.kind == "reset":
                        return Decision(delay=delay, reset=True, processed=rule.processed)
                    after = _seconds(rule.retry_after) if rule.status == 429 else None
                    return Decision(
                        delay=delay, status=rule.status, error=rule.error, retry_after=after
                    )
            self._rules = [rule for rule in self._rules if rule.remaining != 0]
            limit = self._limits.get(method, self._limits.get(ANY))
            if limit is not None:
                per_second, fractional, per_channel = limit
                key = (method, channel if per_channel else "")
                window = self._windows.get(key)
                if window is None:
                    capacity = max(1, math.floor(per_second))
                    window = _Window(capacity, capacity / per_second, fractional)
                    self._windows[key] = window
                wait = window.admit(self._monotonic())
                if wait is not None:
                    return Decision(
                        delay=delay,
                        status=429,
                        error="ratelimited",
                        retry_after=_retry_after(wait, fractional=window.fractional),
                    )
            return Decision(delay=delay)

    def _add(self, rule: _Rule) -> None:
        with self._lock:
            self._rules.append(rule)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _times(times: int | None) -> int | None:
    if times is not None and times < 1:
        raise ValueError("times must be 1 or more, or None for every call")
    return times
