"""Q&A rendering and payload parsing: pure functions, tested with hand-built answers and dicts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.services import answer_text
from bot.services.answers import EXTRACTIVE, FALLBACK, Answer, Citation
from bot.slack import answer_blocks as ab
from bot.slack import limits
from bot.slack.listeners import qa

BROADCAST = re.compile(r"<!(channel|here|everyone|subteam)|[@＠](channel|here|everyone)\b", re.I)
KPIS = Citation(7, "s7", "7) KPIs and Productivity Metrics", "Latency p50/p95 | …")
GOALS = Citation(6, "s6.60-day-goals", "6) Goals, Objectives, and Milestones › 60-day goals", "…")


def _answer(text: str, **changes: Any) -> Answer:
    values: dict[str, Any] = {
        "text": text,
        "refused": False,
        "citations": (KPIS,),
        "backend": EXTRACTIVE,
        "model": None,
        "prompt_version": "answer@v1",
        "latency_ms": 1.0,
        "qa_id": 42,
    }
    values.update(changes)
    return Answer(**values)


def _all_text(reply: ab.Reply) -> str:
    return reply.text + json.dumps(reply.blocks, ensure_ascii=False)


def test_answer_has_text_sources_and_buttons() -> None:
    """An answer renders as its text, one sources line per distinct heading, and 👍/👎 whose
    values are the qa_log id."""
    reply = ab.answer_reply(
        _answer("From the blueprint:\n• p95 < 8s", citations=(KPIS, GOALS, KPIS))
    )
    assert reply.blocks[0]["text"]["text"] == "From the blueprint:\n• p95 &lt; 8s"
    sources = reply.blocks[1]["elements"][0]["text"]
    assert sources == (
        "*Sources:* §7 KPIs and Productivity Metrics · "
        "§6 Goals, Objectives, and Milestones › 60-day goals"
    )
    actions = reply.blocks[-1]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        (ab.FEEDBACK_UP, "42"),
        (ab.FEEDBACK_DOWN, "42"),
    ]
    assert limits.message_problems(text=reply.text, blocks=reply.blocks) == []


def test_renderer_strips_broadcasts_itself() -> None:
    """Even if an answer reached the renderer with broadcasts or mentions (in its text or a
    citation heading), nothing that can notify or link is rendered."""
    nasty = Citation(7, "s7", "7) <!here> KPIs", "q")
    answer = _answer(
        "<!channel> hi <!here|here> <!everyone> <!subteam^S1|devs> @channel ＠here <@U0BOSS>",
        citations=(nasty,),
    )
    text = _all_text(ab.answer_reply(answer, asked="tell @everyone <!channel>"))
    assert BROADCAST.search(text) is None
    assert "<@" not in text
    assert "&lt;@U0BOSS&gt;" in text  # shown, but as text: no ping


def test_fallback_note_moves_to_a_context_line() -> None:
    """When Claude was unavailable, the service's note leaves the text for a context line."""
    answer = _answer(f"From the blueprint:\n• p95\n{answer_text.FALLBACK_NOTE}", backend=FALLBACK)
    reply = ab.answer_reply(answer)
    assert "unavailable" not in reply.blocks[0]["text"]["text"]
    note = next(b for b in reply.blocks if b.get("block_id") == ab.NOTE_BLOCK)
    assert note["elements"][0]["text"] == ab.FALLBACK_NOTE


def test_refusal_keeps_buttons_and_has_no_sources() -> None:
    """A refusal shows its pointer to the mentor or manager, no sources, and 👍/👎 (a 👎 on a
    refusal flags a question that should have been answered)."""
    refusal = _answer(answer_text.NOT_IN_BLUEPRINT.format(role="X"), refused=True, citations=())
    reply = ab.answer_reply(refusal)
    assert answer_text.ASK_MENTOR in reply.blocks[0]["text"]["text"]
    assert ab.SOURCES_BLOCK not in {b.get("block_id") for b in reply.blocks}
    assert reply.blocks[-1]["block_id"] == ab.FEEDBACK_BLOCK


def test_unlogged_answer_has_no_buttons() -> None:
    """Without a qa_log id there is nothing to rate, so no buttons."""
    reply = ab.answer_reply(_answer("text", qa_id=None))
    assert all(b["type"] != "actions" for b in reply.blocks)


