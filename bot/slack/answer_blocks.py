"""Q&A in Slack: pure functions from an :class:`~bot.services.answers.Answer` to Block Kit, the
feedback buttons and their clicks, and every string the Q&A surface shows.

Nothing here calls Slack or the database. The answer's own words come from the answer service
(:mod:`bot.services.answer_text`); this module adds what only Slack needs: the sources line, the
fallback note, 👍/👎 buttons and the "Thanks — recorded" state. Every output fits Slack's limits
by construction (``tests/slack/test_qa_blocks.py`` checks them with :mod:`bot.slack.limits`).

Broadcasts: the service strips ``<!channel>``-style mentions from answers already; the renderer
strips them again (:func:`bot.domain.guardrails.strip_broadcasts`) and then escapes ``&``, ``<``
and ``>``, so no text that reaches Slack can form a mention, a broadcast or a link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.guardrails import strip_broadcasts
from bot.services import answer_text
from bot.services.answers import FALLBACK, Answer, Citation
from bot.slack import limits
from bot.slack.blocks import Block, Reply, clip, context, esc, fit, packed
from bot.slack.payloads import PayloadError

# --- strings (the Q&A surface's, in one place) -------------------------------------------------

ASK_USAGE = "{cmd} ask <question>"
ASK_SUMMARY = "ask about your role or your own plan; answers cite the blueprint"
ASK_EMPTY = (
    "Ask me something about your role or your plan, for example "
    "`{cmd} ask What are the 60-day goals?`"
)
ASKED = "*You asked:* {question}"
LOOKING_UP = ":hourglass_flowing_sand: Looking that up…"
SOURCES = "*Sources:* {sources}"
SOURCE_SEPARATOR = " · "
FALLBACK_NOTE = (
    ":information_source: Claude is unavailable right now, so this answer quotes the blueprint "
    "directly."
)
HELPFUL = "👍 Helpful"
NOT_HELPFUL = "👎 Not helpful"
THANKS = {
    1: "Thanks — recorded: 👍 helpful.",
    -1: "Thanks — recorded: 👎 not helpful. Your mentor or manager can help with what I missed.",
}
FEEDBACK_GONE = (
    "I couldn't record that: the answer is no longer on record (old answers are purged). "
    "Ask again and rate the new answer."
)
GREETING = (
    "Hi! I answer questions about your role from its blueprint, with sources, and about your own "
    "onboarding plan. Pick a suggestion or ask your own question."
)
PROMPTS_TITLE = "Try asking"
SUGGESTED_PROMPTS = (
    "What should I focus on this week?",
    "What's left for day 60?",
    "How is success measured in this role?",
)
THINKING = "thinking…"

# --- ids -------------------------------------------------------------------------------------

FEEDBACK_UP = "qa_feedback_up"
FEEDBACK_DOWN = "qa_feedback_down"
FEEDBACK_VALUES = {FEEDBACK_UP: 1, FEEDBACK_DOWN: -1}
FEEDBACK_BLOCK = "qa_feedback"
SOURCES_BLOCK = "qa_sources"
NOTE_BLOCK = "qa_note"
THANKS_BLOCK = "qa_thanks"
ASKED_BLOCK = "qa_asked"

#: Blocks around the answer text: the question, sources, the fallback note, the buttons.
_TRAILING_BLOCKS = 4

# --- rendering -------------------------------------------------------------------------------


def safe_text(text: str) -> str:
    """Answer text as Slack mrkdwn that cannot mention, broadcast or link: broadcasts stripped
    (last line of defence), then ``&``, ``<`` and ``>`` escaped."""
    return esc(strip_broadcasts(text))


def _section_heading(citation: Citation) -> str:
    """``7) KPIs and Productivity Metrics`` → ``§7 KPIs and Productivity Metrics``."""
    title = re.sub(r"^\d+\)\s*", "", citation.heading)
    return f"§{citation.section} {title}"


def sources_line(citations: Sequence[Citation]) -> str | None:
    """``*Sources:* §7 KPIs … · §3 Core Responsibilities › …`` (each heading once), or None."""
    seen: list[str] = []
    for citation in citations:
        heading = _section_heading(citation)
        if heading not in seen:
            seen.append(heading)
    if not seen:
        return None
    line = SOURCES.format(sources=SOURCE_SEPARATOR.join(safe_text(h) for h in seen))
    return clip(line, limits.CONTEXT_TEXT)


def _fallback_note(answer: Answer) -> tuple[str, str | None]:
    """The answer's text without the note the service appended (``_(…)_`` on the last line),
    and that note's sentence (what went wrong with Claude), if any."""
    text = answer.text.rstrip()
    head, _, last = text.rpartition("\n")
    if answer.backend == FALLBACK and last.startswith("_(") and last.endswith(")_"):
        return head.rstrip(), last[2:-2]
    return text, None


