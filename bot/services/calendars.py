"""What the calendars owe at a tick: check-ins per calendar group, digests per zone, set-based.

Step 2 of a tick for the scheduled kinds (welcome, pulses, heads-ups, reviews, digests). Hires
sharing a plan, start date, zone and holiday country share one calendar, so what is owed is
worked out once per *group* (``storage.derive.calendar_groups``: about 5,300 groups for 100,000
hires) and each owed slot is written for the whole group by one ``INSERT … SELECT`` in which the
database builds the keys. No Python loop runs over the enrollments.

A group written in this process whose members are unchanged (same count and fingerprint, see
``storage.derive``) and with nothing newly due is passed over: most minutes write nothing. Any
change to a group — a new hire, a resumed plan, a new zone from Slack, a profile read for the
first time — changes its fingerprint and the group is written again; keys make that harmless.
A new process remembers nothing and writes every group once (the ``ON CONFLICT`` keeps it
idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.errors import NotFound
from bot.domain.schedule import Kind, LocalCalendar, Slot, digest_slot
from storage import derive as repo
from storage.engine import Database

log = logging.getLogger("onramp.checkins")

#: An item is *late* once its due time is this far behind: it then waits for the recipient's
#: send window. Calendar due times are at the window's start, so on-time items are in it anyway.
LATE_AFTER = timedelta(hours=1)
#: How long after a missed welcome (or growth round) should have gone out it is still recorded
#: (as skipped, with why).
WELCOME_RECORD_WINDOW = timedelta(days=45)
#: Plans run up to a year, but an enrollment still active after it goes on (monthly pulses,
#: quarterly growth rounds: docs/growth.md "After month 12"), so every active enrollment
#: started by then is read; its slots after the plan come for a window around the moment.
STARTED_FROM = date(1970, 1, 1)
#: Groups remembered before the memory starts afresh.
MEMO_LIMIT = 200_000

SlotsOf = Callable[[str, date, str | None, str | None, datetime], Sequence[Slot]]
CalendarOf = Callable[[str | None, str | None], LocalCalendar]


@dataclass(frozen=True)
class Written:
    """One new outbox row of a group: its key, recipient and what it is."""

    key: str
    recipient_id: int
    owed: repo.Owed


@dataclass
class Enqueued:
    """What :meth:`CalendarWork.enqueue` wrote: rows the report names, and how many others."""

    named: list[Written] = field(default_factory=list)
    queued: int = 0


@dataclass(frozen=True)
class _Work:
    group: repo.Group
    owed: repo.Owed


@dataclass(frozen=True)
class _Seen:
    """What this process wrote for a group: for these members, these (kind, ref) rows.

    ``until``: nothing new falls due for the group before then (``None``: nothing ever).
    """

    members: tuple[int, int]
    written: frozenset[tuple[str, str]]
    until: datetime | None = None


_MemoKey = tuple[str, tuple[Any, ...]]


@dataclass
class _Pass:
    """One look at the groups: when, for whom, what was remembered, what to remember."""

    now: datetime
    checked_only: bool
    apart: Mapping[str, str | None]
    memo: Mapping[_MemoKey, _Seen]
    seen: dict[_MemoKey, _Seen] = field(default_factory=dict)


class CalendarWork:
    """Derives and writes the scheduled rows of every calendar group; remembers what it wrote."""

    def __init__(self, *, db: Database, slots: SlotsOf, calendar: CalendarOf) -> None:
        self.db = db
        self.slots = slots
        self.calendar = calendar
        self._seen: dict[_MemoKey, _Seen] = {}

    def enqueue(self, *, now: datetime, checked_only: bool) -> Enqueued:
        """Write what every group owes at ``now`` and has not been written.

        ``checked_only``: with Slack configured, people whose zone was never known nor looked up
        get nothing yet (their calendar would be in the default zone). Rows recorded as skipped
        or waiting for a send window come back one by one (the tick report names them); the
        rest are written in batches and counted.
        """
        result = Enqueued()
        # One transaction from the read to the writes: the members counted are the members
        # written (SQLite's BEGIN IMMEDIATE holds the snapshot; on PostgreSQL the window is the
        # few milliseconds between statements of one transaction).
        with self.db.transaction() as session:
            todo, seen = self._work(
                session, now, checked_only=checked_only, apart={}, memo=self._seen
            )
            for item in (w for w in todo if _named(w.owed, now)):
                found = repo.insert_owed(
                    session=session,
                    group=item.group,
                    owed=item.owed,
                    now=now,
                    checked_only=checked_only,
                )
                result.named += [Written(f.key, f.recipient_id, item.owed) for f in found]
            plain = [(w.group, w.owed) for w in todo if not _named(w.owed, now)]
            result.queued = repo.insert_owed_many(
                session=session, items=plain, now=now, checked_only=checked_only
            )
        # Only once the rows are committed: a failed write is tried again next tick.
        if len(self._seen) + len(seen) > MEMO_LIMIT:
            self._seen.clear()
        self._seen.update(seen)
        return result

    def preview(
        self,
        *,
        now: datetime,
        checked_only: bool,
        zones: Mapping[str, str],
        checked: Collection[str],
    ) -> list[Written]:
        """What :meth:`enqueue` would write at ``now``, writing nothing (a dry run).

        ``checked``: user ids whose profile this dry run read without storing it; ``zones``:
        the zones it found for them.
        """
        apart = {user_id: zones.get(user_id) for user_id in set(checked) | set(zones)}
        with self.db.read() as session:
            work, _ = self._work(session, now, checked_only=checked_only, apart=apart, memo={})
            # The people read are listed by their groups of one, in their fresh zone; the
            # statements of the other groups still match them by their stored zone.
            read = repo.people_of(session=session, user_ids=list(apart))
            return [
                Written(f.key, f.recipient_id, item.owed)
                for item in work
                for f in repo.missing_owed(
                    session=session, group=item.group, owed=item.owed, checked_only=checked_only
                )
                if item.group.user_id is not None or (f.subject_id or f.recipient_id) not in read
            ]

    # --- what is owed -------------------------------------------------------------------------

    def _work(
        self,
        session: Any,
        now: datetime,
        *,
        checked_only: bool,
        apart: Mapping[str, str | None],
        memo: Mapping[_MemoKey, _Seen],
    ) -> tuple[list[_Work], dict[_MemoKey, _Seen]]:
        """(rows to write, what to remember once written): groups unchanged since they were
        last written, with nothing fallen due since, are passed over without a look.

        ``apart``: people read by a dry run, each a group of one in the zone found (or kept).
        """
        p = _Pass(now=now, checked_only=checked_only, apart=apart, memo=memo)
        work = self._calendar_work(session, p)
        return work + self._digest_work(session, p), p.seen

    def _calendar_work(self, session: Any, p: _Pass) -> list[_Work]:
        """Each calendar group's owed slots not yet written (``p.seen``: what to remember)."""
        groups = repo.calendar_groups(
            session=session,
            started_from=STARTED_FROM,
            started_to=(p.now + timedelta(days=2)).date(),
            checked_only=p.checked_only,
            apart=list(p.apart),
        )
        work: list[_Work] = []
        for stored in groups:
            group = _with_zone(stored, p.apart)
            if group.plan_id is None or group.start_date is None:
                continue  # not a calendar group (never returned by calendar_groups)
            key: _MemoKey = ("calendar", group.calendar)
            before = _same_members(p.memo.get(key), group)
            if before is not None and (before.until is None or p.now < before.until):
                continue
            try:
                slots = self.slots(group.plan_id, group.start_date, group.tz, group.country, p.now)
            except NotFound:
                log.warning("plan %s is gone; its %d hires are skipped", group.plan_id, group.size)
                continue
            owed = owed_slots(slots, p.now, self.calendar(group.tz, group.country))
            work += _new(group, owed, before)
            until = next((slot.due_at for slot in slots if slot.due_at > p.now), None)
            p.seen[key] = _Seen(_members(group), _refs(owed), until)
        return work

    def _digest_work(self, session: Any, p: _Pass) -> list[_Work]:
        """Each zone's digest slot, if live, for the managers and mentors in that zone."""
        live: dict[tuple[str | None, str | None], Slot | None] = {}

        def slot_of(tz: str | None, country: str | None) -> Slot | None:
            if (tz, country) not in live:
                live[tz, country] = digest_slot(calendar=self.calendar(tz, country), now=p.now)
            return live[tz, country]

        zones = repo.recipient_zones(session=session)
        work: list[_Work] = []
        if not p.apart and not any(slot_of(tz, country) for tz, country in zones):
            return work  # most of the week: no digest is due anywhere
        for kind in (Kind.MENTOR_DIGEST, Kind.MANAGER_DIGEST):
            for recipients in repo.digest_groups(
                session=session, kind=kind.value, checked_only=p.checked_only, apart=list(p.apart)
            ):
                group = _with_zone(recipients, p.apart)
                slot = slot_of(group.tz, group.country)
                if slot is None:
                    continue
                owed = [
                    repo.Owed(
                        kind=kind.value,
                        ref=slot.ref,
                        due_at=slot.due_at,
                        payload={"stale_at": slot.stale_at.isoformat(), "week": slot.ref},
                    )
                ]
                key: _MemoKey = (kind.value, group.calendar)
                before = _same_members(p.memo.get(key), group)
                work += _new(group, owed, before)
                p.seen[key] = _Seen(_members(group), _refs(owed))
        return work


