"""Set-based derivation: hires grouped by calendar, each group's rows written by the database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, event, text, update

from bot.domain.progress import Lifecycle
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from storage import outbox as repo
from storage.derive import calendar_groups
from storage.engine import Database, normalize_url
from storage.migrate import alembic_config, upgrade
from storage.models import Person
from tests.support.checkins import Rig, at, checkin_engine, outbox_rows
from tests.support.enroll import START, enroll, enroll_hires
from tests.support.people import HIRE


def calendars(db: Database) -> dict[str, tuple[str | None, str | None]]:
    """Hire user id → the (zone, holiday country) copied onto their enrollment."""
    statement = text(
        "SELECT person.user_id, enrollment.hire_tz, enrollment.hire_holiday_country "
        "FROM enrollment JOIN person ON person.id = enrollment.hire_id"
    )
    with db.read() as session:
        return {user: (tz, country) for user, tz, country in session.execute(statement).all()}


@contextmanager
def statements(db: Database, *starts: str) -> Iterator[list[str]]:
    """Collects the statements run while the block runs that begin with one of ``starts``."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(starts):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def keys_of(db: Database) -> set[str]:
    """Every outbox key."""
    return {row.key for row in outbox_rows(db)}


def test_enrollment_follows_its_hires_zone_and_holiday_country(
    onboarding: Onboarding, db: Database, clock: ManualClock
) -> None:
    """The copied calendar tracks the person row, however it is written."""
    enroll(onboarding, tz="America/New_York")
    assert calendars(db)[HIRE] == ("America/New_York", None)
    with db.transaction() as session:
        repo.touch_person(
            session=session, user_id=HIRE, tz="Asia/Tokyo", display_name=None, now=clock.now()
        )
    assert calendars(db)[HIRE] == ("Asia/Tokyo", None)
    onboarding.set_holiday_country(actor=Actor.cli(), country="JP", person=HIRE)
    assert calendars(db)[HIRE] == ("Asia/Tokyo", "JP")
    with db.transaction() as session:  # an operator's SQL, past every service
        session.execute(update(Person).where(Person.user_id == HIRE).values(tz="Europe/Oslo"))
    assert calendars(db)[HIRE] == ("Europe/Oslo", "JP")


def test_a_new_enrollment_copies_a_calendar_set_before_it(
    onboarding: Onboarding, db: Database
) -> None:
    """Re-enrolling someone whose zone and country are known starts with both copied."""
    enroll(onboarding, tz="Europe/Berlin")
    onboarding.set_holiday_country(actor=Actor.cli(), country="DE-BY", person=HIRE)
    onboarding.change(actor=Actor.cli(), hire=HIRE, action=Lifecycle.WITHDRAW)
    enroll(onboarding, start=date(2026, 12, 1))
    with db.read() as session:
        latest = session.execute(
            text("SELECT hire_tz, hire_holiday_country FROM enrollment ORDER BY id DESC")
        ).first()
    assert tuple(latest or ()) == ("Europe/Berlin", "DE-BY")


def test_an_unchanged_calendar_is_not_written_again(rig: Rig) -> None:
    """A tick with nothing newly due and no one new writes nothing to the outbox."""
    db = rig.db
    enroll_hires(rig.onboarding, range(3))
    rig.checkins.enqueue(now=at("2026-11-02T09:31:00"))
    before = keys_of(db)
    assert {k for k in before if k.startswith("welcome:")} == {
        "welcome:1:start",
        "welcome:2:start",
        "welcome:3:start",
    }
    with statements(db, "INSERT INTO OUTBOX", "UPDATE OUTBOX") as writes:
        rig.checkins.enqueue(now=at("2026-11-02T09:32:00"))
    assert writes == []
    assert keys_of(db) == before


def test_a_hire_joining_a_written_calendar_gets_their_rows_next_tick(rig: Rig) -> None:
    """A group that grows is written again, and only the newcomer's rows are new."""
    enroll_hires(rig.onboarding, range(1))
    rig.checkins.enqueue(now=at("2026-11-02T09:31:00"))
    before = keys_of(rig.db)
    [newcomer] = enroll_hires(rig.onboarding, range(1, 2))
    rig.checkins.enqueue(now=at("2026-11-02T09:32:00"))
    added = keys_of(rig.db) - before
    assert added
    assert all(f":{newcomer.enrollment_id}:" in key for key in added)


