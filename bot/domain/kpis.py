"""KPIs per hire, the pure parts: which KPI a typed reference names, a reading's number, the
period a reading is for, and the direction of the last two readings.

A period is written the way people say it: a day ``2027-03-14``, an ISO week ``2027-W11``, a
month ``2027-03`` or a quarter ``2027-Q1``, in the years 2000–2100. How long a KPI's period is
(:func:`period_kind`) follows its target when the target names a unit ("4–10 PRs/month" is read
monthly), else the coarser word of its frequency ("Weekly/Monthly" is monthly): the default
period, the reminder and the judging against the target all use it.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.errors import InvalidInput
from bot.domain.plan import Kpi

#: How many KPIs a manager picks for one hire (design §12: signals, few of them).
MIN_KPIS, MAX_KPIS = 3, 6

# "1,200" (thousands with commas) before a plain "4.5", so the comma is not read as a split.
_NUMBER = re.compile(r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+−]?\.\d+")
_ASIDE = re.compile(r"\(([^)]*)\)")
_SHOWN = re.compile(r"[^\w %.,/+-]")  # what of a refused value is echoed (no mentions, no links)


class PeriodKind(StrEnum):
    """How long one reading's period is."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


_FREQUENCY_WORDS = {
    "daily": PeriodKind.DAY,
    "weekly": PeriodKind.WEEK,
    "monthly": PeriodKind.MONTH,
    "quarterly": PeriodKind.QUARTER,
}
_PERIODS = (
    (PeriodKind.DAY, re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    (PeriodKind.WEEK, re.compile(r"^(\d{4})-W(\d{2})$")),
    (PeriodKind.MONTH, re.compile(r"^(\d{4})-(\d{2})$")),
    (PeriodKind.QUARTER, re.compile(r"^(\d{4})-Q([1-4])$")),
)
PERIOD_FORMATS = "2027-03-14 (a day), 2027-W11 (an ISO week), 2027-03 (a month) or 2027-Q1"
#: The years a period may fall in: beyond them a date overflows, and no reading is for them.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_ORDER = (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER)
#: How a target names the period its number is per: "PRs/month", "per week", "each day", "QoQ".
_UNIT_WORDS = {"day": PeriodKind.DAY, "week": PeriodKind.WEEK, "month": PeriodKind.MONTH}
_UNIT_WORDS |= {"quarter": PeriodKind.QUARTER, "wow": PeriodKind.WEEK, "mom": PeriodKind.MONTH}
_UNIT_WORDS |= {"qoq": PeriodKind.QUARTER}
_TARGET_UNIT = re.compile(
    r"(?:/\s*|\b(?:per|each|every)[\s-]+)(day|week|month|quarter)s?\b|\b(wow|mom|qoq)\b",
    re.IGNORECASE,
)


def frequency_kind(frequency: str) -> PeriodKind:
    """The period kind of a KPI's frequency: the coarsest word of it ("Daily/Weekly" is weekly,
    "Weekly/Monthly" monthly, "Monthly/Quarterly" quarterly); a frequency the blueprint words
    otherwise is read as monthly."""
    words = re.findall(r"[a-z]+", frequency.lower())
    named = [_FREQUENCY_WORDS[w] for w in words if w in _FREQUENCY_WORDS]
    return max(named, key=_ORDER.index) if named else PeriodKind.MONTH


def target_unit(target: str) -> PeriodKind | None:
    """The period a KPI's target counts per, when it names one ("4–10 PRs/month" → month,
    "+2–5 points QoQ" → quarter); ``None`` otherwise ("Median 3–7 business days")."""
    found = _TARGET_UNIT.search(target)
    if found is None:
        return None
    return _UNIT_WORDS[(found.group(1) or found.group(2)).lower()]


def period_kind(frequency: str, target: str) -> PeriodKind:
    """How long one reading's period is for a KPI: the unit its target names, so a reading is
    for the period the target counts per; else :func:`frequency_kind`. The one rule behind the
    default period, the reminder and judging a reading against the target."""
    unit = target_unit(target)
    return frequency_kind(frequency) if unit is None else unit


@dataclass(frozen=True, order=True)
class Period:
    """One period: its first and last day, and how it is written."""

    start: date
    end: date
    kind: PeriodKind
    label: str

    def next(self) -> Period:
        """The period of the same kind that follows this one."""
        return period_of(self.kind, self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same kind before this one."""
        return period_of(self.kind, self.start - timedelta(days=1))


def period_of(kind: PeriodKind, day: date) -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    if kind is PeriodKind.DAY:
        return Period(day, day, kind, day.isoformat())
    if kind is PeriodKind.WEEK:
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return Period(start, start + timedelta(days=6), kind, f"{year}-W{week:02d}")
    if kind is PeriodKind.MONTH:
        start = day.replace(day=1)
        following = (
            date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
        )
        return Period(start, following - timedelta(days=1), kind, f"{day:%Y-%m}")
    quarter = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * quarter - 2, 1)
    following = date(day.year + 1, 1, 1) if quarter == 4 else date(day.year, 3 * quarter + 1, 1)
    return Period(start, following - timedelta(days=1), kind, f"{day.year}-Q{quarter}")


def parse_period(text: str) -> Period:
    """The period ``text`` writes, in one of :data:`PERIOD_FORMATS`; refused otherwise."""
    clean = text.strip().upper()
    for kind, pattern in _PERIODS:
        match = pattern.match(clean)
        if match is None:
            continue
        numbers = [int(g) for g in match.groups()]
        if not FIRST_YEAR <= numbers[0] <= LAST_YEAR:
            shown = _SHOWN.sub("", text)[:40]
            raise InvalidInput(
                f"'{shown}' is outside the years a reading can be for ({FIRST_YEAR}–{LAST_YEAR})."
            )
        try:
            if kind is PeriodKind.DAY:
                return period_of(kind, date(*numbers))
            if kind is PeriodKind.WEEK:
                return period_of(kind, date.fromisocalendar(numbers[0], numbers[1], 1))
            if kind is PeriodKind.MONTH:
                return period_of(kind, date(numbers[0], numbers[1], 1))
            return period_of(kind, date(numbers[0], 3 * numbers[1] - 2, 1))
        except (ValueError, OverflowError):
            break
    shown = _SHOWN.sub("", text)[:40]
    raise InvalidInput(f"'{shown}' is not a period; write it as {PERIOD_FORMATS}.")


def parse_value(text: str) -> float:
    """The one number in a reading as typed: "62%", "4.5", "1,200", "3 days"; refused when
    there is no number, or more than one (say "4–10" in the note instead)."""
    found = _NUMBER.findall(text)
    shown = _SHOWN.sub("", text)[:40]
    if not found:
        raise InvalidInput(
            f"'{shown}' has no number in it; a reading is one number, e.g. 62%, 4.5, 1,200 or "
            "3 days (put the rest in the note)."
        )
    if len(found) > 1:
        raise InvalidInput(
            f"'{shown}' has more than one number; a reading is one number, e.g. 62% (put a "
            "range or a ratio in the note)."
        )
    value = float(found[0].replace(",", "").replace("−", "-"))
    if not math.isfinite(value):  # pragma: no cover - the pattern only matches digits
        raise InvalidInput(f"'{shown}' is not a number a reading can hold.")
    return value


def resolve(ref: str, kpis: Sequence[Kpi], *, plan: str) -> Kpi:
    """The KPI of ``kpis`` that ``ref`` names: its id, its name or what its name says in
    brackets ("TSR"), in any case, or an unambiguous start of the id or the name; refused with
    the closest ones otherwise."""
    typed = " ".join(ref.split()).lower()
    key = typed.replace(" ", "-")
    if not typed:
        raise InvalidInput(f"Name a KPI of {plan} by its id or name.")
    exact = [k for k in kpis if key == k.id or typed == k.name.lower()]
    if exact:
        return exact[0]
    started = [k for k in kpis if typed in _asides(k)] or [
        k for k in kpis if k.id.startswith(key) or k.name.lower().startswith(typed)
    ]
    if len(started) == 1:
        return started[0]
    shown = _SHOWN.sub("", ref)[:60]
    if started:
        names = ", ".join(k.id for k in started[:6])
        raise InvalidInput(f"'{shown}' could be more than one KPI of {plan}: {names}.")
    close = difflib.get_close_matches(key, [k.id for k in kpis], n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise InvalidInput(
        f"There is no KPI '{shown}' in {plan}.{hint} `onramp plans show {plan}` lists them."
    )


def _asides(kpi: Kpi) -> list[str]:
    """What the KPI's name says in brackets, lower-case: "Task success rate (TSR)" → tsr."""
    return [" ".join(a.split()).lower() for a in _ASIDE.findall(kpi.name)]


class Trend(StrEnum):
    """Which way the last two readings went (not whether that is good: for cycle time, down is)."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"
    NONE = "none"  # fewer than two readings


def trend(values: Sequence[float]) -> Trend:
    """The direction from the second-to-last of ``values`` (oldest first) to the last."""
    if len(values) < 2:
        return Trend.NONE
    before, last = values[-2], values[-1]
    if math.isclose(before, last, rel_tol=1e-9, abs_tol=1e-12):
        return Trend.FLAT
    return Trend.UP if last > before else Trend.DOWN


def count_problem(count: int) -> str | None:
    """Why ``count`` KPIs is not a selection, or ``None`` when it is."""
    if count < MIN_KPIS:
        return (
            f"Pick at least {MIN_KPIS} KPIs ({count} given): a few signals together say more "
            "than one."
        )
    if count > MAX_KPIS:
        return (
            f"Pick at most {MAX_KPIS} KPIs ({count} given): more than that is noise in a 1:1; "
            "keep the ones that fit this hire's work now."
        )
    return None
