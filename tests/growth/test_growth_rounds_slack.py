"""Growth check-ins in Slack: the DM, the rating modal and the side-by-side, through the real
Bolt app and the sandbox (signed clicks and view submissions, views.open, chat.update)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine

from bot.app import Container, SlackRuntime
from bot.sandbox import Delivery, SlackDriver, SlackSandbox, View
from bot.services.clock import ManualClock
from bot.services.growth import Citation, Item
from bot.services.growth_rounds import DimensionRatings, Side
from bot.slack import growth_round_blocks as gb
from bot.slack.growth_blocks import rating_line
from storage.growth import TagCount
from tests.growth.test_growth_home import _growth_section
from tests.slack.conftest import HIRE, MANAGER, HomeTab, shown
from tests.support.checkins import RunningApp, messages_to, paced_messenger
from tests.support.cli import invoke
from tests.support.enroll import enroll
from tests.support.growth_rounds import DIMENSIONS

#: Day 90 of a Berlin hire who started Mon 2 Nov 2026: Mon 1 Feb 2027, 09:30 in Berlin.
DAY_90 = "2027-02-01T08:30:00"
#: 09:30 in New York, where the manager is.
MANAGERS_0930 = "2027-02-01T14:30:00"


@pytest.fixture
def app(
    container: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> RunningApp:
    """The Slack app as ``onramp serve`` runs it, a Berlin hire enrolled, at day 90 09:30."""
    container.checkins.messenger = paced_messenger(sandbox, clock, channel_interval=0)
    enroll(container.onboarding, tz="Europe/Berlin")
    running = RunningApp(
        container=container, slack=slack, sandbox=sandbox, clock=clock, runtime=runtime
    )
    running.tick(DAY_90)
    return running


def dm(app: RunningApp, user: str, key: str) -> Any:
    """The current version of the one message posted to ``user`` for outbox ``key``."""
    [message] = [m for m in messages_to(app.sandbox, user) if m.event_payload["key"] == key]
    return message


def open_modal(app: RunningApp, user: str, key: str) -> View:
    """Click "Rate now" on ``user``'s growth DM; the modal it opened."""
    message = dm(app, user, key)
    app.slack.block_action(
        user, gb.RATE_ACTION, str(message.event_payload["outbox_id"]), message=message
    )
    assert app.runtime.settle()
    return app.sandbox.views("modal")[-1]


def values(level: int | None = 2, comment: str | None = "Saw it in the harness work") -> dict:
    """A modal state rating every dimension at ``level`` with ``comment``."""
    state: dict[str, Any] = {}
    for dimension in DIMENSIONS:
        picked = {"value": str(level)} if level is not None else None
        state[f"{gb.LEVEL_BLOCK}{dimension}"] = {
            gb.LEVEL_INPUT: {"type": "static_select", "selected_option": picked}
        }
        state[f"{gb.COMMENT_BLOCK}{dimension}"] = {
            gb.COMMENT_INPUT: {"type": "plain_text_input", "value": comment}
        }
    return state


def submit(app: RunningApp, user: str, modal: View, state: dict) -> Delivery:
    """Submit the rating modal as ``user``."""
    return app.slack.view_submission(user, gb.MODAL_CALLBACK, state, view=modal)


def test_the_hires_dm_opens_a_modal_in_the_blueprints_words(app: RunningApp) -> None:
    """The DM says what the round is and that it is blind; "Rate now" opens one level select per
    dimension whose options are the blueprint's labels and anchors."""
    message = dm(app, HIRE, "growth_self:1:90d")
    assert "Growth check-in · 90-day" in message.text
    assert "neither of you sees the other's ratings until you both have submitted" in message.text
    modal = open_modal(app, HIRE, "growth_self:1:90d")
    selects = [b for b in modal.blocks if b.get("block_id", "").startswith(gb.LEVEL_BLOCK)]
    assert [b["block_id"].removeprefix(gb.LEVEL_BLOCK) for b in selects] == list(DIMENSIONS)
    evaluation = next(b for b in selects if b["block_id"].endswith("evaluation-mindset"))
    assert [o["text"]["text"] for o in evaluation["element"]["options"]] == [
        "below bar: No measurable validation approach",
        "acceptable: Some testing ideas but incomplete",
        "excellent: Proposes baselines, rubrics, regression tests",
    ]


