"""People as Slack knows them: ``users.info`` with a per-process cache, a time budget and a
safe fallback.

A lookup never fails a request. Lookups run on their own threads so that a caller can stop
waiting at a deadline (the request's shared budget before its ack, see
:meth:`Directory.deadline`) while the call carries on and fills the cache for the next request.
When Slack (or a stand-in) can't tell us in time, the person is known by their user id (and the
name in the mention) until a later lookup — the next request that names them, or the tick's
profile refresh — fills in their name and time zone.
"""

from __future__ import annotations

import contextvars
import enum
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.guardrails import strip_broadcasts
from bot.services.onboarding import Profile

log = logging.getLogger("onramp.slack.directory")

#: How long a successful lookup is trusted (names and time zones rarely change).
FRESH_SECONDS = 3600.0
#: How long to wait before asking again after a failed lookup.
RETRY_SECONDS = 60.0
MAX_ENTRIES = 10_000
#: The time all of one request's lookups may take together before its ack (Slack allows 3 s
#: for the whole answer; the database work and the network need the rest).
BUDGET_SECONDS = 1.0
#: Lookups running at once; beyond this, people are not looked up until some have ended.
MAX_IN_FLIGHT = 64
#: Slackbot's user id: ``users.info`` doesn't call it a bot, but it is one.
SLACKBOT = "USLACKBOT"
#: Slack's answer when the user id names nobody in the workspace.
_NOT_FOUND_ERRORS = frozenset({"user_not_found"})


class Status(enum.StrEnum):
    """What Slack said about a user id."""

    FOUND = "found"  # a user object (possibly a bot or a deactivated account)
    NOT_FOUND = "not_found"  # ``user_not_found``: no such person in this workspace
    UNAVAILABLE = "unavailable"  # no answer in time, an error, or no ``users.info`` at all


@dataclass(frozen=True)
class Lookup:
    """A profile, what Slack said, and whether the database has yet to hear about it."""

    profile: Profile
    fetched: bool  # news since the database last heard (store it: ``ensure_person``)
    status: Status = Status.FOUND
    is_bot: bool = False
    deleted: bool = False

    @property
    def found(self) -> bool:
        """Slack knows this user id."""
        return self.status is Status.FOUND


@dataclass(frozen=True)
class _Answer:
    status: Status
    profile: Profile | None = None
    is_bot: bool = False
    deleted: bool = False


@dataclass
class _Entry:
    expires: float
    answer: _Answer
    reported: bool  # a caller has been given ``fetched=True`` for this answer


def profile_from_user(user: Mapping[str, Any]) -> Profile:
    """The ``user`` object of ``users.info`` → a :class:`Profile` (pure)."""
    details = user.get("profile") if isinstance(user.get("profile"), Mapping) else {}
    assert isinstance(details, Mapping)  # noqa: S101 - narrowed just above
    name = (
        details.get("display_name")
        or details.get("real_name")
        or user.get("real_name")
        or user.get("name")
    )
    tz = user.get("tz")
    return Profile(
        user_id=str(user["id"]),
        # A name is echoed in messages: it must never carry mention or link syntax.
        display_name=_plain_name(str(name)) if name else None,
        tz=str(tz) if tz else None,
        team_id=str(user["team_id"]) if user.get("team_id") else None,
    )


def _plain_name(name: str) -> str | None:
    """A display name without broadcast mentions or ``<…>`` markup (None if nothing is left)."""
    cleaned = strip_broadcasts(name).replace("<", "").replace(">", "").strip()
    return cleaned or None


