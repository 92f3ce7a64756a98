"""The growth plan in Slack, through the sandbox: the reveal DM's "Choose focus items" modal
pre-filled from the gaps, `/onramp focus` with an "Update" button per item and its modal, the
readiness view, and the stalled-item nudge to the mentor through the real tick.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import Container, SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox, View
from bot.services.clock import ManualClock
from bot.services.focus import FocusService
from bot.services.onboarding import Actor
from bot.slack import focus_blocks as fb
from tests.growth.test_growth_home import _growth_section
from tests.slack.conftest import HIRE, MANAGER, MENTOR, STRANGER, HomeTab, shown
from tests.support.checkins import RunningApp, messages_to, paced_messenger
from tests.support.enroll import enroll
from tests.support.growth_rounds import ratings

#: Day 90 of a Berlin hire who started Mon 2 Nov 2026: Mon 1 Feb 2027, 09:30 in Berlin.
DAY_90 = "2027-02-01T08:30:00"


@pytest.fixture
def app(
    container: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> RunningApp:
    """The Slack app with a Berlin hire whose 90-day round both sides rated (communication
    1 and 1, evaluation mindset 3 vs 1) and whose side-by-side went out."""
    container.checkins.messenger = paced_messenger(sandbox, clock, channel_interval=0)
    enroll(container.onboarding, tz="Europe/Berlin")
    running = RunningApp(
        container=container, slack=slack, sandbox=sandbox, clock=clock, runtime=runtime
    )
    rounds = container.checkins.growth_rounds
    for when, user, key, given in (
        (DAY_90, HIRE, "growth_self:1:90d", ratings(2, evaluation_mindset=3, communication=1)),
        (  # the manager's DM goes out at 09:30 in New York
            "2027-02-01T14:30:00",
            MANAGER,
            "growth_manager:1:90d",
            ratings(2, evaluation_mindset=1, communication=1),
        ),
    ):
        running.tick(when)
        [message] = [m for m in messages_to(sandbox, user) if m.event_payload["key"] == key]
        rounds.submit(user_id=user, outbox_id=message.event_payload["outbox_id"], ratings=given)
    running.tick("2027-02-01T14:31:00")
    return running


def reveal(app: RunningApp, user: str = HIRE) -> Any:
    """The side-by-side DM posted to ``user``."""
    [message] = messages_to(app.sandbox, user, "growth_reveal:")
    return message


def choose(app: RunningApp, user: str = HIRE) -> View:
    """Click "Choose focus items" on ``user``'s side-by-side; the modal it opened."""
    app.slack.block_action(user, fb.CHOOSE_ACTION, HIRE, message=reveal(app, user))
    assert app.runtime.settle()
    return app.sandbox.views("modal")[-1]


def filled(modal: View, **changes: dict[str, Any]) -> dict[str, Any]:
    """The modal's state as pre-filled (``changes``: block id → element state to replace)."""
    state: dict[str, Any] = {}
    for block in modal.blocks:
        if block.get("type") != "input":
            continue
        element = block["element"]
        value: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "static_select":
            value["selected_option"] = element.get("initial_option")
        elif element["type"] == "datepicker":
            value["selected_date"] = element.get("initial_date")
        else:
            value["value"] = element.get("initial_value")
        state[block["block_id"]] = {fb.INPUT: changes.get(block["block_id"], value)}
    return state


def test_choose_focus_items_from_the_reveal_prefilled_from_the_gaps(
    app: RunningApp, home: HomeTab
) -> None:
    """The side-by-side offers "Choose focus items"; its modal is pre-filled from the gaps
    (dimension, a title naming the next level, its anchor as the first action, a due date);
    saving stores them, and `/onramp growth` and the hire's Home show them."""
    assert fb.CHOOSE_LABEL in str(reveal(app).blocks)
    modal = choose(app)
    assert modal.callback_id == fb.ADD_CALLBACK
    text = str(modal.blocks)
    assert "Understandable but not crisp" in text  # communication's next-level anchor
    selects = [
        b["element"].get("initial_option", {}).get("value")
        for b in modal.blocks
        if b.get("block_id", "").startswith(fb.DIMENSION_BLOCK)
    ]
    assert sorted(s for s in selects if s) == ["communication", "evaluation-mindset"]
    state = filled(modal, **{f"{fb.TITLE_BLOCK}2": {"type": "plain_text_input", "value": ""}})
    delivery = app.slack.view_submission(HIRE, fb.ADD_CALLBACK, state, view=modal)
    assert delivery.ok
    assert not (delivery.json() or {}).get("errors")
    assert app.runtime.settle()
    growth = shown(app.slack.command(f"growth <@{HIRE}|hana>", MANAGER))
    assert "*Growth plan*" in growth
    assert "Towards “acceptable” on Communication" in growth
    section = _growth_section(home.open(HIRE))
    assert section is not None
    assert "Towards “acceptable” on Communication" in section


