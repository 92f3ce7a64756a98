"""Cross-cutting concerns, written once: request logging, bot echoes, retried events, people.

Order (see :func:`install`): log the request → drop echoes → drop retries → know the caller.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.logcontext import log_context
from bot.services.events import EventLedger
from bot.services.onboarding import Onboarding
from bot.slack import payloads
from bot.slack.directory import Directory

log = logging.getLogger("onramp.slack.requests")

REQUEST_ID = "onramp_request_id"
#: Context key: when this request's ``users.info`` lookups must stop waiting (monotonic clock).
LOOKUP_DEADLINE = "onramp_lookup_deadline"


def request_id(context: dict[str, object]) -> str:
    """The id the logging middleware gave this request (for error references)."""
    value = context.get(REQUEST_ID)
    return value if isinstance(value, str) else "-"


class RequestLog(Middleware):
    """Gives each request an id and logs what it is: kind, command word, user — never tokens,
    command arguments or message text (they may hold personal data)."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        rid = uuid.uuid4().hex[:12]
        req.context[REQUEST_ID] = rid
        kind, detail = payloads.request_kind(req.body)
        retry = req.headers.get("x-slack-retry-num", [None])[0]
        # Every record of this request (listener threads included) carries its ids.
        with log_context(request_id=rid, user_id=req.context.user_id):
            log.info(
                "slack %s %s user=%s request=%s%s",
                kind,
                detail,
                req.context.user_id or "-",
                rid,
                f" retry={retry}" if retry else "",
            )
            return next()


class IgnoreEchoes(Middleware):
    """Drops messages from bots (ours included) and edit/delete echoes before any listener."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        envelope = payloads.event_envelope(req.body)
        if envelope is not None and payloads.is_echo(envelope, bot_user_id=req.context.bot_user_id):
            return BoltResponse(status=200, body="")
        return next()


class DeduplicateEvents(Middleware):
    """Processes each Events API ``event_id`` once; Slack's retries (after a slow or failed ack,
    up to three within about five minutes) are acknowledged and dropped.

    A bounded in-process LRU (entries expire after ``ttl`` seconds) answers repeats cheaply;
    an id it has not seen is then offered to ``ledger`` (the ``slack_event`` table, see
    :class:`bot.services.events.EventLedger`), so two processes behind one Request URL still
    handle each event once. If the database cannot be reached the event is handled (a rare
    double answer beats a lost one) and the failure is logged.
    """

    def __init__(
        self,
        *,
        ttl: float = 3600.0,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
        ledger: EventLedger | None = None,
    ) -> None:
        self.ledger = ledger
        self.ttl = ttl
        self.max_entries = max_entries
        self.monotonic = monotonic
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_sight(self, event_id: str) -> bool:
        """True the first time ``event_id`` is offered within the TTL."""
        now = self.monotonic()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) <= now:
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now + self.ttl
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
            return True

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        envelope = payloads.event_envelope(req.body)
        if envelope is not None and envelope.event_id and not self.first_sight(envelope.event_id):
            log.info("slack event %s already handled; retry dropped", envelope.event_id)
            return BoltResponse(status=200, body="")
        if (
            envelope is not None
            and envelope.event_id
            and not self._first_anywhere(envelope.event_id)
        ):
            log.info("slack event %s handled by another process; dropped", envelope.event_id)
            return BoltResponse(status=200, body="")
        return next()

    def _first_anywhere(self, event_id: str) -> bool:
        if self.ledger is None:
            return True
        try:
            return self.ledger.first_sight(event_id)
        except Exception:
            log.warning(
                "could not check event %s in the database; handling it", event_id, exc_info=True
            )
            return True


class KnowPeople(Middleware):
    """Creates or refreshes the caller (name, time zone from ``users.info``) on first sight,
    then at most once per directory cache period. Never blocks the request on a failure.

    It opens the request's lookup budget (:data:`LOOKUP_DEADLINE` in the context): every
    ``users.info`` asked before the ack — the caller's here, the people a command names in the
    listener — waits until that one deadline at most, so a slow Slack can't cost the ack.
    """

    def __init__(self, *, directory: Directory, onboarding: Onboarding) -> None:
        self.directory = directory
        self.onboarding = onboarding

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        deadline = self.directory.deadline()
        req.context[LOOKUP_DEADLINE] = deadline
        user_id = req.context.user_id
        if user_id:
            try:
                found = self.directory.lookup(user_id, deadline=deadline)
                if found.fetched and found.found:
                    self.onboarding.ensure_person(profile=found.profile)
            except Exception:
                log.exception("could not record %s", user_id)
        return next()


def lookup_deadline(context: Mapping[str, object], directory: Directory) -> float:
    """The request's lookup deadline (a fresh budget if the middleware didn't open one)."""
    value = context.get(LOOKUP_DEADLINE)
    return value if isinstance(value, float) else directory.deadline()


def install(
    app: App, *, directory: Directory, onboarding: Onboarding, ledger: EventLedger | None = None
) -> DeduplicateEvents:
    """Add the middleware in order; returns the de-duplicator (tests look at it)."""
    dedupe = DeduplicateEvents(ledger=ledger)
    app.use(RequestLog())
    app.use(IgnoreEchoes())
    app.use(dedupe)
    app.use(KnowPeople(directory=directory, onboarding=onboarding))
    return dedupe
