"""The weekly pulse's "Add a win" button opens the evidence modal for the hire."""

from __future__ import annotations

from bot.services.onboarding import Actor
from bot.slack import growth_blocks as gb
from tests.checkins.conftest import (  # noqa: F401 - the running app and its fixtures
    app,
    enrolled_app,
    sandbox,
)
from tests.slack.conftest import view_text
from tests.support.checkins import RunningApp
from tests.support.people import HIRE, MANAGER


def test_add_a_win_on_the_pulse_opens_the_modal_and_records_the_win(
    enrolled_app: RunningApp,  # noqa: F811 - the fixture imported above
) -> None:
    """The pulse carries "Add a win"; clicking it opens the modal about the hire (an empty
    text, a link field); saving records the win from the pulse."""
    running = enrolled_app
    pulse, _ = running.first_pulse()
    labels = [
        e["text"]["text"] for b in pulse.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert gb.ADD_WIN_LABEL in labels
    running.slack.block_action(HIRE, gb.ADD_WIN_ACTION, message=pulse)
    assert running.runtime.settle()
    [modal] = running.sandbox.views("modal")
    blocks = {b.get("block_id"): b for b in modal.blocks}
    assert "initial_value" not in blocks[gb.TEXT_BLOCK]["element"]
    assert gb.LINK_BLOCK in blocks
    assert gb.MODAL_ABOUT_ME in view_text({"blocks": modal.blocks})
    values = {
        gb.TEXT_BLOCK: {gb.TEXT_INPUT: {"type": "plain_text_input", "value": "Paired on a fix"}},
        gb.LINK_BLOCK: {gb.LINK_INPUT: {"type": "url_text_input", "value": "https://x.example/1"}},
        gb.TAGS_BLOCK: {gb.TAGS_INPUT: {"type": "multi_static_select", "selected_options": []}},
    }
    delivery = running.slack.view_submission(HIRE, gb.MODAL_CALLBACK, values, view=modal)
    assert delivery.body == ""
    assert running.runtime.settle()
    [stored] = running.container.growth.evidence(actor=Actor.slack(HIRE), hire=HIRE).items
    assert (stored.text, stored.link, stored.tags) == ("Paired on a fix", "https://x.example/1", [])
    assert stored.visibility.value == "manager"  # the default when nobody picks


def test_the_manager_clicking_add_a_win_on_a_pulse_logs_their_own(
    enrolled_app: RunningApp,  # noqa: F811 - the fixture imported above
) -> None:
    """The button is about whoever clicks it: a manager on no plan of their own is told so,
    privately, and no modal opens."""
    running = enrolled_app
    pulse, _ = running.first_pulse()
    running.slack.block_action(MANAGER, gb.ADD_WIN_ACTION, message=pulse)
    assert running.runtime.settle()
    assert running.sandbox.views("modal") == []
    assert any("not on an Onramp plan yet" in r.text for r in running.sandbox.responses)