def test_a_missing_level_or_reason_is_shown_under_its_dimension(app: RunningApp) -> None:
    """Submitting without levels, or without a comment, keeps the modal open with the fix under
    every dimension; nothing is recorded and the DM still asks."""
    modal = open_modal(app, HIRE, "growth_self:1:90d")
    no_levels = submit(app, HIRE, modal, values(level=None)).json() or {}
    assert no_levels.get("response_action") == "errors"
    assert no_levels["errors"][f"{gb.LEVEL_BLOCK}communication"] == "Pick a level."
    no_reason = submit(app, HIRE, modal, values(comment=None)).json() or {}
    assert no_reason["errors"][f"{gb.LEVEL_BLOCK}collaboration"] == (
        "Add a comment or pick evidence for this rating."
    )
    assert gb.RATE_BUTTON in str(dm(app, HIRE, "growth_self:1:90d").blocks)


def test_both_submit_and_both_get_the_side_by_side(app: RunningApp) -> None:
    """The hire submits (their DM now says so), the manager submits at their 09:30; each then
    gets one side-by-side DM with the gap of two levels flagged, and `onramp growth --json`
    shows both ratings and the trend."""
    submitted = submit(app, HIRE, open_modal(app, HIRE, "growth_self:1:90d"), values(3))
    assert submitted.ok
    assert app.runtime.settle()
    # On the hire's own clock: 08:30 UTC is 09:30 in Berlin.
    assert "Ratings submitted · Mon 01 Feb 09:30 CET" in str(
        dm(app, HIRE, "growth_self:1:90d").blocks
    )
    app.tick(MANAGERS_0930)
    state = values(2)
    state[f"{gb.LEVEL_BLOCK}evaluation-mindset"][gb.LEVEL_INPUT]["selected_option"] = {"value": "1"}
    assert submit(app, MANAGER, open_modal(app, MANAGER, "growth_manager:1:90d"), state).ok
    app.tick("2027-02-01T14:31:00")
    reveal = dm(app, HIRE, "growth_reveal:1:90d:1")
    shown = str(reveal.blocks)
    assert "*Evaluation mindset* — self: 3 excellent · manager: 1 below bar" in shown
    assert "⚑ *2 levels apart: worth a conversation*" in shown
    assert "*Communication* — self: 3 excellent · manager: 2 acceptable" in shown
    assert "_self:_ “Saw it in the harness work”" in shown  # each side's why, quoted
    assert "growth_reveal:1:90d:2" in [
        m.event_payload["key"] for m in messages_to(app.sandbox, MANAGER)
    ]
    code, out, err = invoke(
        "growth", HIRE, "--json", env={"DATABASE_URL": app.container.settings.database_url}
    )
    assert code == 0, err
    [evaluation] = [d for d in json.loads(out)["dimensions"] if d["id"] == "evaluation-mindset"]
    assert evaluation["self"] == {"round": "90d", "level": 3, "label": "excellent"}
    assert evaluation["manager"] == {"round": "90d", "level": 1, "label": "below bar"}
    assert evaluation["trend"] == [{"round": "90d", "self": 3, "manager": 1}]


def test_someone_else_clicking_rate_now_is_told_and_gets_no_modal(app: RunningApp) -> None:
    """The manager clicking the hire's "Rate now" hears why, privately; no modal opens."""
    message = dm(app, HIRE, "growth_self:1:90d")
    app.slack.block_action(
        MANAGER, gb.RATE_ACTION, str(message.event_payload["outbox_id"]), message=message
    )
    assert app.runtime.settle()
    assert app.sandbox.views("modal") == []
    told = [r for r in app.sandbox.responses if "for someone else" in str(r)]
    assert told


def test_rate_now_after_submitting_says_so_instead_of_opening_the_modal(app: RunningApp) -> None:
    """A second "Rate now" (from a reminder, or a DM not yet redrawn) is answered privately
    with why; no modal opens to be refused on save."""
    message = dm(app, HIRE, "growth_self:1:90d")
    assert submit(app, HIRE, open_modal(app, HIRE, "growth_self:1:90d"), values(2)).ok
    opened = len(app.sandbox.views("modal"))
    app.slack.block_action(
        HIRE, gb.RATE_ACTION, str(message.event_payload["outbox_id"]), message=message
    )
    assert app.runtime.settle()
    assert len(app.sandbox.views("modal")) == opened
    assert [r for r in app.sandbox.responses if "already submitted your ratings" in str(r)]


