"""Block Kit as terminal text (pure functions, plain dicts in, lines out)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.demo.render import Control, Style, blocks_lines, controls, mrkdwn, view_lines
from bot.demo.repl import parse_amount
from bot.demo.world import DemoError

BUTTONS = {
    "type": "actions",
    "block_id": "pulse:1",
    "elements": [
        {
            "type": "button",
            "action_id": "mood:on",
            "value": "1:on",
            "text": {"type": "plain_text", "text": "✅ On track"},
        },
        {
            "type": "button",
            "action_id": "mood:risk",
            "value": "1:risk",
            "text": {"type": "plain_text", "text": "⚠️ At risk"},
        },
    ],
}
OPTIONS = [
    {"text": {"type": "plain_text", "text": "○ Not started"}, "value": "not_started"},
    {"text": {"type": "plain_text", "text": "● Done"}, "value": "done"},
]
ROW = {
    "type": "section",
    "block_id": "ms:1:d30-dev",
    "text": {"type": "mrkdwn", "text": "○ *Set up the dev environment*"},
    "accessory": {
        "type": "static_select",
        "action_id": "milestone",
        "placeholder": {"type": "plain_text", "text": "Status"},
        "options": OPTIONS,
    },
}


def test_buttons_and_selects_are_drawn_as_controls() -> None:
    """Buttons become [ label ]; a select shows its option, or its placeholder, and ▾."""
    chosen = {**ROW, "accessory": {**ROW["accessory"], "initial_option": OPTIONS[1]}}
    lines = blocks_lines([BUTTONS, ROW, chosen])
    assert lines[0] == "[ ✅ On track ]  [ ⚠️ At risk ]"
    assert lines[1] == "○ Set up the dev environment  [ Status ▾ ]"
    assert lines[2] == "○ Set up the dev environment  [ ● Done ▾ ]"


def test_headers_context_dividers_and_fields() -> None:
    """Each block type has a text form: header, section fields side by side, context, rule."""
    lines = blocks_lines(
        [
            {"type": "header", "text": {"type": "plain_text", "text": "Your team"}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Day* 3"},
                    {"type": "mrkdwn", "text": "40%"},
                ],
            },
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Updated _now_"}]},
        ]
    )
    assert lines[0] == "Your team"
    assert lines[1] == "Day 3   40%"
    assert set(lines[2]) == {"─"}
    assert lines[3] == "Updated now"


def test_mrkdwn_becomes_readable_text() -> None:
    """Mentions by name, links by label, emphasis and code marks dropped, escapes undone."""
    names = {"U0ANA": "Ana"}.get
    text = "<@U0ANA|ana> *bold* _it_ `code` &lt;tag&gt; <https://x.io|docs> <!here> <@U0ZED>"
    shown = mrkdwn(text, names=lambda u: names(u) or "")
    assert shown == "@Ana bold it code <tag> docs (https://x.io) @here @U0ZED"


def test_colour_only_when_asked_for() -> None:
    """A colour style wraps headers in ANSI bold; the plain style never emits escapes."""
    header = [{"type": "header", "text": {"type": "plain_text", "text": "Hi"}}]
    assert blocks_lines(header, style=Style(color=True)) == ["\x1b[1mHi\x1b[0m"]
    assert blocks_lines(header) == ["Hi"]


def test_modals_show_their_title_input_and_buttons() -> None:
    """A modal: its title, the input's label and placeholder, then Cancel and Submit."""
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Add a note"},
        "submit": {"type": "plain_text", "text": "Save note"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Anything to add?"},
                "element": {
                    "type": "plain_text_input",
                    "placeholder": {"type": "plain_text", "text": "Say it…"},
                },
            }
        ],
    }
    assert view_lines(modal) == [
        "╭ Add a note ╮",
        "Anything to add?",
        "[ Say it… ]",
        "[ Cancel ]  [ Save note ]",
    ]


def test_controls_are_found_and_matched_by_label() -> None:
    """Buttons match their label without emoji or case; selects know their row and options."""
    found = controls([BUTTONS, ROW])
    buttons = [c for c in found if c.kind == "button"]
    assert [c.value for c in buttons if c.matches("at RISK")] == ["1:risk"]
    [select] = [c for c in found if c.kind == "select"]
    assert select.about("dev environment")
    assert not select.about("retrieval")
    assert select.option("done") == "done"
    assert select.option("Not started") == "not_started"
    assert select.option("finished") is None
    assert Control(kind="button", label="📝 Add a note", action_id="n", block_id="").matches(
        "add a note"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("2h", timedelta(hours=2)),
        ("30m", timedelta(minutes=30)),
        ("1w", timedelta(weeks=1)),
        ("3 days", timedelta(days=3)),
    ],
)
def test_advance_amounts(text: str, expected: timedelta) -> None:
    """advance takes days, hours, minutes and weeks, with or without a space or full word."""
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "2x", "0d", "-1d", "soon", "400d"])
def test_bad_advance_amounts_are_refused(text: str) -> None:
    """Zero, negative, unknown units and more than the limit are refused with a message."""
    with pytest.raises(DemoError, match=r"(?i)advance"):
        parse_amount(text)
