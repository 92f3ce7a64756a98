"""Plan offsets: parsing and calendar arithmetic."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.offsets import Offset


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("30d", date(2026, 11, 2), date(2026, 12, 2)),
        ("2w", date(2026, 11, 2), date(2026, 11, 16)),
        ("6mo", date(2026, 11, 2), date(2027, 5, 2)),
        ("1mo", date(2026, 1, 31), date(2026, 2, 28)),
        ("1mo", date(2028, 1, 31), date(2028, 2, 29)),
        ("12mo", date(2026, 11, 2), date(2027, 11, 2)),
        ("1y", date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_offsets_land_on_calendar_dates(text: str, start: date, expected: date) -> None:
    """Days and weeks add exactly; months and years keep the day, clamped to the month's end."""
    assert Offset.parse(text).after(start) == expected


@pytest.mark.parametrize("text", ["30", "d30", "6 months", "-3d", "1.5mo", ""])
def test_malformed_offsets_name_the_accepted_forms(text: str) -> None:
    """Anything but a whole number and a unit is refused with the forms that work."""
    with pytest.raises(ValueError, match="'30d'"):
        Offset.parse(text)


def test_offsets_order_by_length() -> None:
    """90 days sorts before 6 months, which sorts before 12 months."""
    assert Offset.parse("90d") < Offset.parse("6mo") < Offset.parse("12mo")


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    amount=st.integers(min_value=0, max_value=40),
    unit=st.sampled_from(["d", "w", "mo", "y"]),
)
def test_offsets_never_move_backwards(start: date, amount: int, unit: str) -> None:
    """An offset lands on or after its start, and a longer one never lands earlier."""
    shorter = Offset.parse(f"{amount}{unit}").after(start)
    longer = Offset.parse(f"{amount + 1}{unit}").after(start)
    assert start <= shorter < longer
