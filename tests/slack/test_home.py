"""App Home for each persona, the status control on it, and surviving Slack failures."""

from __future__ import annotations

from bot.app import SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox, View
from bot.slack import messages as msg
from bot.slack.blocks import esc
from bot.slack.payloads import MILESTONE_STATUS_ACTION, WITHDRAW_CONFIRM_ACTION
from tests.slack.conftest import HIRE, MANAGER, MENTOR, STRANGER, shown, view_text

FIRST = "d30-product-surface"


def _published(sandbox: SlackSandbox, user_id: str) -> View:
    """The Home view ``user_id`` sees now; there must be one."""
    view = sandbox.home_view(user_id)
    assert view is not None, f"no Home view was published for {user_id}"
    return view


def _home(sandbox: SlackSandbox, user_id: str) -> str:
    """All text of the Home view ``user_id`` sees now."""
    return view_text({"blocks": _published(sandbox, user_id).blocks})


def _open_home(
    driver: SlackDriver, runtime: SlackRuntime, sandbox: SlackSandbox, user_id: str
) -> View:
    """``user_id`` opens the Home tab; once the app has settled, the view published for them."""
    driver.app_home_opened(user_id)
    assert runtime.settle()
    return _published(sandbox, user_id)


def test_hire_sees_phases_controls_and_first_checkin(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """The hire's Home has every phase with a bar, a status control per current milestone,
    and when check-ins start."""
    view = _open_home(enrolled, runtime, sandbox, HIRE)
    text = _home(sandbox, HIRE)
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


def test_manager_sees_their_team(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """The manager's Home lists the hire; before day 1 it says when they start, not "0% done"."""
    text = view_text({"blocks": _open_home(enrolled, runtime, sandbox, MANAGER).blocks})
    assert msg.HOME_TEAM in text
    assert f"<@{HIRE}>* — starts Tue 3 Nov" in text
    assert "% done" not in text


def test_mentor_sees_their_mentees(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """The mentor's Home lists their mentee."""
    text = view_text({"blocks": _open_home(enrolled, runtime, sandbox, MENTOR).blocks})
    assert msg.HOME_MENTEES in text
    assert f"<@{HIRE}>" in text


def test_stranger_gets_a_welcome(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Someone with no plan, team or mentees learns what Onramp is and what to do."""
    text = view_text({"blocks": _open_home(enrolled, runtime, sandbox, STRANGER).blocks})
    assert msg.HOME_WELCOME in text
    assert "/onramp enroll @user" in text
    assert f"<@{HIRE}>" not in text


def test_messages_tab_publishes_nothing(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Opening the Messages tab needs no Home view."""
    enrolled.app_home_opened(HIRE, tab="messages")
    assert runtime.settle()
    assert sandbox.calls("views.publish") == []


def test_status_control_records_progress(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Picking "Done" on Home marks the milestone and re-publishes Home for hire and manager."""
    view = _open_home(enrolled, runtime, sandbox, HIRE)
    delivery = enrolled.block_action(
        HIRE, MILESTONE_STATUS_ACTION, "done", block_id=f"milestone:{FIRST}", view=view
    )
    assert delivery.status == 200
    assert runtime.settle()
    assert "●" in shown(enrolled.command("me", HIRE))
    assert f"`{FIRST}`" in _home(sandbox, HIRE)
    latest = sandbox.home_view(HIRE)
    assert latest is not None
    row = next(b for b in latest.blocks if b.get("block_id") == f"milestone:{FIRST}")
    assert row["accessory"]["initial_option"]["value"] == "done"
    assert sandbox.home_view(MANAGER) is not None


def test_status_control_on_an_ended_plan_explains(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A stale Home control on a withdrawn plan re-publishes Home with the reason."""
    view = _open_home(enrolled, runtime, sandbox, HIRE)
    enrolled.command(f"withdraw <@{HIRE}>", MANAGER)
    enrolled.block_action(MANAGER, WITHDRAW_CONFIRM_ACTION, message=sandbox.ephemerals(MANAGER)[-1])
    enrolled.block_action(
        HIRE, MILESTONE_STATUS_ACTION, "done", block_id=f"milestone:{FIRST}", view=view
    )
    assert runtime.settle()
    assert "Your Onramp plan was withdrawn, so nothing can change on it now" in _home(sandbox, HIRE)


def test_views_publish_failure_is_survived(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """When Slack refuses ``views.publish`` the event is still acked and commands still work."""
    sandbox.fail("views.publish", status=500, times=None)
    assert enrolled.app_home_opened(HIRE).status == 200
    assert runtime.settle()
    assert "is now _done_" in shown(enrolled.command(f"mark {FIRST} done", HIRE))


def test_rate_limited_publish_is_retried(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A 429 on ``views.publish`` is retried after Retry-After and the view lands."""
    sandbox.fail("views.publish", status=429, retry_after=0, times=1)
    enrolled.app_home_opened(HIRE)
    assert runtime.settle()
    statuses = [c.status for c in sandbox.calls("views.publish")]
    assert statuses == [429, 200]
    assert sandbox.home_view(HIRE) is not None
