"""When check-ins are due: pure date math in each person's own time zone, answers in UTC.

A hire's calendar is derived from the plan and the enrollment's start date alone, so it can be
recomputed at any moment and always gives the same slots (the outbox's unique keys rest on this).
Every slot has a due instant (the configured local send time on a working day) and a stale instant
after which sending it would only add noise (the catch-up policy, see ``docs/checkins.md``):

- welcome: on the plan's day 1 (the start date, or the first working day after it); stale once
  the first weekly pulse is due;
- pulse: every week until ``weekly_pulse_until``, then every N weeks until ``pulse_until``;
  stale when the next pulse is due (a pulse on a review day is dropped: the review asks instead);
- heads-up: N working days before a review; stale on the working day before the review;
- review: on each phase's due date; stale when the next phase's heads-up (or review) is due,
  the last one ten working days after it went out;
- digests: the first working day of each ISO week; stale the next working day;
- growth rounds (``growth_self`` and ``growth_manager``): at each ``growth_rounds`` offset (then
  every ``growth_every_after``) on the date a phase due then falls on; stale when the round
  closes, ``growth_round_closes_after_working_days`` working days on;
- after the plan (``pulse_until``), while the enrollment stays active: a pulse every
  ``after_plan_pulse_every`` (ref ``13mo``, ``14mo``, …; none on a growth round's day: the round
  asks instead), and the growth rounds go on every ``growth_every_after``. That calendar never
  ends, so it is computed for a window around a given day only (:func:`after_plan_slots`).

Offsets count from day 1; due dates falling on a weekend or a public holiday move to the next
working day (``bot.domain.workdays``: the same two functions give every surface its dates).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from bot.domain.errors import InvalidInput
from bot.domain.offsets import Offset
from bot.domain.plan import Cadence, Phase
from bot.domain.workdays import (
    add_working_days,
    effective_due,
    is_working_day,
    on_or_after,
    plan_day_one,
)

_T = TypeVar("_T")

#: Growth rounds are computed this far into a plan with its calendar; later rounds (and the
#: pulses after the plan) come from :func:`after_plan_slots`, in a window around a day.
GROWTH_HORIZON = Offset.parse("24mo")
#: After the plan, slots are computed for this many days either side of the day asked about.
AFTER_PLAN_WINDOW = timedelta(days=120)
#: How long the last review stays worth sending when nothing follows it.
LAST_REVIEW_RELEVANT_WORKING_DAYS = 10
#: How long after the local send time a late check-in may still go out that day (09:30 →
#: 17:30); outside it, a late item waits for the recipient's next working day at the send time.
SEND_WINDOW = timedelta(hours=8)


class Kind(StrEnum):
    """What an outbox row is."""

    WELCOME = "welcome"
    PULSE = "pulse"
    HEADS_UP = "heads_up"
    REVIEW = "review"
    REMINDER = "reminder"
    MENTOR_NUDGE = "mentor_nudge"
    ESCALATION = "escalation"
    MENTOR_DIGEST = "mentor_digest"
    MANAGER_DIGEST = "manager_digest"
    #: The hire's "you're on the plan" DM, queued by the enrollment itself (not derived).
    ENROLLED = "enrolled"
    #: A growth check-in round: the hire rates themselves on the plan's rubric …
    GROWTH_SELF = "growth_self"
    #: … and their manager of record rates them (same round, same instant, blind) …
    GROWTH_MANAGER = "growth_manager"
    #: … and, where ``growth_mentor`` is on, each mentor (optional: never waited for).
    GROWTH_MENTOR = "growth_mentor"
    #: Once, to a rater who has not submitted after N working days, while the round is open.
    GROWTH_REMINDER = "growth_reminder"
    #: The side-by-side, to each rater, once every rater submitted or the round closed.
    GROWTH_REVEAL = "growth_reveal"
    #: To the manager, when a KPI picked for a hire has no reading for its period yet.
    KPI_REMINDER = "kpi_reminder"
    #: To each mentor (or the manager, with none), once, when a growth-plan focus item stalled.
    FOCUS_NUDGE = "focus_nudge"
    #: The working day before a 1:1, to the manager and to the hire: what to talk about.
    ONE_ON_ONE_PREP = "one_on_one_prep"

    @property
    def asks_hire(self) -> bool:
        """A check-in the hire is expected to answer (reminders and silence count these)."""
        return self in (Kind.PULSE, Kind.REVIEW)

    @property
    def growth_rater(self) -> bool:
        """A growth check-in a rater answers with their ratings (a modal)."""
        return self in (Kind.GROWTH_SELF, Kind.GROWTH_MANAGER, Kind.GROWTH_MENTOR)


@dataclass(frozen=True)
class Rules:
    """A plan's cadence with every gap filled from the workspace defaults."""

    send_time: time
    weekly_pulse_until: Offset
    pulse_every_weeks_after: int
    pulse_until: Offset
    review_heads_up_working_days: int
    reminder_after_working_days: int
    mentor_nudge_after_silent_working_days: int
    escalate_after_working_days: int
    #: Growth check-in rounds, earliest first, then one every ``growth_every_after``.
    growth_rounds: tuple[Offset, ...] = ()
    growth_every_after: Offset | None = None
    growth_round_closes_after_working_days: int = 10
    growth_reminder_after_working_days: int = 3
    #: Mentors rate too (derived per mentor once the hire's DM is out; never required).
    growth_mentor: bool = False
    #: An open focus item with no update for this many working days is stalled (a mentor nudge).
    focus_stalled_after_working_days: int = 15
    #: After ``pulse_until``, a pulse every this long while the enrollment is active (None: none).
    after_plan_pulse_every: Offset | None = None

    @classmethod
    def of(
        cls,
        *,
        send_time: time,
        weekly_pulse_until: str | Offset,
        pulse_every_weeks_after: int,
        pulse_until: str | Offset,
        review_heads_up_working_days: int,
        reminder_after_working_days: int,
        mentor_nudge_after_silent_working_days: int,
        escalate_after_working_days: int,
        growth_rounds: Sequence[str | Offset] = (),
        growth_every_after: str | Offset | None = None,
        growth_round_closes_after_working_days: int = 10,
        growth_reminder_after_working_days: int = 3,
        growth_mentor: bool = False,
        focus_stalled_after_working_days: int = 15,
        after_plan_pulse_every: str | Offset | None = None,
    ) -> Rules:
        """Build rules from settings values (offsets may be written as ``90d``, ``12mo``)."""

        def offset(value: str | Offset) -> Offset:
            return value if isinstance(value, Offset) else Offset.parse(value)

        return cls(
            send_time=send_time,
            weekly_pulse_until=offset(weekly_pulse_until),
            pulse_every_weeks_after=pulse_every_weeks_after,
            pulse_until=offset(pulse_until),
            review_heads_up_working_days=review_heads_up_working_days,
            reminder_after_working_days=reminder_after_working_days,
            mentor_nudge_after_silent_working_days=mentor_nudge_after_silent_working_days,
            escalate_after_working_days=escalate_after_working_days,
            growth_rounds=tuple(offset(v) for v in growth_rounds),
            growth_every_after=None if growth_every_after is None else offset(growth_every_after),
            growth_round_closes_after_working_days=growth_round_closes_after_working_days,
            growth_reminder_after_working_days=growth_reminder_after_working_days,
            growth_mentor=growth_mentor,
            focus_stalled_after_working_days=focus_stalled_after_working_days,
            after_plan_pulse_every=(
                None if after_plan_pulse_every is None else offset(after_plan_pulse_every)
            ),
        )

    def with_cadence(self, cadence: Cadence) -> Rules:
        """These rules overridden by what a plan's ``checkins:`` section sets."""

        return Rules(
            send_time=self.send_time,
            weekly_pulse_until=pick(cadence.weekly_pulse_until, self.weekly_pulse_until),
            pulse_every_weeks_after=pick(
                cadence.pulse_every_weeks_after, self.pulse_every_weeks_after
            ),
            pulse_until=pick(cadence.pulse_until, self.pulse_until),
            review_heads_up_working_days=pick(
                cadence.review_heads_up_working_days, self.review_heads_up_working_days
            ),
            reminder_after_working_days=pick(
                cadence.reminder_after_working_days, self.reminder_after_working_days
            ),
            mentor_nudge_after_silent_working_days=pick(
                cadence.mentor_nudge_after_silent_working_days,
                self.mentor_nudge_after_silent_working_days,
            ),
            escalate_after_working_days=pick(
                cadence.escalate_after_working_days, self.escalate_after_working_days
            ),
            growth_rounds=pick(
                tuple(cadence.growth_rounds) if cadence.growth_rounds else None,
                self.growth_rounds,
            ),
            growth_every_after=pick(cadence.growth_every_after, self.growth_every_after),
            growth_round_closes_after_working_days=pick(
                cadence.growth_round_closes_after_working_days,
                self.growth_round_closes_after_working_days,
            ),
            growth_reminder_after_working_days=pick(
                cadence.growth_reminder_after_working_days,
                self.growth_reminder_after_working_days,
            ),
            growth_mentor=pick(cadence.growth_mentor, self.growth_mentor),
            focus_stalled_after_working_days=self.focus_stalled_after_working_days,
            after_plan_pulse_every=self.after_plan_pulse_every,
        )


