"""Calendar offsets written in plan files: ``30d``, ``2w``, ``6mo``, ``1y``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_OFFSET = re.compile(r"^\s*(\d+)\s*(d|w|mo|y)\s*$")
_UNIT_NAMES = {"d": "day", "w": "week", "mo": "month", "y": "year"}


@dataclass(frozen=True, order=True)
class Offset:
    """A distance from an enrollment's start date, in days, weeks, months or years."""

    # Ordering compares approximate days first so that 6mo sorts after 90d.
    approx_days: int
    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Offset:
        """Parse ``30d``, ``2w``, ``6mo`` or ``1y``; raise ``ValueError`` naming the forms."""
        match = _OFFSET.match(str(text))
        if not match:
            raise ValueError(
                f"{text!r} is not an offset; write a whole number and a unit: "
                "'30d' (days), '2w' (weeks), '6mo' (months) or '1y' (years)"
            )
        amount, unit = int(match.group(1)), match.group(2)
        per_unit = {"d": 1, "w": 7, "mo": 30, "y": 365}[unit]
        return cls(approx_days=amount * per_unit, amount=amount, unit=unit)

    def after(self, start: date) -> date:
        """The calendar date this offset lands on, counted from ``start``.

        Months and years keep the day of the month, clamped to the month's last day
        (31 January + 1mo is 28 or 29 February).
        """
        if self.unit == "d":
            return start + timedelta(days=self.amount)
        if self.unit == "w":
            return start + timedelta(weeks=self.amount)
        months = self.amount if self.unit == "mo" else self.amount * 12
        month_index = start.month - 1 + months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def describe(self) -> str:
        """Human wording: ``30 days``, ``6 months``."""
        name = _UNIT_NAMES[self.unit]
        return f"{self.amount} {name}{'' if self.amount == 1 else 's'}"
