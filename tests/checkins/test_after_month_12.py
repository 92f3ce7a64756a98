"""Life after month 12: an active enrollment goes on with a monthly pulse and quarterly growth
rounds until a manager completes it or moves the hire; the tick computes them in a window."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bot.domain.plan import Plan
from bot.domain.schedule import (
    AFTER_PLAN_WINDOW,
    Kind,
    LocalCalendar,
    after_plan_slots,
    hire_calendar,
    zone,
)
from bot.sandbox import SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from tests.conftest import PLANS_DIR
from tests.slack.conftest import shown
from tests.support.checkins import Rig, RunningApp, app_rules
from tests.support.cli import invoke
from tests.support.people import HIRE, MANAGER, MENTOR, PLAN

NEW_YORK = LocalCalendar(zone=zone("America/New_York"), send_time=datetime.min.time())
GROWTH = {"growth_rounds": ["90d", "6mo", "12mo"], "growth_every_after": "3mo"}
START = date(2026, 11, 2)


@pytest.fixture(scope="module")
def plan(catalog: PlanCatalog) -> Plan:
    """The shipped plan."""
    return catalog.get(PLAN).plan


@pytest.mark.parametrize("years", [2, 3, 10])
def test_after_plan_slots_are_a_window_around_the_day(years: int) -> None:
    """Around any day after the plan, only that window's monthly pulses and quarterly rounds."""
    around = START + timedelta(days=365 * years + 40)
    slots = after_plan_slots(
        rules=app_rules(**GROWTH), start=START, calendar=NEW_YORK, around=around
    )
    assert slots
    assert all(abs(s.day - around) <= AFTER_PLAN_WINDOW + timedelta(days=4) for s in slots)
    pulses = [s for s in slots if s.kind is Kind.PULSE]
    rounds = {s.ref for s in slots if s.kind.growth_rater}
    assert 5 <= len(pulses) <= 9  # about eight months of monthly pulses, round months excepted
    assert all(s.ref.endswith("mo") and int(s.ref[:-2]) > 12 for s in pulses)
    assert all(int(r[:-2]) % 3 == 0 and int(r[:-2]) > 24 for r in rounds)
    assert not {s.day for s in pulses} & {s.day for s in slots if s.kind.growth_rater}


def test_pulses_follow_the_plan_monthly_and_each_is_stale_when_the_next_is_due(
    plan: Plan,
) -> None:
    """After pulse_until the pulses are monthly from 13mo, none on a round's day (15mo, 18mo)."""
    slots = hire_calendar(
        rules=app_rules(**GROWTH),
        phases=plan.phases,
        start=START,
        calendar=NEW_YORK,
        around=date(2028, 1, 15),
    )
    after = [s for s in slots if s.kind is Kind.PULSE and s.ref.endswith("mo")]
    assert [s.ref for s in after] == ["13mo", "14mo", "16mo", "17mo"]
    assert after[0].day == date(2027, 12, 2)
    assert after[0].stale_at == after[1].due_at
    plan_only = hire_calendar(
        rules=app_rules(**GROWTH), phases=plan.phases, start=START, calendar=NEW_YORK
    )
    assert not [s for s in plan_only if s.kind is Kind.PULSE and s.ref.endswith("mo")]


def test_no_after_plan_pulse_when_switched_off() -> None:
    """``after_plan_pulse_every: null`` sends no pulse after the plan (growth rounds go on)."""
    slots = after_plan_slots(
        rules=app_rules(after_plan_pulse_every=None, **GROWTH),
        start=START,
        calendar=NEW_YORK,
        around=date(2030, 6, 1),
    )
    assert slots
    assert all(s.kind.growth_rater for s in slots)


def test_a_hire_three_years_in_gets_the_monthly_pulse(rig: Rig) -> None:
    """The tick reaches an enrollment started three years ago: its 36mo and 37mo pulses, each
    a monthly check-in asking about the month."""
    enrollment = rig.enroll(start=date(2023, 11, 1), tz="America/New_York").enrollment_id
    rig.run("2026-11-02T16:00:00")  # 36mo after day one fell on a Sunday: Monday 09:30
    rig.run("2026-12-01T16:00:00")  # 37mo
    keys = rig.keys(HIRE, prefix="pulse:")
    assert keys == [f"pulse:{enrollment}:36mo", f"pulse:{enrollment}:37mo"]
    assert rig.sent(HIRE, "pulse:")[-1].text.startswith(
        "Monthly check-in · month 37: How do you feel about this month?"
    )


