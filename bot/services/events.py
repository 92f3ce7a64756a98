"""De-duplication of Slack's event deliveries, shared by every process through the database.

Slack retries an Events API delivery (up to three times within about five minutes) when the ack
was slow or lost; with two ``onramp serve`` processes behind one Request URL a retry may reach
the other process. :class:`EventLedger` answers "first time anyone here saw this ``event_id``?"
from the ``slack_event`` table, so each event is handled once across processes.
"""

from __future__ import annotations

from datetime import timedelta

from bot.services.clock import Clock
from storage import events as repo
from storage.engine import Database

#: How long an event id is remembered (Slack's retries end within minutes; a day is ample).
RETENTION = timedelta(days=1)
#: Old ids are purged at most this often (by whichever process notices first).
PURGE_EVERY = timedelta(hours=1)


class EventLedger:
    """The set of Slack event ids already handled, in the database."""

    def __init__(self, *, db: Database, clock: Clock, retention: timedelta = RETENTION) -> None:
        self.db = db
        self.clock = clock
        self.retention = retention
        self._next_purge = clock.now()

    def first_sight(self, event_id: str) -> bool:
        """True exactly once per ``event_id`` across every process sharing the database."""
        now = self.clock.now()
        with self.db.transaction() as session:
            new = repo.remember(session=session, event_id=event_id[:64], now=now)
            if now >= self._next_purge:
                self._next_purge = now + PURGE_EVERY
                repo.forget_before(session=session, before=now - self.retention)
        return new
