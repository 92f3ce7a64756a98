"""Growth check-ins in the tick: when a round falls due, for whom, and the local-time rules.

The engine is the real one (app.yaml's growth cadence), posting through the real WebClient to
the sandbox on the test clock; the command-line test runs ``onramp tick --json`` as a checker
would, with the shipped app.yaml.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.domain.progress import Lifecycle
from bot.sandbox import SlackSandbox
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from tests.support.checkins import Rig
from tests.support.cli import invoke
from tests.support.enroll import enroll
from tests.support.growth_rounds import growth_rig, shipped_rules
from tests.support.people import HIRE, MANAGER, add_user

SAO_PAULO = "America/Sao_Paulo"
#: A hire starting Tue 3 Nov 2026 reaches 90 days on Mon 1 Feb 2027, the day-90 review's date;
#: 09:30 in São Paulo (UTC-3) is 12:30 UTC.
WEEKDAY_START = date(2026, 11, 3)
DAY_90 = "2027-02-01T12:30:00"


@pytest.fixture
def rig(onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock) -> Rig:
    """The engine with app.yaml's cadence, posting to the sandbox; the manager is in New York."""
    return growth_rig(onboarding, sandbox, clock)


def growth_rows(rig: Rig) -> dict[str, str]:
    """Growth outbox rows: key → state."""
    return {r.key: r.state for r in rig.rows() if r.kind.startswith("growth")}


def test_shipped_cadence_is_day_90_month_6_month_12_then_quarterly() -> None:
    """app.yaml asks for rounds at 90d, 6mo and 12mo, then every 3 months, open 10 working days;
    mentors are not asked unless a plan says so."""
    rules = shipped_rules()
    assert [str(r) for r in rules.growth_rounds] == ["90d", "6mo", "12mo"]
    assert str(rules.growth_every_after) == "3mo"
    assert rules.growth_round_closes_after_working_days == 10
    assert rules.growth_reminder_after_working_days == 3
    assert not rules.growth_mentor


def test_day_90_at_0930_in_the_hires_zone_queues_hire_and_manager(rig: Rig) -> None:
    """At day 90, 09:30 in São Paulo, one tick queues the hire's and the manager's growth DMs;
    the hire's goes out at once, the manager's waits for 09:30 in New York."""
    enroll(rig.onboarding, tz=SAO_PAULO, start=WEEKDAY_START, profile_in=rig.sandbox)
    rig.run("2027-02-01T12:29:00")
    assert growth_rows(rig) == {}  # a minute early: nothing yet
    report = rig.run(DAY_90)
    assert growth_rows(rig) == {"growth_self:1:90d": "sent", "growth_manager:1:90d": "pending"}
    assert [p.key for p in report.sent if p.kind.value.startswith("growth")] == [
        "growth_self:1:90d"
    ]
    [waiting] = [p for p in report.deferred if p.kind.value.startswith("growth")]
    assert waiting.recipient == MANAGER
    assert "America/New_York" in (waiting.reason or "")
    rig.run("2027-02-01T14:30:00")  # 09:30 in New York
    assert growth_rows(rig) == {"growth_self:1:90d": "sent", "growth_manager:1:90d": "sent"}
    assert rig.keys(MANAGER, "growth") == ["growth_manager:1:90d"]
    assert rig.keys(HIRE, "growth") == ["growth_self:1:90d"]
    rig.run("2027-02-01T14:31:00")
    assert len(rig.keys(prefix="growth")) == 2  # exactly once


def test_a_round_due_on_a_weekend_is_queued_then_and_sent_the_next_working_morning(
    rig: Rig,
) -> None:
    """A Monday start reaches 90 days on Sun 31 Jan: the tick at 09:30 that Sunday queues both
    DMs, each waiting for its recipient's Monday 09:30, when they go out, once each."""
    enroll(rig.onboarding, tz=SAO_PAULO, profile_in=rig.sandbox)  # Mon 2 Nov 2026
    report = rig.run("2027-01-31T12:30:00")  # Sunday, 09:30 in São Paulo
    assert growth_rows(rig) == {"growth_self:1:90d": "pending", "growth_manager:1:90d": "pending"}
    waiting = {p.recipient: p.reason or "" for p in report.deferred if p.kind.value[:6] == "growth"}
    assert waiting.keys() == {HIRE, MANAGER}
    assert "Mon 01 Feb 09:30" in waiting[HIRE]
    assert rig.keys(prefix="growth") == []
    rig.run(DAY_90)
    assert rig.keys(HIRE, "growth") == ["growth_self:1:90d"]
    assert rig.keys(MANAGER, "growth") == []
    rig.run("2027-02-01T14:30:00")  # 09:30 in New York
    assert rig.keys(MANAGER, "growth") == ["growth_manager:1:90d"]