@dataclass(kw_only=True, eq=False)
class Directory:
    """Cached ``users.info``, asked off the request thread. Thread-safe; entries expire, the
    cache is bounded, and one user id is never looked up twice at once."""

    client: WebClient
    fresh_seconds: float = FRESH_SECONDS
    retry_seconds: float = RETRY_SECONDS
    max_entries: int = MAX_ENTRIES
    budget_seconds: float = BUDGET_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    _cache: OrderedDict[str, _Entry] = field(default_factory=OrderedDict, init=False, repr=False)
    _in_flight: dict[str, Future[_Answer]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def deadline(self) -> float:
        """When a request's lookups, started now, must stop waiting (on ``time.monotonic``)."""
        return time.monotonic() + self.budget_seconds

    def lookup(
        self, user_id: str, *, name_hint: str | None = None, deadline: float | None = None
    ) -> Lookup:
        """The person's profile: cached, fetched, or (if Slack can't say in time) a fallback.

        ``deadline`` (from :meth:`deadline`) bounds the wait; without it the call waits for
        Slack's answer. A lookup still running at the deadline fills the cache when it ends.
        """
        return self.lookup_many([(user_id, name_hint)], deadline=deadline)[0]

    def lookup_many(
        self, people: Iterable[tuple[str, str | None]], *, deadline: float | None = None
    ) -> list[Lookup]:
        """:meth:`lookup` for several ``(user_id, name_hint)`` at once, asked in parallel, all
        within the same ``deadline``."""
        wanted = list(people)
        pending = {user_id: self._start(user_id) for user_id, _ in wanted}
        results: list[Lookup] = []
        for user_id, hint in wanted:
            answer = pending[user_id]
            if isinstance(answer, Future):
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    answer = answer.result(timeout=remaining)
                except FutureTimeout:
                    log.info("users.info for %s is slow; going on without it", user_id)
                    answer = _Answer(Status.UNAVAILABLE)
                except Exception:  # the worker turns every failure into an answer; belt and braces
                    log.exception("users.info for %s failed", user_id)
                    answer = _Answer(Status.UNAVAILABLE)
            results.append(self._result(user_id, answer, hint))
        return results

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until the lookups in flight have ended (their answers are cached); ``False`` on
        timeout. For an orderly stop, and for tests that look at what a late answer changed."""
        end = time.monotonic() + timeout
        while True:
            with self._lock:
                running = list(self._in_flight.values())
            if not running:
                return True
            try:
                running[0].result(timeout=max(0.0, end - time.monotonic()))
            except FutureTimeout:
                return False

    def _start(self, user_id: str) -> _Answer | Future[_Answer]:
        """A cached answer, or the (possibly shared) lookup in flight for ``user_id``."""
        now = self.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
            if cached is not None and cached.expires > now:
                self._cache.move_to_end(user_id)
                return cached.answer
            running = self._in_flight.get(user_id)
            if running is not None:
                return running
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                log.warning("too many users.info lookups in flight; skipping %s", user_id)
                return _Answer(Status.UNAVAILABLE)
            future: Future[_Answer] = Future()
            self._in_flight[user_id] = future
        # A daemon thread per lookup (bounded by MAX_IN_FLIGHT, each by the client's timeout):
        # nothing to shut down, and a lookup nobody waits for any more still fills the cache.
        # It logs with the request's ids (the log context lives in context variables).
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._fetch_and_store, user_id, future),
            name=f"onramp-users-info-{user_id}",
            daemon=True,
        ).start()
        return future

    def _fetch_and_store(self, user_id: str, future: Future[_Answer]) -> None:
        try:
            answer = self._fetch(user_id)
        except Exception:
            log.exception("users.info for %s failed", user_id)
            answer = _Answer(Status.UNAVAILABLE)
        ttl = self.fresh_seconds if answer.status is Status.FOUND else self.retry_seconds
        with self._lock:
            self._in_flight.pop(user_id, None)
            self._cache[user_id] = _Entry(self.monotonic() + ttl, answer, reported=False)
            self._cache.move_to_end(user_id)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        future.set_result(answer)

    def _result(self, user_id: str, answer: _Answer, hint: str | None) -> Lookup:
        """The lookup for one caller; the first caller to see a new answer gets ``fetched``."""
        fetched = False
        with self._lock:
            entry = self._cache.get(user_id)
            if entry is not None and entry.answer is answer and not entry.reported:
                entry.reported = fetched = True
        profile = answer.profile or Profile(
            user_id=user_id, display_name=_plain_name(hint) if hint else None
        )
        return Lookup(
            profile=profile,
            fetched=fetched,
            status=answer.status,
            is_bot=answer.is_bot,
            deleted=answer.deleted,
        )

    def _fetch(self, user_id: str) -> _Answer:
        try:
            response = self.client.users_info(user=user_id)
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("users.info failed for %s: %s", user_id, error)
            if error in _NOT_FOUND_ERRORS:
                return _Answer(Status.NOT_FOUND)
            return _Answer(Status.UNAVAILABLE)
        except (SlackClientError, OSError, ValueError) as exc:
            # Unreachable, timed out, or not Slack's JSON (a stand-in without this method).
            log.warning("users.info unavailable for %s: %s", user_id, type(exc).__name__)
            return _Answer(Status.UNAVAILABLE)
        user = response.get("user")
        if not isinstance(user, Mapping) or not user.get("id"):
            log.warning("users.info for %s returned no user", user_id)
            return _Answer(Status.UNAVAILABLE)
        return _Answer(
            Status.FOUND,
            profile_from_user(user),
            is_bot=bool(user.get("is_bot") or user.get("is_app_user")) or user_id == SLACKBOT,
            deleted=bool(user.get("deleted")),
        )