def _body(answer: Answer) -> str:
    # The service appends its note to the text; Slack shows it as a context line instead.
    return safe_text(_fallback_note(answer)[0])


def feedback_buttons(qa_id: int) -> Block:
    """👍/👎 for a logged answer; each button's value is the ``qa_log`` id."""
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK,
        "elements": [
            {
                "type": "button",
                "action_id": FEEDBACK_UP,
                "text": {"type": "plain_text", "text": HELPFUL, "emoji": True},
                "value": str(qa_id),
            },
            {
                "type": "button",
                "action_id": FEEDBACK_DOWN,
                "text": {"type": "plain_text", "text": NOT_HELPFUL, "emoji": True},
                "value": str(qa_id),
            },
        ],
    }


def _with_id(block: Block, block_id: str) -> Block:
    return {**block, "block_id": block_id}


def answer_reply(answer: Answer, *, asked: str | None = None) -> Reply:
    """An answer as a message: its text, the sources, a note when Claude was unavailable, and
    👍/👎 buttons when it was logged. ``asked`` (for ``/onramp ask``, where Slack shows no trace
    of the question) repeats the question above the answer.

    Refusals keep the buttons too: a 👎 on a refusal is how a wrongly refused question (a
    threshold set too strict) shows up in ``qa_log``.
    """
    body = _body(answer)
    lines = body.split("\n") if body else [safe_text(answer_text.ASK_MENTOR)]
    blocks = fit(packed(lines), limits.MESSAGE_BLOCKS - _TRAILING_BLOCKS)
    if asked:
        blocks.insert(
            0, _with_id(context(ASKED.format(question=safe_text(clip(asked, 300)))), ASKED_BLOCK)
        )
    sources = sources_line(answer.citations)
    if sources is not None:
        blocks.append(_with_id(context(sources), SOURCES_BLOCK))
    if answer.backend == FALLBACK:
        sentence = _fallback_note(answer)[1]
        note = f":information_source: {safe_text(sentence)}" if sentence else FALLBACK_NOTE
        blocks.append(_with_id(context(clip(note, limits.CONTEXT_TEXT)), NOTE_BLOCK))
    if answer.qa_id is not None:
        blocks.append(feedback_buttons(answer.qa_id))
    return Reply(text=clip(body or answer_text.ASK_MENTOR, limits.SECTION_TEXT), blocks=blocks)


def recorded(blocks: Sequence[Mapping[str, Any]], value: int) -> list[Block]:
    """The answer's blocks after a 👍/👎: the buttons replaced by "Thanks — recorded"."""
    kept = [
        dict(b)
        for b in blocks
        if b.get("block_id") not in (FEEDBACK_BLOCK, THANKS_BLOCK) and b.get("type") != "actions"
    ]
    return [*kept, _with_id(context(THANKS[value]), THANKS_BLOCK)]


def recorded_reply(blocks: Sequence[Mapping[str, Any]], text: str, value: int) -> Reply:
    """:func:`recorded` as a message, keeping the original fallback text."""
    return Reply(text=text or THANKS[value], blocks=recorded(blocks, value))


def text_only(text: str) -> Reply:
    """A short Q&A notice (usage, errors) made safe like an answer."""
    safe = safe_text(text)
    return Reply(text=clip(safe, limits.SECTION_TEXT), blocks=packed(safe.split("\n")))


# --- parsing clicks --------------------------------------------------------------------------


class FeedbackError(PayloadError):
    """A feedback click that is not the shape :func:`feedback_buttons` renders."""


@dataclass(frozen=True)
class Feedback:
    """A 👍 (1) or 👎 (-1) on the answer logged as ``qa_id``."""

    qa_id: int
    value: int


def parse_feedback(action: Mapping[str, Any]) -> Feedback:
    """The click of one of :func:`feedback_buttons` (one element of ``body["actions"]``)."""
    value = FEEDBACK_VALUES.get(str(action.get("action_id")))
    if value is None:
        raise FeedbackError(f"not a feedback button: {str(action.get('action_id'))[:40]!r}")
    raw = str(action.get("value") or "")
    if not raw.isdigit():
        raise FeedbackError(f"feedback button value {raw[:20]!r} is not a qa_log id")
    return Feedback(qa_id=int(raw), value=value)


__all__ = [
    "ASK_EMPTY",
    "ASK_SUMMARY",
    "ASK_USAGE",
    "FEEDBACK_BLOCK",
    "FEEDBACK_DOWN",
    "FEEDBACK_GONE",
    "FEEDBACK_UP",
    "GREETING",
    "LOOKING_UP",
    "PROMPTS_TITLE",
    "SUGGESTED_PROMPTS",
    "THANKS",
    "THINKING",
    "Feedback",
    "FeedbackError",
    "answer_reply",
    "parse_feedback",
    "recorded",
    "recorded_reply",
    "safe_text",
    "sources_line",
    "text_only",
]
