"""`onramp enroll` and `onramp progress` show the dates the check-ins use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from tests.test_cli import run


@pytest.fixture(autouse=True)
def _tuesday_10_november() -> Iterator[None]:
    """Every command here runs on Tue 10 Nov 2026, before the plans below start."""
    with time_machine.travel(datetime(2026, 11, 10, 15, 0, tzinfo=UTC), tick=False):
        yield


def test_progress_shows_due_dates_off_holidays_and_no_day_before_day_one(
    database_url: str,
) -> None:
    """A US-holiday hire from Wed 2 Dec: the day-30 phase is due 2027-01-04 (not New Year's
    Day) in the text and the JSON; before day 1 the text says when it starts and the JSON has
    no day number."""
    code, _, err = run(
        database_url,
        *("enroll", "UHIRE", "--plan", "junior-llm-engineer"),
        *("--start", "2026-12-02", "--manager", "UBOSS"),
    )
    assert code == 0, err
    assert run(database_url, *("people", "set", "UHIRE", "--holiday-country", "US"))[0] == 0
    code, out, _ = run(database_url, "progress", "UHIRE", "--json")
    report = json.loads(out)
    assert (report["day"], report["day_one"]) == (None, "2026-12-02")
    assert report["phases"][0]["due"] == "2027-01-04"
    code, out, _ = run(database_url, "progress", "UHIRE")
    assert "due 2027-01-04" in out
    assert "Not started: starts Wed 2 Dec" in out
    assert "day -" not in out
    assert "% done" not in out


def test_enrolling_on_a_saturday_says_when_day_one_is(database_url: str) -> None:
    """`enroll --start <a Saturday>` says day 1 is the Monday; progress counts from it."""
    code, out, _ = run(
        database_url,
        *("enroll", "UHIRE", "--plan", "junior-llm-engineer"),
        *("--start", "2026-12-05", "--manager", "UBOSS"),
    )
    assert code == 0
    assert "Sat 5 Dec is a Saturday, so day 1 is Mon 7 Dec" in out
    code, out, _ = run(database_url, "progress", "UHIRE", "--as-of", "2026-12-09", "--json")
    assert (json.loads(out)["day"], json.loads(out)["day_one"]) == (3, "2026-12-07")