def test_a_refused_item_is_shown_beside_its_field_and_nothing_is_stored(app: RunningApp) -> None:
    """An item whose due date is not in the future keeps the modal open with the reason
    beside that item's date, and no item is stored."""
    modal = choose(app, MANAGER)
    past = {"type": "datepicker", "selected_date": "2027-01-01"}
    state = filled(modal, **{f"{fb.DUE_BLOCK}1": past})
    answer = app.slack.view_submission(MANAGER, fb.ADD_CALLBACK, state, view=modal).json() or {}
    assert answer.get("response_action") == "errors"
    assert "must be in the future" in answer["errors"][f"{fb.DUE_BLOCK}1"]
    assert "No focus items yet" in shown(app.slack.command(f"focus <@{HIRE}|hana>", HIRE))


def test_focus_lists_items_and_update_records_progress(app: RunningApp) -> None:
    """`/onramp focus` lists the items with an "Update" button for the hire and manager only;
    the update modal records a note and a status; a mentor sees them, a stranger is refused."""
    modal = choose(app)
    app.slack.view_submission(HIRE, fb.ADD_CALLBACK, filled(modal), view=modal)
    listed = app.slack.command("focus", HIRE)
    assert fb.UPDATE_LABEL in str(listed.json())
    assert fb.UPDATE_LABEL not in str(app.slack.command(f"focus <@{HIRE}|hana>", MENTOR).json())
    assert "You can only see plans" in shown(app.slack.command(f"focus <@{HIRE}|h>", STRANGER))
    app.slack.block_action(MANAGER, fb.UPDATE_ACTION, "1", message=listed.json())
    assert app.runtime.settle()
    update = app.sandbox.views("modal")[-1]
    assert update.callback_id == fb.UPDATE_CALLBACK
    state = {
        fb.NOTE_BLOCK: {fb.INPUT: {"type": "plain_text_input", "value": "Design note reviewed"}},
        fb.STATUS_BLOCK: {
            fb.INPUT: {"type": "static_select", "selected_option": {"value": "done"}}
        },
    }
    assert app.slack.view_submission(MANAGER, fb.UPDATE_CALLBACK, state, view=update).ok
    text = shown(app.slack.command("focus", HIRE))
    assert "[done]" in text
    assert "Design note reviewed" in text


def test_a_stalled_item_nudges_the_mentor_once_and_an_update_rearms_it(app: RunningApp) -> None:
    """Open and quiet for 15 working days, an item gets one focus nudge to the mentor (never
    again on later ticks); after an update and another quiet spell, one more."""
    modal = choose(app)
    only_one = {f"{fb.TITLE_BLOCK}1": {"type": "plain_text_input", "value": ""}}
    app.slack.view_submission(HIRE, fb.ADD_CALLBACK, filled(modal, **only_one), view=modal)
    app.tick("2027-02-19T08:31:00")  # 14 working days on: not yet
    assert messages_to(app.sandbox, MENTOR, "focus_nudge:") == []
    app.tick("2027-02-22T08:31:00")  # the 15th working day
    app.tick("2027-02-23T08:31:00")
    [nudge] = messages_to(app.sandbox, MENTOR, "focus_nudge:")
    assert "has had no progress since" in nudge.text
    assert messages_to(app.sandbox, HIRE, "focus_nudge:") == []
    growth = app.container.growth  # progress from the hire re-arms it
    FocusService(db=growth.db, catalog=growth.catalog, clock=app.clock, admins=frozenset()).update(
        actor=Actor.slack(HIRE), focus_id=1, note="Back on it"
    )
    app.tick("2027-03-16T08:31:00")  # past due (15 Mar): told again, once
    assert len(messages_to(app.sandbox, MENTOR, "focus_nudge:")) == 2