def _named(owed: repo.Owed, now: datetime) -> bool:
    """A row the tick report names: recorded as skipped, or waiting for a send window."""
    return owed.state == repo.SKIPPED or (owed.not_before is not None and owed.not_before > now)


def _members(group: repo.Group) -> tuple[int, int]:
    return (group.size, group.fingerprint)


def _same_members(seen: _Seen | None, group: repo.Group) -> _Seen | None:
    """What was written for ``group``, if its members are still the same."""
    return seen if seen is not None and seen.members == _members(group) else None


def _refs(owed: Sequence[repo.Owed]) -> frozenset[tuple[str, str]]:
    return frozenset((o.kind, o.ref) for o in owed)


def _new(group: repo.Group, owed: Sequence[repo.Owed], before: _Seen | None) -> list[_Work]:
    """Owed rows not yet written for these members (writing them again only meets the keys)."""
    done = before.written if before is not None else frozenset()
    return [_Work(group, o) for o in owed if (o.kind, o.ref) not in done]


def _with_zone(group: repo.Group, apart: Mapping[str, str | None]) -> repo.Group:
    """A group of one person read in this dry run, in the zone just found for them."""
    if group.user_id is None:
        return group
    fresh = apart.get(group.user_id)
    return replace(group, tz=fresh) if fresh else group


