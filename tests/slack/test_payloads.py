"""Payload parsing with plain dicts, shaped like Slack's documented payloads."""

from __future__ import annotations

import pytest

from bot.slack import payloads as pl


def test_slash_command() -> None:
    """A slash command body becomes a typed command; the log-safe subcommand is one word."""
    body = {
        "command": "/onramp",
        "text": "  mark d30-x done private note ",
        "user_id": "U1",
        "team_id": "T1",
        "channel_id": "D1",
        "response_url": "https://hooks.slack.com/x",
        "trigger_id": "1.2.3",
    }
    command = pl.slash_command(body)
    assert command.text == "mark d30-x done private note"
    assert command.subcommand == "mark"
    assert command.response_url == "https://hooks.slack.com/x"


def test_slash_command_without_user_is_rejected() -> None:
    """A body missing the user id is a PayloadError, not a KeyError."""
    with pytest.raises(pl.PayloadError, match="user_id"):
        pl.slash_command({"command": "/onramp", "text": "help"})


def test_home_opened_defaults_to_the_home_tab() -> None:
    """Old payloads without ``tab`` meant the Home tab."""
    assert pl.home_opened({"type": "app_home_opened", "user": "U1"}).is_home
    assert not pl.home_opened({"type": "app_home_opened", "user": "U1", "tab": "messages"}).is_home


def test_status_selection() -> None:
    """A status select on Home gives who, which milestone and what status."""
    body = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "actions": [
            {
                "action_id": pl.MILESTONE_STATUS_ACTION,
                "block_id": "milestone:d30-x",
                "selected_option": {"value": "blocked"},
            }
        ],
    }
    assert pl.status_selection(body) == pl.StatusSelection("U1", "d30-x", "blocked")


def test_status_selection_from_another_block_is_rejected() -> None:
    """A block_id that names no milestone is refused."""
    body = {
        "user": {"id": "U1"},
        "actions": [
            {
                "action_id": pl.MILESTONE_STATUS_ACTION,
                "block_id": "other",
                "selected_option": {"value": "done"},
            }
        ],
    }
    with pytest.raises(pl.PayloadError, match="names no milestone"):
        pl.status_selection(body)


@pytest.mark.parametrize(
    ("event", "echo"),
    [
        ({"type": "message", "user": "U1", "text": "hi"}, False),
        ({"type": "message", "bot_id": "B1", "text": "hi"}, True),
        ({"type": "message", "subtype": "message_changed"}, True),
        ({"type": "message", "user": "UBOT", "text": "hi"}, True),
        ({"type": "app_home_opened", "user": "U1"}, False),
    ],
)
def test_echoes(event: dict[str, str], echo: bool) -> None:
    """Bot messages, our own user's messages and edit echoes are echoes; people are not."""
    envelope = pl.event_envelope({"type": "event_callback", "event_id": "Ev1", "event": event})
    assert envelope is not None
    assert pl.is_echo(envelope, bot_user_id="UBOT") is echo


def test_request_kind_never_includes_free_text() -> None:
    """Log labels carry the subcommand word only, never the note or question."""
    kind = pl.request_kind({"command": "/onramp", "text": "mark d30 done my secret note"})
    assert kind == ("command", "/onramp mark")
