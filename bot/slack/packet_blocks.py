"""What ``/onramp packet`` says, the DM beside an uploaded packet, and the comment modal.

Every string a person reads about review packets is here; the listener
(:mod:`bot.slack.listeners.packet`) only picks one.
"""

from __future__ import annotations

from typing import Any

from bot.services.packet import COMMENT_LIMIT, Packet
from bot.slack.blocks import Block, Reply, context, esc, section, text_input
from bot.slack.payloads import PayloadError

PACKET_USAGE = "{cmd} packet [@user]"
PACKET_SUMMARY = (
    "a hire's review packet (one HTML file) in your DM; your own, to preview and comment on"
)
ONE_PERSON = "Name one hire, e.g. `{cmd} packet @ana` (or nothing to preview your own)."
ON_ITS_WAY = "Building the review packet of <@{hire}>; it will arrive in our DM in a moment."
PREVIEW_ON_ITS_WAY = (
    "Building a preview of your review packet; it will arrive in our DM in a moment, "
    "with a button to add your comment."
)
SENT = "The review packet of <@{hire}> is in our DM."
UPLOAD_COMMENT = (
    "Review packet of <@{hire}> ({since} to {until}): one HTML file that fetches nothing; "
    "open it in a browser, or print it."
)
PREVIEW_COMMENT = (
    "A preview of your review packet ({since} to {until}): exactly what your manager sees when "
    "they pull it. Private evidence and private notes are never in it."
)
PREVIEW_DM = (
    "Anything your manager should read beside it? Add a comment: it is shown in the packet "
    "they pull from now on (a new comment replaces the last)."
)
COMMENT_BUTTON = "Add a comment"
COMMENT_SAVED = (
    "Saved your comment: the review packet your manager pulls shows it. "
    "Run `{cmd} packet` to preview it again."
)
MODAL_TITLE = "Comment on your packet"
MODAL_LABEL = "Your comment"
MODAL_PLACEHOLDER = "What should your manager read beside the packet? Context, a win, a question."

OPEN_COMMENT_ACTION = "packet_comment_open"
MODAL_CALLBACK = "packet_comment"
COMMENT_BLOCK = "packet_comment"
COMMENT_INPUT = "text"


def filename(packet: Packet) -> str:
    """``review-packet-U0HIRE-2027-05-10.html``."""
    return f"review-packet-{packet.hire}-{packet.until.isoformat()}.html"


def upload_comment(packet: Packet) -> str:
    """The message the uploaded file is shared with."""
    words = PREVIEW_COMMENT if packet.preview else UPLOAD_COMMENT
    return words.format(hire=packet.hire, since=packet.since, until=packet.until)


def preview_dm() -> Reply:
    """The hire's DM after their preview: the "Add a comment" button."""
    button: Block = {
        "type": "button",
        "action_id": OPEN_COMMENT_ACTION,
        "text": {"type": "plain_text", "text": COMMENT_BUTTON},
        "style": "primary",
    }
    return Reply(text=PREVIEW_DM, blocks=[section(esc(PREVIEW_DM), accessory=button)])


def comment_modal() -> dict[str, Any]:
    """The modal where the hire writes their comment."""
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": {"type": "plain_text", "text": MODAL_TITLE},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            context("Your manager reads it in your review packet; nobody else gets it."),
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "label": {"type": "plain_text", "text": MODAL_LABEL},
                "element": text_input(
                    COMMENT_INPUT, placeholder=MODAL_PLACEHOLDER, max_length=COMMENT_LIMIT
                ),
            },
        ],
    }


def parse_comment(values: dict[str, Any]) -> str:
    """The comment typed in the modal's ``state.values``."""
    try:
        value = values[COMMENT_BLOCK][COMMENT_INPUT].get("value")
    except (KeyError, AttributeError, TypeError):
        raise PayloadError("the comment modal has no comment field") from None
    return str(value or "")