def test_a_hire_moving_zone_is_written_in_the_new_zone(rig: Rig) -> None:
    """A zone change moves the hire to another group, due at the new zone's send time."""
    enroll_hires(rig.onboarding, range(2))
    rig.checkins.enqueue(now=at("2026-11-02T00:01:00"))  # nothing due yet anywhere
    with rig.db.transaction() as session:
        repo.touch_person(
            session=session,
            user_id="U0HIRE1",
            tz="Asia/Tokyo",
            display_name=None,
            now=rig.clock.now(),
        )
    rig.checkins.enqueue(now=at("2026-11-02T00:31:00"))  # 09:31 in Tokyo, 00:31 in UTC
    welcomes = {r.key: r.due_at for r in rig.rows(kinds=["welcome"])}
    assert list(welcomes) == ["welcome:2:start"]
    assert welcomes["welcome:2:start"] == at("2026-11-02T00:30:00")


def test_a_restarted_process_writes_nothing_twice(rig: Rig) -> None:
    """A new engine remembers nothing, writes every group once more and adds no row."""
    enroll_hires(rig.onboarding, range(4))
    rig.checkins.enqueue(now=at("2026-11-10T09:31:00"))
    before = [(r.key, r.due_at, r.state) for r in rig.rows()]
    restarted = checkin_engine(rig.onboarding, rig.checkins.messenger)
    report = restarted.enqueue(now=at("2026-11-10T09:32:00"))
    assert report.queued == 0
    assert report.skipped == []
    assert [(r.key, r.due_at, r.state) for r in rig.rows()] == before


def test_a_dry_run_lists_exactly_what_the_tick_then_writes(rig: Rig) -> None:
    """Over several zones, start dates and a digest morning, preview and write agree."""
    zones = ["UTC", "Asia/Tokyo", "America/New_York", "Europe/Berlin"]
    for index, tz in enumerate(zones * 2):
        start = START - timedelta(days=7 * index)
        rig.enroll(hire=f"U0HIRE{index}", start=start, tz=tz, mentors=())
    work = rig.checkins.calendar_work
    for when in ("2026-11-09T14:31:00", "2026-11-16T09:31:00", "2026-11-23T23:59:00"):
        now = at(when)
        planned = work.preview(now=now, checked_only=True, zones={}, checked=())
        before = keys_of(rig.db)
        work.enqueue(now=now, checked_only=True)
        assert sorted(w.key for w in planned) == sorted(keys_of(rig.db) - before)
        assert planned  # every moment above owes something to someone
    assert work.preview(now=now, checked_only=True, zones={}, checked=()) == []


def test_enrollments_are_read_from_the_calendar_index_alone(db: Database) -> None:
    """The grouping query never reads the person table (SQLite's plan names one index)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by table statistics")

    with statements(db, "SELECT") as captured, db.read() as session:
        calendar_groups(
            session=session,
            started_from=date(2025, 1, 1),
            started_to=date(2027, 1, 1),
            checked_only=False,
        )
    (statement,) = captured
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        params = ("active", "2025-01-01", "2027-01-01")
        plan = [str(row[-1]) for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
    assert plan == [
        "SEARCH enrollment USING COVERING INDEX ix_enrollment_calendar "
        "(status=? AND start_date>? AND start_date<?)"
    ]
    assert "person" not in statement.lower()


def test_the_report_counts_exactly_the_rows_queued(rig: Rig) -> None:
    """Batched writes still report how many rows they queued (psycopg sums the batch)."""
    zones = ["UTC", "Asia/Tokyo", "America/New_York"]
    for index, tz in enumerate(zones * 3):
        start = START - timedelta(days=index)
        rig.enroll(hire=f"U0HIRE{index}", start=start, tz=tz, mentors=())
    for when in ("2026-11-09T00:31:00", "2026-11-09T09:31:00", "2026-11-09T14:31:00"):
        before = keys_of(rig.db)
        report = rig.checkins.enqueue(now=at(when))
        new = keys_of(rig.db) - before
        assert report.queued + len(report.skipped) == len(new)
        assert new


def test_a_group_with_other_members_of_the_same_count_is_written(rig: Rig) -> None:
    """{1, 4} then {2, 3}: same count, same sum of ids, yet the newcomers get their rows."""
    enroll_hires(rig.onboarding, range(1, 5))

    def change(action: Lifecycle, *hires: str) -> None:
        for hire in hires:
            rig.onboarding.change(actor=Actor.cli(), hire=hire, action=action)

    def welcomes() -> set[str]:
        return {r.key for r in rig.rows(kinds=["welcome"])}

    change(Lifecycle.PAUSE, "U0HIRE2", "U0HIRE3")
    rig.checkins.enqueue(now=at("2026-11-02T09:31:00"))
    assert welcomes() == {"welcome:1:start", "welcome:4:start"}
    change(Lifecycle.PAUSE, "U0HIRE1", "U0HIRE4")
    change(Lifecycle.RESUME, "U0HIRE2", "U0HIRE3")
    rig.checkins.enqueue(now=at("2026-11-02T09:32:00"))
    assert {"welcome:2:start", "welcome:3:start"} <= welcomes()


def age_profiles(db: Database) -> None:
    """Everyone's Slack profile was read a month ago (the tick reads them again)."""
    with db.transaction() as session:
        session.execute(
            update(Person).values(
                profile_checked_at=at("2026-10-01T00:00:00"), updated_at=at("2026-10-01T00:00:00")
            )
        )


