"""The outbox: rows owed are written once (unique keys, ``ON CONFLICT DO NOTHING``) and shown in
the tick's report with their recipient and local due time.

:class:`Queue` inserts what :mod:`.derive` found, remembers the keys this process wrote (so a
row derived again is not even offered again), names in the report the new rows that were
skipped or wait for a send window, and fills a dry run's report from what would be written and
what is already pending. :func:`outbox_row` and :func:`recipient_user_id` are the reads the
other steps share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.domain.errors import NotFound
from bot.domain.schedule import Kind, zone
from bot.services.calendars import Written
from bot.services.checkins.report import Planned, TickReport
from storage import outbox as repo
from storage import repositories as people_repo
from storage.engine import Database
from storage.models import Outbox

#: Keys remembered before the memory starts afresh (the database's unique key still holds).
KNOWN_KEYS_LIMIT = 500_000


@dataclass(kw_only=True, eq=False)
class Queue:
    """Writes owed rows to the outbox once and reports them."""

    db: Database
    default_tz: str
    _known_keys: set[str] = field(default_factory=set, init=False)

    def unseen(self, rows: Iterable[repo.NewRow]) -> list[repo.NewRow]:
        """``rows`` but those this process has already written."""
        return [r for r in rows if r.key not in self._known_keys]

    def insert(
        self, session: Any, rows: Sequence[repo.NewRow], now: datetime, report: TickReport
    ) -> None:
        """Write ``rows`` (a key already in the outbox is left alone) and report the new ones."""
        if not rows:
            return
        unique = list({r.key: r for r in rows}.values())
        inserted = set(repo.insert_new(session=session, rows=unique, now=now))
        if len(self._known_keys) > KNOWN_KEYS_LIMIT:
            self._known_keys.clear()
        self._known_keys.update(r.key for r in unique)
        self.report_new(session, [r for r in unique if r.key in inserted], now, report)

    def report_new(
        self, session: Any, rows: Sequence[repo.NewRow], now: datetime, report: TickReport
    ) -> None:
        """Count rows just written; name those skipped or waiting, with local due times."""
        shown = [r for r in rows if r.state == repo.SKIPPED or _waits(r, now)]
        report.queued += sum(1 for r in rows if r.state != repo.SKIPPED)
        # One column query for the recipients shown, not an ORM load (or a query) per row.
        people = repo.user_ids_and_zones(
            session=session, person_ids={r.recipient_id for r in shown}
        )
        for r in shown:
            planned = self.planned(r, people)
            if r.state == repo.SKIPPED:
                report.skipped.append(planned)
            elif r.not_before is not None:
                window = self.local_text(people.get(r.recipient_id, ("?", None))[1], r.not_before)
                reason = f"waits for the recipient's send window ({window})"
                report.defer(replace(planned, reason=reason))

    def planned(
        self,
        row: repo.NewRow | Outbox,
        people: Mapping[int, tuple[str, str | None]],
        zones: Mapping[str, str] | None = None,
    ) -> Planned:
        """``row`` as the tick report shows it: recipient's user id, due time in their zone
        (``zones``: zones a dry run has just read, over the stored ones)."""
        user_id, tz = people.get(row.recipient_id, ("?", None))
        tz = (zones or {}).get(user_id, tz)
        return Planned(
            key=row.key,
            kind=Kind(row.kind),
            recipient=user_id,
            due_at=row.due_at,
            local_due=self.local_text(tz, row.due_at),
            state=row.state,
            reason=row.reason,
        )

    def local_text(self, tz: str | None, when: datetime) -> str:
        """``when`` in zone ``tz`` (else the workspace's), as the report shows it."""
        where = zone(tz, self.default_tz)
        return f"{when.astimezone(where):%a %Y-%m-%d %H:%M} {where.key}"

    def dry_run(
        self,
        now: datetime,
        fresh: Sequence[repo.NewRow],
        derived: Sequence[repo.NewRow],
        report: TickReport,
        zones: dict[str, str],
    ) -> None:
        """Fill a dry run's report: ``fresh`` rows are known to be new; ``derived`` ones are
        checked against the outbox; pending rows already due would go out too."""
        with self.db.read() as session:
            existing = repo.existing_keys(session=session, keys=[r.key for r in derived])
            rows = [*fresh, *(r for r in derived if r.key not in existing)]
            pending = [
                row
                for row in repo.rows_where(session=session, states=[repo.PENDING])
                if row.due_at <= now and (row.not_before is None or row.not_before <= now)
            ]
            # One column query for every recipient shown, not a query per row.
            recipients = {r.recipient_id for r in rows} | {r.recipient_id for r in pending}
            people = repo.user_ids_and_zones(session=session, person_ids=recipients)
        for r in rows:
            planned = self.planned(r, people, zones)
            if r.state == repo.SKIPPED:
                report.skipped.append(planned)
            elif r.not_before is not None and r.not_before > now:
                wait = replace(
                    planned,
                    reason=f"waits for the send window ({r.not_before:%Y-%m-%d %H:%M} UTC)",
                )
                report.defer(wait)
            else:
                report.would_send.append(planned)
        report.would_send += [
            replace(self.planned(row, people, zones), reason=None) for row in pending
        ]
        report.would_send.sort(key=lambda p: (p.recipient, p.due_at, p.key))


def as_row(written: Written) -> repo.NewRow:
    """A row :class:`CalendarWork` wrote (or would write), as the tick report shows it."""
    owed = written.owed
    return repo.NewRow(
        key=written.key,
        kind=owed.kind,
        recipient_id=written.recipient_id,
        due_at=owed.due_at,
        payload=owed.payload,
        state=owed.state,
        reason=owed.reason,
        not_before=owed.not_before,
    )


def outbox_row(db: Database, outbox_id: int) -> Outbox | None:
    """The outbox row ``outbox_id`` as it is now."""
    with db.read() as session:
        return repo.get(session=session, outbox_id=outbox_id)


def recipient_user_id(db: Database, person_id: int) -> str:
    """The Slack user id of person ``person_id`` (a row's recipient)."""
    with db.read() as session:
        person = people_repo.get_person_by_id(session=session, person_id=person_id)
    if person is None:
        raise NotFound(f"person {person_id} is gone")
    return person.user_id


def _waits(row: repo.NewRow, now: datetime) -> bool:
    """A new row held back until the recipient's next send window."""
    return row.not_before is not None and row.not_before > now