def pick(value: _T | None, default: _T) -> _T:
    """``value`` unless it is ``None``."""
    return default if value is None else value


# --- zones and holidays ---------------------------------------------------------------------


@lru_cache(maxsize=512)
def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The IANA zone ``name`` (else ``default``); an unknown name falls back to ``default``.

    Slack reports zones by IANA name; a name this machine's tz database lacks must not stop
    check-ins, so it reads as the workspace default.
    """
    for candidate in (name, default, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def known_zone(name: str) -> bool:
    """Whether this machine's tz database knows the IANA zone ``name``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class _NoHolidays:
    def __contains__(self, day: object) -> bool:
        return False


@lru_cache(maxsize=64)
def public_holidays(country: str | None) -> Container[date]:
    """Public holidays of ``country`` (ISO code like ``US`` or ``DE-BY``), or none when unset.

    Raise :class:`InvalidInput` naming the fix when the ``holidays`` package doesn't know it.
    """
    if not country:
        return _NoHolidays()
    code, _, subdivision = country.strip().upper().partition("-")
    try:
        return holidays_lib.country_holidays(code, subdiv=subdivision or None)
    except NotImplementedError:
        raise InvalidInput(
            f"{country!r} is not a country the holidays package knows; use an ISO 3166 code "
            "like US, GB or DE (optionally with a subdivision: DE-BY)"
        ) from None


