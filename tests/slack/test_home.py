"""App Home for each persona, the status control on it, and surviving Slack failures."""

from __future__ import annotations

import pytest

from bot.app import SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack import messages as msg
from bot.slack.blocks import esc
from bot.slack.payloads import MILESTONE_STATUS_ACTION, WITHDRAW_CONFIRM_ACTION
from tests.slack.conftest import HIRE, MANAGER, MENTOR, STRANGER, HomeTab, shown

FIRST = "d30-product-surface"


def test_hire_sees_phases_controls_and_first_checkin(
    enrolled: SlackDriver, home: HomeTab, runtime: SlackRuntime
) -> None:
    """The hire's Home has every phase with a bar, a status control per current milestone,
    and when check-ins start."""
    view = home.open(HIRE)
    text = home.text(HIRE)
    plan = runtime.context.catalog.get("junior-llm-engineer").plan
    for phase in plan.phases:
        assert esc(phase.title) in text
    controls = [b for b in view.blocks if b.get("accessory", {}).get("type") == "static_select"]
    assert len(controls) == 6  # the day-30 milestones
    assert {o["value"] for o in controls[0]["accessory"]["options"]} == {
        "not_started",
        "in_progress",
        "done",
        "blocked",
        "skipped",
    }
    assert "Check-ins start on Tuesday Nov 03" in text


@pytest.mark.parametrize(
    ("persona", "says", "never"),
    [
        pytest.param(
            MANAGER, [msg.HOME_TEAM, f"<@{HIRE}>* — starts Tue 3 Nov"], ["% done"], id="manager"
        ),
        pytest.param(MENTOR, [msg.HOME_MENTEES, f"<@{HIRE}>"], [], id="mentor"),
        pytest.param(
            STRANGER, [msg.HOME_WELCOME, "/onramp enroll @user"], [f"<@{HIRE}>"], id="stranger"
        ),
    ],
)
def test_each_person_sees_their_part(
    enrolled: SlackDriver, home: HomeTab, persona: str, says: list[str], never: list[str]
) -> None:
    """Managers see their team (a start, not 0% done), mentors their mentees, others a welcome."""
    home.open(persona)
    text = home.text(persona)
    for line in says:
        assert line in text
    for line in never:
        assert line not in text


def test_messages_tab_publishes_nothing(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Opening the Messages tab needs no Home view."""
    enrolled.app_home_opened(HIRE, tab="messages")
    assert runtime.settle()
    assert sandbox.calls("views.publish") == []


def test_status_control_records_progress(
    enrolled: SlackDriver, home: HomeTab, runtime: SlackRuntime
) -> None:
    """Picking "Done" on Home marks the milestone and re-publishes Home for hire and manager."""
    view = home.open(HIRE)
    delivery = enrolled.block_action(
        HIRE, MILESTONE_STATUS_ACTION, "done", block_id=f"milestone:{FIRST}", view=view
    )
    assert delivery.status == 200
    assert runtime.settle()
    assert "●" in shown(enrolled.command("me", HIRE))
    assert f"`{FIRST}`" in home.text(HIRE)
    row = next(b for b in home.view(HIRE).blocks if b.get("block_id") == f"milestone:{FIRST}")
    assert row["accessory"]["initial_option"]["value"] == "done"
    home.view(MANAGER)  # re-published for the manager too (it asserts there is one)


def test_status_control_on_an_ended_plan_explains(
    enrolled: SlackDriver, home: HomeTab, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A stale Home control on a withdrawn plan re-publishes Home with the reason."""
    view = home.open(HIRE)
    enrolled.command(f"withdraw <@{HIRE}>", MANAGER)
    enrolled.block_action(MANAGER, WITHDRAW_CONFIRM_ACTION, message=sandbox.ephemerals(MANAGER)[-1])
    enrolled.block_action(
        HIRE, MILESTONE_STATUS_ACTION, "done", block_id=f"milestone:{FIRST}", view=view
    )
    assert runtime.settle()
    assert "Your Onramp plan was withdrawn, so nothing can change on it now" in home.text(HIRE)


def test_views_publish_failure_is_survived(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """When Slack refuses ``views.publish`` the event is still acked and commands still work."""
    sandbox.fail("views.publish", status=500, times=None)
    assert enrolled.app_home_opened(HIRE).status == 200
    assert runtime.settle()
    assert "is now _done_" in shown(enrolled.command(f"mark {FIRST} done", HIRE))


def test_rate_limited_publish_is_retried(
    enrolled: SlackDriver, home: HomeTab, sandbox: SlackSandbox
) -> None:
    """A 429 on ``views.publish`` is retried after Retry-After and the view lands."""
    sandbox.fail("views.publish", status=429, retry_after=0, times=1)
    home.open(HIRE)  # the view landed (it asserts there is one)
    assert [c.status for c in sandbox.calls("views.publish")] == [429, 200]
