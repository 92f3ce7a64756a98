"""`/onramp kpis` and `/onramp kpi`: the pick and record modals, through the real Bolt app
over HTTP and the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import Container, SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox, View
from bot.services.kpis import KpiService
from bot.services.onboarding import Actor
from bot.slack import kpi_blocks as kb
from bot.slack import limits
from tests.slack.conftest import HIRE, MANAGER, MENTOR, STRANGER, HomeTab, shown, view_text

HANA = f"<@{HIRE}|hana>"
THREE = ["pr-throughput", "story-cycle-time", "eval-coverage"]


def _modal(sandbox: SlackSandbox, runtime: SlackRuntime) -> View:
    """The newest modal the app opened, checked against Slack's limits."""
    assert runtime.settle()
    modal = sandbox.views("modal")[-1]
    assert limits.view_problems(modal.raw) == []
    return modal


def _element(modal: View, block_id: str) -> dict[str, Any]:
    return next(b for b in modal.blocks if b.get("block_id") == block_id)["element"]


def _picked(ids: list[str]) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": i}, "value": i} for i in ids]
    return {
        kb.PICK_BLOCK: {kb.PICK_INPUT: {"type": "multi_static_select", "selected_options": options}}
    }


def _reading(kpi: str, value: str, period: str | None = None) -> dict[str, Any]:
    def text(v: str | None) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": v}

    return {
        kb.KPI_BLOCK: {kb.KPI_INPUT: {"type": "static_select", "selected_option": {"value": kpi}}},
        kb.VALUE_BLOCK: {kb.VALUE_INPUT: text(value)},
        kb.PERIOD_BLOCK: {kb.PERIOD_INPUT: text(period)},
        kb.NOTE_BLOCK: {kb.NOTE_INPUT: text("from the dashboard")},
        kb.LINK_BLOCK: {kb.LINK_INPUT: {"type": "url_text_input", "value": None}},
    }


@pytest.fixture
def kpis(container: Container) -> KpiService:
    """The KPI service over the app's database, as the listeners build it."""
    g = container.growth
    return KpiService(db=g.db, catalog=g.catalog, clock=g.clock, admins=g.admins)


@pytest.fixture
def tracked(enrolled: SlackDriver, kpis: KpiService) -> SlackDriver:
    """The hire's manager has picked THREE for the hire."""
    kpis.select(actor=Actor.slack(MANAGER), hire=HIRE, kpis=THREE)
    return enrolled


def test_the_manager_picks_kpis_in_a_modal(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, kpis: KpiService
) -> None:
    """`/onramp kpis @hire` opens the plan's 25 KPIs; saving three stores them, and the modal
    opened again has them pre-selected."""
    enrolled.command(f"kpis {HANA}", MANAGER)
    modal = _modal(sandbox, runtime)
    assert len(_element(modal, kb.PICK_BLOCK)["options"]) == 25
    assert "initial_options" not in _element(modal, kb.PICK_BLOCK)
    saved = enrolled.view_submission(MANAGER, kb.PICK_CALLBACK, _picked(THREE), view=modal)
    assert saved.json() in (None, {})
    listed = kpis.list(actor=Actor.cli(), hire=HIRE)
    assert [k.id for k in listed.kpis] == THREE
    enrolled.command(f"kpis {HANA}", MANAGER)
    again = _element(_modal(sandbox, runtime), kb.PICK_BLOCK)
    assert [o["value"] for o in again["initial_options"]] == THREE


def test_picking_two_keeps_the_modal_open_with_why(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Fewer than three KPIs is refused beside the list, and nothing is stored."""
    enrolled.command(f"kpis {HANA}", MANAGER)
    modal = _modal(sandbox, runtime)
    saved = enrolled.view_submission(MANAGER, kb.PICK_CALLBACK, _picked(THREE[:2]), view=modal)
    assert saved.json()["response_action"] == "errors"
    assert "at least 3" in saved.json()["errors"][kb.PICK_BLOCK]


def test_a_reading_from_the_modal_shows_in_growth_with_its_target(
    tracked: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, home: HomeTab
) -> None:
    """`/onramp kpi @hire` offers only the picked KPIs; a saved reading shows in the hire's
    `/onramp growth` and on their Home, with the blueprint's target quoted."""
    tracked.command(f"kpi {HANA}", MANAGER)
    modal = _modal(sandbox, runtime)
    assert [o["value"] for o in _element(modal, kb.KPI_BLOCK)["options"]] == THREE
    values = _reading("eval-coverage", "62%", "2026-11")
    saved = tracked.view_submission(MANAGER, kb.RECORD_CALLBACK, values, view=modal)
    assert saved.json() in (None, {})
    growth = shown(tracked.command("growth", HIRE))
    assert "target: “60–80% of top intents in 6 months (team-level)”" in growth
    assert "latest: *62* for 2026-11 · trend none" in growth
    assert "team-level: your contribution" in growth
    on_home = view_text({"blocks": home.open(HIRE).blocks})
    assert "target: “60–80% of top intents in 6 months (team-level)”" in on_home


@pytest.mark.parametrize(
    ("value", "period", "block", "said"),
    [
        ("lots", None, kb.VALUE_BLOCK, "has no number"),
        ("4", "2026-W60", kb.PERIOD_BLOCK, "is not a period"),
    ],
)
def test_a_bad_reading_is_refused_beside_its_field(
    tracked: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    value: str,
    period: str | None,
    block: str,
    said: str,
) -> None:
    """A value without a number or a malformed period keeps the modal open, the reason beside
    the field it is about."""
    tracked.command(f"kpi {HANA}", MANAGER)
    modal = _modal(sandbox, runtime)
    values = _reading("story-cycle-time", value, period)
    saved = tracked.view_submission(MANAGER, kb.RECORD_CALLBACK, values, view=modal)
    assert saved.json()["response_action"] == "errors"
    assert said in saved.json()["errors"][block]


@pytest.mark.parametrize(("user", "sees"), [(HIRE, True), (MENTOR, True), (STRANGER, False)])
def test_others_see_the_list_without_a_modal(
    tracked: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, user: str, sees: bool
) -> None:
    """The hire and a mentor see the KPIs and their targets, without buttons or a modal; a
    stranger learns nothing."""
    text = shown(tracked.command(f"kpis {HANA}" if user != HIRE else "kpis", user))
    assert runtime.settle()
    assert sandbox.views("modal") == []
    assert ("4–10 meaningful PRs/month" in text) is sees
    assert kb.RECORD_LABEL not in text
    if not sees:
        assert "You can only see plans of people you manage or mentor" in text


@pytest.mark.parametrize(("clicker", "opens"), [(MANAGER, True), (MENTOR, False)])
def test_the_record_button_opens_the_modal_for_the_manager_only(
    tracked: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    clicker: str,
    opens: bool,
) -> None:
    """ "Record a reading" (the list's and the reminder's button) opens the record modal for
    the hire's manager; a mentor is told privately that only the manager records readings."""
    reply = tracked.command(f"kpis {HANA}", MANAGER).json()
    tracked.block_action(clicker, kb.RECORD_ACTION, HIRE, message=reply)
    assert runtime.settle()
    modals = [v for v in sandbox.views("modal") if v.raw.get("callback_id") == kb.RECORD_CALLBACK]
    assert bool(modals) is opens
    if not opens:
        assert any("Only the hire's manager" in e.text for e in sandbox.ephemerals(clicker))
