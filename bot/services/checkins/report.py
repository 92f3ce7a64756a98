"""What one tick did (``onramp tick`` prints it): each row it handled, under where it ended up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.schedule import Kind


@dataclass(frozen=True)
class Planned:
    """One message the tick owes (or would send, in a dry run)."""

    key: str
    kind: Kind
    recipient: str
    due_at: datetime
    local_due: str
    state: str
    reason: str | None = None


@dataclass
class TickReport:
    """What one tick did: each row it handled once, under where it ended up.

    A row Slack pushes back (429, 5xx) may be tried several times in one tick; it is one row in
    :attr:`deferred` while it waits and leaves it when it is sent, skipped or fails, so counts
    are rows, never attempts (those are :attr:`retries`).
    """

    now: datetime
    dry_run: bool = False
    refreshed: list[str] = field(default_factory=list)
    #: Rows newly put in the outbox to be sent (by count: a busy minute has thousands).
    queued: int = 0
    sent: list[Planned] = field(default_factory=list)
    skipped: list[Planned] = field(default_factory=list)
    failed: list[Planned] = field(default_factory=list)
    reconciled: list[Planned] = field(default_factory=list)
    would_send: list[Planned] = field(default_factory=list)
    #: Rows waiting for a later time at the end of the tick, by key (see :attr:`deferred`).
    waiting: dict[str, Planned] = field(default_factory=dict)
    #: Posts Slack refused for now within this tick and that were (or will be) tried again.
    retries: int = 0

    @property
    def deferred(self) -> list[Planned]:
        """Rows still waiting (a send window, a Retry-After, a back-off): once each."""
        return list(self.waiting.values())

    def defer(self, planned: Planned) -> None:
        """``planned`` waits; a row deferred again keeps one entry, with the latest reason."""
        self.waiting[planned.key] = planned

    def settle(self, outcome: list[Planned], planned: Planned) -> None:
        """``planned`` ended up in ``outcome`` (sent, skipped or failed): no longer waiting."""
        self.waiting.pop(planned.key, None)
        outcome.append(planned)

    def as_json(self) -> dict[str, Any]:
        """The ``onramp tick --json`` shape."""

        def rows(items: list[Planned]) -> list[dict[str, Any]]:
            return [
                {
                    "key": p.key,
                    "kind": p.kind.value,
                    "recipient": p.recipient,
                    "due_at": p.due_at.isoformat(),
                    "local": p.local_due,
                    **({"reason": p.reason} if p.reason else {}),
                }
                for p in items
            ]

        data: dict[str, Any] = {"now": self.now.isoformat(), "dry_run": self.dry_run}
        if self.dry_run:
            data["would_send"] = rows(self.would_send)
            data["would_skip"] = rows(self.skipped)
            data["would_wait"] = rows(self.deferred)
            return data
        for name in ("sent", "skipped", "deferred", "failed", "reconciled"):
            data[name] = rows(getattr(self, name))
        data["refreshed_profiles"] = list(self.refreshed)
        data["queued"] = self.queued
        data["retries"] = self.retries
        return data