def test_the_round_reaches_people_on_the_date_the_day_90_review_shows(rig: Rig) -> None:
    """A Friday start whose day 90 is Thanksgiving: the round is queued that morning and, like
    the review, reaches the hire on the Friday."""
    start = date(2027, 8, 27)  # a Friday; 90 days on is Thanksgiving, Thu 25 Nov 2027
    enroll(rig.onboarding, tz="America/Chicago", start=start, profile_in=rig.sandbox)
    rig.onboarding.set_holiday_country(actor=Actor.cli(), person=HIRE, country="US")
    [slot] = [
        s
        for s in rig.checkins.slots(
            plan_id="junior-llm-engineer", start=start, tz="America/Chicago", country="US"
        )
        if s.kind.value == "growth_self" and s.ref == "90d"
    ]
    review = next(
        p
        for p in rig.onboarding.progress(actor=Actor.cli(), hire=HIRE).summary.phases
        if p.id == "day-90"
    )
    assert slot.day == review.due == date(2027, 11, 26)
    rig.run("2027-11-25T15:30:00")  # Thanksgiving, 09:30 in Chicago: queued, not sent
    assert growth_rows(rig)["growth_self:1:90d"] == "pending"
    assert rig.keys(HIRE, "growth") == []
    rig.run("2027-11-26T15:30:00")
    assert growth_rows(rig)["growth_self:1:90d"] == "sent"


def test_after_downtime_a_late_round_waits_for_the_send_window_then_goes_once(rig: Rig) -> None:
    """Down over the due time: at 19:00 local the DM waits for the next 09:30, then goes once."""
    enroll(rig.onboarding, tz=SAO_PAULO, profile_in=rig.sandbox)
    rig.run("2027-02-03T22:00:00")  # Wed 19:00 in São Paulo: two days late, after hours
    assert growth_rows(rig)["growth_self:1:90d"] == "pending"
    assert rig.keys(HIRE, "growth") == []
    rig.run("2027-02-04T12:30:00")
    assert rig.keys(HIRE, "growth") == ["growth_self:1:90d"]


def test_a_round_found_after_it_closed_is_skipped_with_the_reason(rig: Rig) -> None:
    """Down for the whole round: nothing is sent, and the outbox says why."""
    enroll(rig.onboarding, tz=SAO_PAULO, profile_in=rig.sandbox)
    rig.run("2027-02-01T12:00:00")  # before the round
    rig.run("2027-02-16T12:30:00")  # ten working days on: the round has closed
    rows = {r.key: r for r in rig.rows() if r.kind.startswith("growth")}
    assert {k: r.state for k, r in rows.items()} == {
        "growth_self:1:90d": "skipped",
        "growth_manager:1:90d": "skipped",
    }
    assert "stale" in (rows["growth_self:1:90d"].reason or "")
    assert rig.keys(prefix="growth") == []


def test_a_paused_plan_gets_no_growth_check_in(rig: Rig) -> None:
    """A paused enrollment owes no round."""
    enroll(rig.onboarding, tz=SAO_PAULO, profile_in=rig.sandbox)
    rig.onboarding.change(actor=Actor.cli(), hire=HIRE, action=Lifecycle.PAUSE)
    rig.run(DAY_90)
    assert growth_rows(rig) == {}


def test_onramp_tick_json_at_day_90_shows_growth_for_hire_and_manager(
    database_url: str, sandbox: SlackSandbox
) -> None:
    """`onramp tick --json` at day 90, 09:30 in the hire's zone, lists growth check-ins for the
    hire (sent) and the manager (waiting for their 09:30); `--dry-run` lists both first."""
    add_user(sandbox, "U0SAO", SAO_PAULO)
    env = {**sandbox.env(), "DATABASE_URL": database_url}
    code, _, err = invoke(
        *("enroll", "U0SAO", "--plan", "junior-llm-engineer", "--start", "2026-11-03"),
        *("--manager", MANAGER),
        env=env,
    )
    assert code == 0, err
    now = DAY_90 + "Z"
    code, out, err = invoke("tick", "--now", now, "--dry-run", "--json", env=env)
    assert code == 0, err
    dry = {(p["kind"], p["recipient"]) for p in json.loads(out)["would_send"]}
    assert {("growth_self", "U0SAO"), ("growth_manager", MANAGER)} <= dry
    code, out, err = invoke("tick", "--now", now, "--json", env=env)
    assert code == 0, err
    report = json.loads(out)
    listed = {
        (p["kind"], p["recipient"], p["key"])
        for name in ("sent", "deferred")
        for p in report[name]
        if p["kind"].startswith("growth")
    }
    enrollment = "1"
    assert listed == {
        ("growth_self", "U0SAO", f"growth_self:{enrollment}:90d"),
        ("growth_manager", MANAGER, f"growth_manager:{enrollment}:90d"),
    }
