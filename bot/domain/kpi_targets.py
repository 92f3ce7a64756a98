"""Reading a numeric range or limit out of a blueprint KPI's target text, when it has one.

"60–80% of top intents" is 60..80; "<2%" is below 2; ">98–99% for stable tools" is at least 98;
"Median 3–7 business days" is 3..7; "≥4/5 average" is at least 4. A target with no number
("Increasing trend", "target set per product") or only an example ("p95 within product SLA
(e.g., <5–8s)") has no bound: a reading is then shown beside the quoted target, never judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