def test_huge_answer_fits_slacks_limits() -> None:
    """A very long answer (long lines, many lines) stays within every message limit."""
    text = "\n".join(["x" * 5000] + [f"• line {i} " + "y" * 400 for i in range(400)])
    reply = ab.answer_reply(
        _answer(
            text, citations=tuple(Citation(i, f"s{i}", f"{i}) " + "h" * 300, "") for i in range(30))
        ),
        asked="q" * 5000,
    )
    assert limits.message_problems(text=reply.text, blocks=reply.blocks) == []
    assert reply.blocks[-1]["block_id"] == ab.FEEDBACK_BLOCK


def test_recorded_replaces_buttons_with_thanks() -> None:
    """After a click the buttons give way to “Thanks — recorded”; doing it twice changes nothing
    more."""
    blocks = ab.answer_reply(_answer("the answer")).blocks
    once = ab.recorded(blocks, -1)
    assert all(b["type"] != "actions" for b in once)
    assert once[-1]["elements"][0]["text"] == ab.THANKS[-1]
    assert once[0] == blocks[0]
    assert ab.recorded(once, -1) == once
    assert limits.message_problems(text="t", blocks=once) == []


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"action_id": ab.FEEDBACK_UP, "value": "7"}, ab.Feedback(7, 1)),
        ({"action_id": ab.FEEDBACK_DOWN, "value": "12"}, ab.Feedback(12, -1)),
    ],
)
def test_parse_feedback(action: dict[str, str], expected: ab.Feedback) -> None:
    """A 👍/👎 click becomes the qa_log id and ±1."""
    assert ab.parse_feedback(action) == expected


@pytest.mark.parametrize(
    "action",
    [{"action_id": "other", "value": "1"}, {"action_id": ab.FEEDBACK_UP, "value": "x1"}, {}],
)
def test_parse_feedback_refuses_other_shapes(action: dict[str, str]) -> None:
    """Another button, or a value that is not an id, is a FeedbackError."""
    with pytest.raises(ab.FeedbackError):
        ab.parse_feedback(action)


def test_dm_question_takes_only_peoples_new_messages() -> None:
    """A DM question is a person's plain message; edits, joins and bots are not questions."""
    base = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "q"}
    assert qa.dm_question(base) == qa.Question("U1", "q", "D1", None)
    assert qa.dm_question({**base, "thread_ts": "1.0"}) == qa.Question("U1", "q", "D1", "1.0")
    assert qa.dm_question({**base, "subtype": "message_changed"}) is None
    assert qa.dm_question({**base, "bot_id": "B1"}) is None
    assert qa.dm_question({**base, "channel_type": "channel"}) is None


def test_mention_question_strips_the_bot_and_picks_the_thread() -> None:
    """The bot's own tag is removed (others' stay); the reply thread is the mention's thread, or
    the mention itself."""
    event = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "2.0"}
    text = "<@U0BOT|onramp>  what is <@U2>'s progress?"
    question = qa.mention_question({**event, "text": text}, "U0BOT")
    assert question == qa.Question("U1", "what is <@U2>'s progress?", "C1", "2.0")
    threaded = qa.mention_question({**event, "text": "<@U0BOT> hi", "thread_ts": "1.0"}, None)
    assert threaded == qa.Question("U1", "hi", "C1", "1.0")
    assert qa.mention_question({"type": "app_mention", "user": "U1"}, "U0BOT") is None


def test_assistant_payloads() -> None:
    """Assistant threads give their channel and ts; empty messages are not questions."""
    started = {"assistant_thread": {"channel_id": "D1", "thread_ts": "3.0", "user_id": "U1"}}
    assert qa.assistant_thread(started) == ("D1", "3.0")
    assert qa.assistant_thread({"assistant_thread": {"user_id": "U1"}}) is None
    message = {"user": "U1", "channel": "D1", "thread_ts": "3.0", "text": " hi "}
    assert qa.assistant_question(message) == qa.Question("U1", "hi", "D1", "3.0")
    assert qa.assistant_question({**message, "text": ""}) is None


def test_answer_memory_is_bounded() -> None:
    """The memory of rendered answers forgets the oldest beyond its bound."""
    memory = qa.AnswerMemory(max_entries=2)
    for qa_id in (1, 2, 3):
        memory.remember(qa_id, ab.Reply(text=str(qa_id)))
    assert memory.get(1) is None
    assert [memory.get(i).text for i in (2, 3)] == ["2", "3"]  # type: ignore[union-attr]