def _hire_and_other_in_utc_read_a_month_ago(rig: Rig) -> None:
    """The hire (New York in Slack) and U0OTHER (UTC in Slack, keeping UTC's group) enrolled
    stored in UTC, their profiles last read a month ago."""
    rig.enroll(start=START, tz="UTC", mentors=())
    rig.enroll(hire="U0OTHER", start=START, tz="UTC", mentors=())
    age_profiles(rig.db)


def test_a_dry_run_shows_a_refreshed_hire_once_in_their_new_zone(rig: Rig) -> None:
    """Stored UTC, Slack says New York: listed once, at New York's send time."""
    _hire_and_other_in_utc_read_a_month_ago(rig)
    now = rig.set_clock("2026-11-02T14:31:00")  # 09:31 in New York; both owe the welcome
    dry = rig.checkins.tick(now, dry_run=True)
    listed = [p for p in dry.would_send if p.key == "welcome:1:start"]
    assert [p.due_at for p in listed] == [at("2026-11-02T14:30:00")]


def test_a_dry_run_matches_the_tick_for_a_refreshed_hire(rig: Rig) -> None:
    """At 09:31 UTC only the hire staying in UTC is due, in the dry run and in the tick."""
    _hire_and_other_in_utc_read_a_month_ago(rig)
    rig.set_clock("2026-11-02T09:31:00")
    dry = rig.checkins.tick(rig.clock.now(), dry_run=True)
    planned = {p.key for p in dry.would_send + dry.skipped + dry.deferred}
    before = keys_of(rig.db)
    zones = rig.checkins.refresh_profiles(now=rig.clock.now())
    rig.checkins.enqueue(now=rig.clock.now(), zones=zones)
    assert planned == keys_of(rig.db) - before == {"welcome:2:start"}


def test_downgrade_and_upgrade_keep_data_and_the_copy(onboarding: Onboarding, db: Database) -> None:
    """0004 undone and redone on a database with enrollments: the copy comes back exact."""
    enroll(onboarding, tz="Europe/Berlin")
    command.downgrade(alembic_config(db), "0003")
    upgrade(db)
    assert calendars(db)[HIRE] == ("Europe/Berlin", None)
    onboarding.set_holiday_country(actor=Actor.cli(), country="DE", person=HIRE)
    assert calendars(db)[HIRE] == ("Europe/Berlin", "DE")


def test_postgresql_triggers_work_from_a_session_outside_the_schema(
    onboarding: Onboarding, db: Database
) -> None:
    """An operator's psql session (default search_path) updating person keeps the copy."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("search_path is PostgreSQL's")
    enroll(onboarding, tz="UTC")
    with db.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    operator = create_engine(normalize_url(os.environ["ONRAMP_TEST_DATABASE_URL"]))
    try:
        with operator.begin() as conn:
            conn.execute(
                text(f'UPDATE "{schema}".person SET tz = :tz WHERE user_id = :user'),  # noqa: S608 - schema from current_schema()
                {"tz": "Asia/Tokyo", "user": HIRE},
            )
    finally:
        operator.dispose()
    assert calendars(db)[HIRE] == ("Asia/Tokyo", None)