@pytest.mark.parametrize(
    ("months", "instant"),
    [(13, datetime(2027, 12, 2, 16, tzinfo=UTC)), (14, datetime(2028, 1, 3, 16, tzinfo=UTC))],
)
def test_must_show_a_hire_enrolled_13_months_ago_still_gets_check_ins(
    database_url: str, sandbox: SlackSandbox, clock: ManualClock, months: int, instant: datetime
) -> None:
    """`onramp enroll` 13 months back, then `onramp tick --json` lists their pulse; once the
    manager completes the plan (`onramp complete`), the next month's tick has nothing for them."""
    env = {**sandbox.env(), "DATABASE_URL": database_url}
    # 13mo (14mo, a Sunday: the Monday) after day one, 11:00 in New York: that month's pulse.
    clock.set(instant)
    with time_machine.travel(clock.now(), tick=False):
        code, _, err = invoke(
            *("enroll", HIRE, "--plan", PLAN, "--start", START.isoformat()),
            *("--manager", MANAGER, "--mentor", MENTOR),
            env=env,
        )
        assert code == 0, err
        code, out, err = invoke("tick", "--json", env=env)
    assert code == 0, err
    sent = json.loads(out)["sent"]
    assert [r["key"].rsplit(":", 1)[1] for r in sent if r["kind"] == "pulse"] == [f"{months}mo"]
    with time_machine.travel(clock.now(), tick=False):
        code, _, err = invoke("complete", HIRE, env=env)
    assert code == 0, err
    clock.advance(timedelta(days=31))  # the next month's pulse (or the 15mo round) was due
    while clock.now().weekday() >= 5:
        clock.advance(timedelta(days=1))
    with time_machine.travel(clock.now(), tick=False):
        code, out, err = invoke("tick", "--json", env=env)
    assert code == 0, err
    assert [r for r in json.loads(out)["sent"] if r["recipient"] == HIRE] == []


@pytest.mark.parametrize(
    ("today", "later"),
    [
        (
            datetime(2027, 12, 2, 16, tzinfo=UTC),
            {"month-18": "2028-05-02", "month-24": "2028-11-02"},
        ),
        (datetime(2027, 6, 2, 16, tzinfo=UTC), None),
    ],
)
def test_progress_shows_the_later_phases_once_past_the_plan(
    database_url: str, today: datetime, later: dict[str, str] | None
) -> None:
    """`onramp progress --json` lists the plan's later phases (18mo, 24mo, dated from day 1)
    once the hire is past month 12, and has no `later` key during the plan; the text says no
    review comes with them."""
    env = {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": ""}
    with time_machine.travel(today, tick=False):
        code, _, err = invoke(
            *("enroll", HIRE, "--plan", PLAN, "--start", START.isoformat()),
            *("--manager", MANAGER),
            env=env,
        )
        assert code == 0, err
        code, out, err = invoke("progress", HIRE, "--json", env=env)
        assert code == 0, err
        text = invoke("progress", HIRE, env=env)[1]
    report = json.loads(out)
    assert len(report["phases"]) == 5
    if later is None:
        assert "later" not in report
        assert "After the plan" not in text
        return
    assert {p["id"]: p["due"] for p in report["later"]} == later
    assert report["later"][1]["milestones"][0]["source"] == "s6.long-term-impact-goals"
    assert "no reviews, the quarterly growth check-in is the conversation" in text
    assert "m24-platformization" in text


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("      due: 18mo\n", "      due: 6mo\n", "due 6mo is not after 12mo"),
        ("- id: m24-platformization", "- id: d30-product-surface", "is already used"),
        ("standard observability patterns.", "standard dashboards.", "not in blueprint section"),
    ],
)
def test_plans_check_checks_the_later_phases(tmp_path: Path, old: str, new: str, says: str) -> None:
    """`onramp plans check` refuses a later phase due within the plan, an id already used, and
    a milestone that does not quote its section, naming the line."""
    folder = tmp_path / PLAN
    shutil.copytree(PLANS_DIR / PLAN, folder)
    plan = folder / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'onramp.db'}"  # plans check reads no database
    code, _, err = invoke("plans", "check", str(folder), env={"DATABASE_URL": database_url})
    assert code == 2
    assert "plan.yaml:" in err
    assert "growth.later" in err
    assert says in err


def test_slack_progress_lists_the_later_phases_past_the_plan(app: RunningApp) -> None:
    """`/onramp progress @hire` for a hire 13 months in shows "After the plan" with the 18- and
    24-month phases and says no review comes with them."""
    app.container.onboarding.enroll(
        actor=Actor.cli(), hire=HIRE, plan_id=PLAN, start=date(2025, 10, 1), manager=MANAGER
    )
    text = shown(app.slack.command(f"progress <@{HIRE}>", MANAGER))
    assert "*After the plan* — from the blueprint; no reviews" in text
    assert "Owning subsystems and leading small projects* · due 2027-04-01" in text
    assert "Contribute to platformization" in text