@dataclass(frozen=True)
class LocalCalendar:
    """One person's clock: their time zone, their public holidays, the local send time."""

    zone: ZoneInfo
    send_time: time
    holidays: Container[date] = _NoHolidays()

    def today(self, now: datetime) -> date:
        """The local date at ``now``."""
        return now.astimezone(self.zone).date()

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a public holiday here."""
        return is_working_day(day, self.holidays)

    def working_on_or_after(self, day: date) -> date:
        """``day`` when it is a working day, else the next one."""
        return on_or_after(day, self.holidays)

    def add_working_days(self, day: date, count: int) -> date:
        """``count`` working days after ``day``."""
        return add_working_days(day, count, self.holidays)

    def sub_working_days(self, day: date, count: int) -> date:
        """``count`` working days before ``day``."""
        current = day
        for _ in range(count):
            current -= timedelta(days=1)
            while not self.is_working_day(current):
                current -= timedelta(days=1)
        return current

    def send_at(self, day: date) -> datetime:
        """The UTC instant of the send time on local ``day``.

        A send time that does not exist that day (the hour skipped when clocks go forward) is
        read with the offset from before the change, i.e. it moves later by the gap; a send time
        that happens twice (clocks go back) means the first of the two.
        """
        local = datetime.combine(day, self.send_time, tzinfo=self.zone)
        return local.astimezone(UTC)

    def next_send_window(self, now: datetime) -> datetime:
        """``now`` if it is inside a send window here, else when the next one opens.

        A send window is a working day from the local send time for :data:`SEND_WINDOW`. Items
        that are late (downtime, a hire enrolled after the fact) wait for one, so nobody gets a
        check-in at 03:00 or on a Saturday.
        """
        day = self.today(now)
        if self.is_working_day(day):
            opens = self.send_at(day)
            if opens <= now < opens + SEND_WINDOW:
                return now
            if now < opens:
                return opens
        # Past today's window (or not a working day): the next working day's send time.
        return self.send_at(self.working_on_or_after(day + timedelta(days=1)))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


# --- a hire's calendar ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """One calendar check-in for one hire: what, which one, when due, when no longer worth it."""

    kind: Kind
    ref: str
    day: date
    due_at: datetime
    stale_at: datetime
    phase_id: str | None = None
    number: int | None = None
    #: A pulse after the plan: its month (13, 14, …) instead of a week ``number``.
    month: int | None = None

    def is_live(self, now: datetime) -> bool:
        """Due and not yet stale at ``now``."""
        return self.due_at <= now < self.stale_at


def _pulse_offsets(rules: Rules, start: date) -> list[int]:
    """Week numbers (from the start date) that carry a pulse."""
    weekly_end = rules.weekly_pulse_until.after(start)
    last = rules.pulse_until.after(start)
    weeks, week = [], 1
    while start + timedelta(weeks=week) <= weekly_end:
        weeks.append(week)
        week += 1
    week = weeks[-1] + rules.pulse_every_weeks_after if weeks else 1
    while start + timedelta(weeks=week) <= last:
        weeks.append(week)
        week += rules.pulse_every_weeks_after
    return weeks


def hire_calendar(
    *,
    rules: Rules,
    phases: Sequence[Phase],
    start: date,
    calendar: LocalCalendar,
    around: date | None = None,
) -> tuple[Slot, ...]:
    """Every welcome, pulse, heads-up and review of one enrollment, in due order.

    Everything counts from the plan's day 1 (:func:`plan_day_one`), the day the welcome goes
    out; reviews fall on :func:`effective_due`, the dates every progress view shows. With
    ``around``, the slots after the plan within :data:`AFTER_PLAN_WINDOW` of that day too.
    """
    welcome_day = plan_day_one(start, calendar.holidays)
    reviews: list[tuple[Phase, date]] = [
        (phase, effective_due(phase.due, start, calendar.holidays)) for phase in phases
    ]
    review_days = {day for _, day in reviews}

    pulses: list[tuple[int, date]] = []
    for week in _pulse_offsets(rules, welcome_day):
        day = calendar.working_on_or_after(welcome_day + timedelta(weeks=week))
        if day in review_days or day == welcome_day or (pulses and day <= pulses[-1][1]):
            continue
        pulses.append((week, day))

    slots: list[Slot] = []
    first_pulse_at = calendar.send_at(pulses[0][1]) if pulses else None
    welcome_due = calendar.send_at(welcome_day)
    slots.append(
        Slot(
            kind=Kind.WELCOME,
            ref="start",
            day=welcome_day,
            due_at=welcome_due,
            stale_at=first_pulse_at or calendar.send_at(calendar.add_working_days(welcome_day, 5)),
        )
    )
    for index, (week, day) in enumerate(pulses):
        due = calendar.send_at(day)
        if index + 1 < len(pulses):
            stale = calendar.send_at(pulses[index + 1][1])
        else:
            stale = due + timedelta(weeks=rules.pulse_every_weeks_after)
        slots.append(
            Slot(kind=Kind.PULSE, ref=f"w{week}", day=day, due_at=due, stale_at=stale, number=week)
        )

    heads_up_n = rules.review_heads_up_working_days
    heads_ups: dict[str, datetime] = {}
    for phase, day in reviews:
        if heads_up_n <= 0:
            continue
        notice_day = calendar.sub_working_days(day, heads_up_n)
        if notice_day <= welcome_day:
            continue  # a heads-up before the hire even started is noise
        due = calendar.send_at(notice_day)
        stale_day = calendar.sub_working_days(day, 1) if heads_up_n >= 2 else day
        slots.append(
            _phase_slot(Kind.HEADS_UP, phase, notice_day, due, calendar.send_at(stale_day))
        )
        heads_ups[phase.id] = due
    for index, (phase, day) in enumerate(reviews):
        due = calendar.send_at(day)
        if index + 1 < len(reviews):
            following, following_day = reviews[index + 1]
            stale = heads_ups.get(following.id, calendar.send_at(following_day))
        else:
            stale = calendar.send_at(
                calendar.add_working_days(day, LAST_REVIEW_RELEVANT_WORKING_DAYS)
            )
        slots.append(
            _phase_slot(Kind.REVIEW, phase, day, due, max(stale, due + timedelta(hours=1)))
        )
    slots += growth_slots(rules=rules, start=start, calendar=calendar)
    if around is not None:
        slots += after_plan_slots(rules=rules, start=start, calendar=calendar, around=around)
    slots.sort(key=lambda s: (s.due_at, s.kind.value))
    return tuple(slots)


def after_plan_slots(
    *, rules: Rules, start: date, calendar: LocalCalendar, around: date
) -> list[Slot]:
    """The pulses after the plan and the growth rounds after :data:`GROWTH_HORIZON` whose day
    is within :data:`AFTER_PLAN_WINDOW` of ``around`` (the calendar after month 12 never ends).

    A pulse falls every ``after_plan_pulse_every`` after ``pulse_until`` (``13mo``, ``14mo``, …)
    on the working day on or after that anniversary; it is stale when the next one is due.
    None is sent on the day of a growth round: the round asks instead.
    """
    lo, hi = around - AFTER_PLAN_WINDOW, around + AFTER_PLAN_WINDOW
    day_one = plan_day_one(start, calendar.holidays)
    rounds = _repeats(rules.growth_rounds[-1:], rules.growth_every_after, day_one, lo, hi)
    later_rounds = [r for r in rounds if r > GROWTH_HORIZON]
    round_days = {
        effective_due(r, start, calendar.holidays) for r in [*growth_rounds(rules), *rounds]
    }
    slots = growth_slots(rules=rules, start=start, calendar=calendar, offsets=later_rounds)
    every = rules.after_plan_pulse_every
    pulses = _repeats((rules.pulse_until,), every, day_one, lo, hi)
    for offset in pulses:
        day = calendar.working_on_or_after(offset.after(day_one))
        if day in round_days:
            continue
        following = _step(offset, every) if every is not None else None
        due = calendar.send_at(day)
        stale = (
            calendar.send_at(calendar.working_on_or_after(following.after(day_one)))
            if following is not None
            else due + timedelta(days=30)
        )
        slots.append(
            Slot(
                kind=Kind.PULSE,
                ref=str(offset),
                day=day,
                due_at=due,
                stale_at=max(stale, due + timedelta(hours=1)),
                month=_in_base_unit(offset)[0] if offset.unit in ("mo", "y") else None,
            )
        )
    return slots


def _step(offset: Offset, every: Offset) -> Offset | None:
    """``offset`` + ``every`` when both count in the same base unit (months or days)."""
    (amount, unit), (step, step_unit) = _in_base_unit(offset), _in_base_unit(every)
    if unit != step_unit or step <= 0:
        return None
    return Offset.parse(f"{amount + step}{unit}")


def _repeats(
    after: Sequence[Offset], every: Offset | None, day_one: date, lo: date, hi: date
) -> list[Offset]:
    """The offsets ``after[0]`` + k × ``every`` (k ≥ 1) whose date from ``day_one`` is in
    [``lo``, ``hi``]; the first k is estimated from ``lo``, so a plan started years ago costs
    no more than one started last year."""
    if not after or every is None or _step(after[0], every) is None:
        return []
    (base, unit), (step, _) = _in_base_unit(after[0]), _in_base_unit(every)
    elapsed = (lo - day_one).days if unit == "d" else (lo - day_one).days * 12 // 366
    k = max(1, (elapsed - base) // step - 1)
    found: list[Offset] = []
    while True:
        offset = Offset.parse(f"{base + k * step}{unit}")
        day = offset.after(day_one)
        if day > hi:
            return found
        if day >= lo:
            found.append(offset)
        k += 1


def growth_rounds(rules: Rules, *, horizon: Offset = GROWTH_HORIZON) -> list[Offset]:
    """The offsets of the growth check-in rounds up to ``horizon``: the listed ones, then one
    every ``growth_every_after`` after the last (``3mo`` after ``12mo``: 15mo, 18mo, …).

    Calendar months and days do not add up, so the repeat counts in the last round's kind of
    unit: months (``mo``, ``y``) after a round in months, days (``d``, ``w``) after one in
    days; a repeat of the other kind adds no rounds (docs/configuration.md says so).
    """
    rounds = [r for r in rules.growth_rounds if r <= horizon]
    every = rules.growth_every_after
    if not rounds or every is None:
        return rounds
    last, step = _in_base_unit(rounds[-1]), _in_base_unit(every)
    if last[1] != step[1] or step[0] <= 0:
        return rounds
    amount = last[0] + step[0]
    while (following := Offset.parse(f"{amount}{last[1]}")) <= horizon:
        rounds.append(following)
        amount += step[0]
    return rounds


def cadence_problems(rules: Rules) -> list[str]:
    """What stops the calendar after the plan from repeating: a step that counts in other units
    than what it repeats from (``pulse_until: 365d`` with ``after_plan_pulse_every: 1mo`` would
    silently send no pulse after the plan, since a month is no fixed number of days)."""
    pairs = (
        ("pulse_until", rules.pulse_until, "after_plan_pulse_every", rules.after_plan_pulse_every),
        (
            "the last of growth_rounds",
            rules.growth_rounds[-1] if rules.growth_rounds else None,
            "growth_every_after",
            rules.growth_every_after,
        ),
    )
    problems = []
    for base_name, base, step_name, step in pairs:
        if base is None or step is None:
            continue
        base_unit, step_unit = _in_base_unit(base)[1], _in_base_unit(step)[1]
        if base_unit != step_unit:
            words = {"mo": "months or years (mo, y)", "d": "days or weeks (d, w)"}
            problems.append(
                f"{step_name} ({step}) counts in {words[step_unit]} but {base_name} ({base}) "
                f"in {words[base_unit]}; write both in the same kind of unit, e.g. 12mo and 1mo"
            )
    return problems


def _in_base_unit(offset: Offset) -> tuple[int, str]:
    """``1y`` → (12, "mo"), ``2w`` → (14, "d"): months or days."""
    per = {"d": (1, "d"), "w": (7, "d"), "mo": (1, "mo"), "y": (12, "mo")}[offset.unit]
    return offset.amount * per[0], per[1]


def growth_slots(
    *,
    rules: Rules,
    start: date,
    calendar: LocalCalendar,
    offsets: Sequence[Offset] | None = None,
) -> list[Slot]:
    """The hire's and the manager's slot of every growth round.

    A round is due on its anniversary (``offset`` after the plan's day 1) at the hire's send
    time, so it is queued that morning even on a weekend or a public holiday; like every rater
    DM it goes out in the recipient's own send window, so on such a day it is delivered the next
    working morning — the date a phase due at the same offset shows (:func:`effective_due`: the
    90-day round comes with the day-90 review), which is the round's ``day``. It stays open
    ``growth_round_closes_after_working_days`` working days from then, and a slot found after
    that is stale. Both raters' slots share the round's ref, so the keys are
    ``growth_self:{enrollment}:90d`` and ``growth_manager:{enrollment}:90d``. ``offsets``: these
    rounds instead of :func:`growth_rounds` (the ones after the plan, in a window).
    """
    slots: list[Slot] = []
    for offset in growth_rounds(rules) if offsets is None else offsets:
        day = effective_due(offset, start, calendar.holidays)
        due = calendar.send_at(offset.after(plan_day_one(start, calendar.holidays)))
        closes = calendar.send_at(
            calendar.add_working_days(day, rules.growth_round_closes_after_working_days)
        )
        slots += [
            Slot(kind=kind, ref=str(offset), day=day, due_at=due, stale_at=closes)
            for kind in (Kind.GROWTH_SELF, Kind.GROWTH_MANAGER)
        ]
    return slots


def _phase_slot(kind: Kind, phase: Phase, day: date, due_at: datetime, stale_at: datetime) -> Slot:
    """A heads-up or review of ``phase``: keyed by the phase's id (one per phase and kind)."""
    return Slot(
        kind=kind, ref=phase.id, day=day, due_at=due_at, stale_at=stale_at, phase_id=phase.id
    )


def live_slots(slots: Sequence[Slot], now: datetime) -> list[Slot]:
    """The slots worth sending at ``now``: due and not superseded (at most one per series)."""
    return [slot for slot in slots if slot.is_live(now)]


def digest_slot(*, calendar: LocalCalendar, now: datetime) -> Slot | None:
    """This week's digest for someone on ``calendar``, if due and not stale at ``now``.

    Digests go out on the first working day of the ISO week; a digest missed for a whole working
    day is skipped rather than sent late (next week's is on its way).
    """
    today = calendar.today(now)
    monday = today - timedelta(days=today.weekday())
    day = calendar.working_on_or_after(monday)
    if day.isocalendar()[:2] != monday.isocalendar()[:2]:
        return None  # a week of holidays: no digest
    due = calendar.send_at(day)
    stale = calendar.send_at(calendar.add_working_days(day, 1))
    year, week, _ = monday.isocalendar()
    slot = Slot(
        kind=Kind.MENTOR_DIGEST, ref=f"{year}-W{week:02d}", day=day, due_at=due, stale_at=stale
    )
    return slot if slot.is_live(now) else None


def after_working_days(*, calendar: LocalCalendar, since: datetime, count: int) -> datetime:
    """The send instant ``count`` working days after the local date of ``since``.

    Reminders, silence nudges and escalations are measured this way, so they land at the
    recipient's send time on a working day.
    """
    return calendar.send_at(calendar.add_working_days(calendar.today(since), count))