def owed_slots(slots: Sequence[Slot], now: datetime, calendar: LocalCalendar) -> list[repo.Owed]:
    """The slots of one calendar owed at ``now``: live ones, and stale ones to record.

    A slot found late outside the hire's send window (downtime, enrolled after the fact) waits
    for the next window (``not_before``); if it would be stale by then, or a review falls due
    by then (a late pulse: the review asks instead), it is recorded as skipped with the reason.
    """
    owed: list[repo.Owed] = []
    window = calendar.next_send_window(now)
    for slot in slots:
        if slot.due_at > now:
            break
        if slot.is_live(now):
            late = window > now and now - slot.due_at > LATE_AFTER
            if late and window >= slot.stale_at:
                what = "superseded: a newer pulse is due" if slot.kind is Kind.PULSE else "stale"
                reason = f"{what} before the hire's next send window ({in_zone(window, calendar)})"
                owed.append(_owed(slot, state=repo.SKIPPED, reason=reason))
                continue
            review = (
                _review_by(slots, after=slot.due_at, by=window) if slot.kind is Kind.PULSE else None
            )
            if review is not None:
                reason = f"superseded: the {review.ref} review ({review.day:%a %d %b}) asks instead"
                owed.append(_owed(slot, state=repo.SKIPPED, reason=reason))
                continue
            owed.append(_owed(slot, not_before=window if late else None))
        elif slot.kind is Kind.WELCOME and now - slot.stale_at < WELCOME_RECORD_WINDOW:
            # Enrolled after the fact: say once, on the record, why no welcome went out.
            reason = (
                f"stale: the plan started {slot.day:%Y-%m-%d} and check-ins began after "
                "the first week; the weekly pulse greets the hire instead"
            )
            owed.append(_owed(slot, state=repo.SKIPPED, reason=reason))
        elif slot.kind.growth_rater and now - slot.stale_at < WELCOME_RECORD_WINDOW:
            # A whole round missed (downtime, enrolled late): on the record, once, with why.
            reason = (
                f"stale: the {slot.ref} growth round closed "
                f"{in_zone(slot.stale_at, calendar)} before it could be sent"
            )
            owed.append(_owed(slot, state=repo.SKIPPED, reason=reason))
    return owed


def _owed(
    slot: Slot,
    *,
    state: str = repo.PENDING,
    reason: str | None = None,
    not_before: datetime | None = None,
) -> repo.Owed:
    payload = {
        "stale_at": slot.stale_at.isoformat(),
        "day": slot.day.isoformat(),
        **({"phase_id": slot.phase_id} if slot.phase_id else {}),
        **({"week": slot.number} if slot.number is not None else {}),
        **({"month": slot.month} if slot.month is not None else {}),
    }
    return repo.Owed(
        kind=slot.kind.value,
        ref=slot.ref,
        due_at=slot.due_at,
        payload=payload,
        state=state,
        reason=reason,
        not_before=not_before,
    )


def _review_by(slots: Sequence[Slot], *, after: datetime, by: datetime) -> Slot | None:
    """A review due after ``after`` and by ``by`` (and still live then), if any."""
    for slot in slots:
        if slot.kind is Kind.REVIEW and after < slot.due_at <= by < slot.stale_at:
            return slot
    return None


def in_zone(when: datetime, calendar: LocalCalendar) -> str:
    """``when`` in the calendar's zone, e.g. ``Mon 02 Mar 09:30 Europe/Berlin``."""
    return f"{when.astimezone(calendar.zone):%a %d %b %H:%M} {calendar.zone.key}"