EVALUATION = "• *Evaluation mindset* `evaluation-mindset`"


def _rate_both(app: RunningApp) -> None:
    """The hire rates every dimension 3 (excellent), the manager 2 and evaluation mindset 1."""
    assert submit(app, HIRE, open_modal(app, HIRE, "growth_self:1:90d"), values(3)).ok
    app.tick(MANAGERS_0930)
    state = values(2)
    state["growth_level:evaluation-mindset"]["level"]["selected_option"] = {"value": "1"}
    assert submit(app, MANAGER, open_modal(app, MANAGER, "growth_manager:1:90d"), state).ok
    assert app.runtime.settle()


def _growth(slack: SlackDriver, user: str, about: str = "") -> str:
    return shown(slack.command(f"growth {about}".strip(), user))


def test_a_blind_round_shows_no_ratings_anywhere(app: RunningApp) -> None:
    """With only the hire's side in, neither the manager's nor the hire's view shows a level."""
    assert submit(app, HIRE, open_modal(app, HIRE, "growth_self:1:90d"), values(3)).ok
    for user, about in ((HIRE, ""), (MANAGER, f"<@{HIRE}>")):
        text = _growth(app.slack, user, about)
        assert "No ratings yet" in text
        assert "self:" not in text
    # The CLI reads the system clock: run it at the app's instant, while the round is open
    # (after it closes, its one side is revealed to everyone who may see readiness).
    with time_machine.travel(app.clock.now(), tick=False):
        code, out, _ = invoke(
            "growth", HIRE, env={"DATABASE_URL": app.container.settings.database_url}
        )
    assert code == 0
    assert "Ratings: none yet" in out


def test_the_managers_growth_view_shows_both_sides_by_label(app: RunningApp) -> None:
    """After both submit, `/onramp growth @hire` names each side's level in the blueprint's
    words with its round, under the dimension."""
    _rate_both(app)
    text = _growth(app.slack, MANAGER, f"<@{HIRE}>")
    assert "Ratings are the latest growth check-in both sides can see" in text
    after = text.split(EVALUATION, 1)[1].splitlines()
    assert after[1].strip() == "self: excellent (90-day) · manager: below bar (90-day)"
    assert "%" not in text


def test_the_hires_home_shows_their_latest_ratings(app: RunningApp, home: HomeTab) -> None:
    """The hire's Home Growth section carries self and manager labels beside the evidence."""
    _rate_both(app)
    section = _growth_section(home.open(HIRE))
    assert section is not None
    assert "• *Evaluation mindset* — self excellent · manager below bar · evidence 0" in section


def test_the_cli_text_shows_the_ratings(app: RunningApp) -> None:
    """`onramp growth USER` prints each dimension's self and manager levels and rounds."""
    _rate_both(app)
    code, out, err = invoke(
        "growth", HIRE, env={"DATABASE_URL": app.container.settings.database_url}
    )
    assert code == 0, err
    assert "Ratings: the latest growth check-in both sides can see" in out
    lines = out.split("Evaluation mindset [evaluation-mindset]", 1)[1].splitlines()
    assert lines[1].strip() == "self: excellent (90-day) · manager: below bar (90-day)"


def test_more_than_one_round_shows_the_trend_oldest_first() -> None:
    """Two revealed rounds: the latest labels with their round, then each round's levels as
    self/manager, a missing side shown as a dash."""
    item = Item(
        id="evaluation-mindset",
        title="Evaluation mindset",
        source=Citation(id="s19", section=19, heading="Scorecard dimensions"),
        evidence=TagCount(),
        ratings=DimensionRatings(
            self_side=("6mo", Side(level=2, label="acceptable")),
            manager_side=("90d", Side(level=1, label="below bar")),
            trend=[
                {"round": "90d", "self": 1, "manager": 1},
                {"round": "6mo", "self": 2, "manager": None},
            ],
        ),
    )
    assert rating_line(item).strip() == (
        "self: acceptable (6-month) · manager: below bar (90-day) · trend 90-day 1/1 → 6-month 2/—"
    )
