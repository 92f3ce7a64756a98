"""The weekly pulse's "Add a win" button opens the evidence modal for the hire."""

from __future__ import annotations

from typing import Any

from bot.sandbox import View
from bot.services.onboarding import Actor
from bot.slack import growth_blocks as gb
from bot.slack import limits
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
        gb.TAGS_BLOCK: {
            gb.TAGS_INPUT: {
                "type": "multi_static_select",
                "selected_options": [{"value": "collaboration"}],
            }
        },
    }
    delivery = running.slack.view_submission(HIRE, gb.MODAL_CALLBACK, values, view=modal)
    assert delivery.body == ""
    assert running.runtime.settle()
    [stored] = running.container.growth.evidence(actor=Actor.slack(HIRE), hire=HIRE).items
    assert (stored.text, stored.link, stored.tags) == (
        "Paired on a fix",
        "https://x.example/1",
        ["collaboration"],
    )
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


def _pulse_modal(running: RunningApp) -> View:
    pulse, _ = running.first_pulse()
    running.slack.block_action(HIRE, gb.ADD_WIN_ACTION, message=pulse)
    assert running.runtime.settle()
    [modal] = running.sandbox.views("modal")
    return modal


def _typed(text: str, *, block: str = gb.TAGS_BLOCK, tags: list[str] = ()) -> dict[str, Any]:
    chosen = [{"text": {"type": "plain_text", "text": t}, "value": t} for t in tags]
    return {
        gb.TEXT_BLOCK: {gb.TEXT_INPUT: {"type": "plain_text_input", "value": text}},
        gb.LINK_BLOCK: {gb.LINK_INPUT: {"type": "url_text_input", "value": "https://x.example/2"}},
        block: {gb.TAGS_INPUT: {"type": "multi_static_select", "selected_options": chosen}},
        gb.SEEN_BLOCK: {
            gb.SEEN_INPUT: {"type": "radio_buttons", "selected_option": {"value": "private"}}
        },
    }


def test_a_save_without_tags_shows_the_suggested_tags_to_review_first(
    enrolled_app: RunningApp,  # noqa: F811 - the fixture imported above
) -> None:
    """Typed into the empty modal and saved without tags, the text gets its suggested tags
    shown in the same modal (text, link and choices kept); saving again records them."""
    running = enrolled_app
    modal = _pulse_modal(running)
    text = "Redacted PII from the logs before they reach the model"
    first = running.slack.view_submission(HIRE, gb.MODAL_CALLBACK, _typed(text), view=modal)
    answer = first.json()
    assert answer["response_action"] == "update"
    again = answer["view"]
    blocks = {b.get("block_id"): b for b in again["blocks"]}
    assert blocks[gb.TEXT_BLOCK]["element"]["initial_value"] == text
    assert blocks[gb.LINK_BLOCK]["element"]["initial_value"] == "https://x.example/2"
    assert blocks[gb.SEEN_BLOCK]["element"]["initial_option"]["value"] == "private"
    suggested = [o["value"] for o in blocks[gb.TAGS_REVIEW_BLOCK]["element"]["initial_options"]]
    assert "data-privacy" in suggested
    assert gb.MODAL_REVIEW_TAGS in view_text(again)
    assert limits.view_problems(again) == []
    assert running.container.growth.evidence(actor=Actor.slack(HIRE), hire=HIRE).items == []
    values = _typed(text, block=gb.TAGS_REVIEW_BLOCK, tags=suggested)
    running.slack.view_submission(HIRE, gb.MODAL_CALLBACK, values, view=again)
    assert running.runtime.settle()
    [stored] = running.container.growth.evidence(actor=Actor.slack(HIRE), hire=HIRE).items
    assert stored.tags == sorted(suggested)
    assert stored.visibility.value == "private"


def test_clearing_the_suggested_tags_saves_the_win_untagged(
    enrolled_app: RunningApp,  # noqa: F811 - the fixture imported above
) -> None:
    """Suggestions are offered once: cleared and saved again, the win is recorded untagged."""
    running = enrolled_app
    modal = _pulse_modal(running)
    text = "Redacted PII from the logs before they reach the model"
    again = running.slack.view_submission(HIRE, gb.MODAL_CALLBACK, _typed(text), view=modal)
    values = _typed(text, block=gb.TAGS_REVIEW_BLOCK)
    saved = running.slack.view_submission(
        HIRE, gb.MODAL_CALLBACK, values, view=again.json()["view"]
    )
    assert saved.body == ""
    assert running.runtime.settle()
    [stored] = running.container.growth.evidence(actor=Actor.slack(HIRE), hire=HIRE).items
    assert stored.tags == []
