"""Reading a numeric range or limit out of a blueprint KPI's target text, when it has one.

"60–80% of top intents" is 60..80; "<2%" is below 2; ">98–99% for stable tools" is at least 98;
"Median 3–7 business days" is 3..7; "≥4/5 average" is at least 4. A target with no number
("Increasing trend", "target set per product") or only an example ("p95 within product SLA
(e.g., <5–8s)") has no bound: a reading is then shown beside the quoted target, never judged.

:func:`judge` is the one rule for whether a reading is on target, wherever it is shown (the
review packet, the 1:1 prep): a reading for a period other than the one the target counts per
(a week's 2 PRs against "4–10 PRs/month") is not judged either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.errors import InvalidInput
from bot.domain.kpis import parse_period, target_unit

_NUM = r"(\d+(?:\.\d+)?)"
_DASH = r"\s*[–—-]\s*"
_RANGE = re.compile(rf"(?<![\d.]){_NUM}\s*%?{_DASH}{_NUM}")
_LIMIT = re.compile(rf"(<=|>=|≤|≥|<|>){_NUM}(?:{_DASH}{_NUM})?")
#: Words that make a number an illustration or a change, not a bound on a reading.
_NOT_A_BOUND = re.compile(r"e\.g\.|for example|\bqoq\b|\bpoints\b|reduce|improve", re.IGNORECASE)


@dataclass(frozen=True)
class Bound:
    """Where a reading is on target: at least ``low`` and at most ``high`` (either may be open)."""

    low: float | None = None
    high: float | None = None

    def holds(self, value: float) -> bool:
        """Whether ``value`` is on target."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def parse_target(text: str) -> Bound | None:
    """The bound ``text`` states, or ``None`` when no numeric range or limit can be read."""
    if _NOT_A_BOUND.search(text):
        return None
    limit = _LIMIT.search(text)
    if limit:
        sign, first, second = limit.group(1), float(limit.group(2)), limit.group(3)
        if sign in ("<", "<=", "≤"):
            # "<0.5–1%": the looser end is the limit.
            return Bound(high=float(second) if second else first)
        return Bound(low=first)
    found = _RANGE.search(text)
    if found:
        low, high = float(found.group(1)), float(found.group(2))
        return Bound(low=min(low, high), high=max(low, high))
    return None


@dataclass(frozen=True)
class Judgement:
    """A reading against its KPI's target: ``on_target`` is ``None`` when it is not judged, and
    ``said`` how to show that ("on target", "⚑ off target", "not judged (…)"; empty when the
    target states no bound, so there is nothing to judge against)."""

    on_target: bool | None
    said: str


def judge(target: str, period: str, value: float) -> Judgement:
    """Whether ``value``, read for ``period``, is within the bound ``target`` states: only when
    it states one, and only when the period is as long as the one the target counts per (when
    it names one)."""
    bound = parse_target(target)
    if bound is None:
        return Judgement(None, "")
    unit = target_unit(target)
    if unit is not None:
        try:
            kind = parse_period(period).kind
        except InvalidInput:
            return Judgement(None, f"not judged: {period!r} is not a period")
        if kind is not unit:
            return Judgement(
                None, f"not judged: a {kind.value}'s reading, the target is per {unit.value}"
            )
    held = bound.holds(value)
    return Judgement(held, "on target" if held else "⚑ off target")
