"""Growth check-ins as Block Kit: the rater's DM, the rating modal, the side-by-side DM.

Every string a rater sees lives here. Pure functions: a :class:`Message` or a
:class:`RaterForm` in, blocks out; a ``view_submission``'s state in, :class:`Rating` s out.
Levels are shown in the blueprint's words (the plan's rubric labels and anchors), stored as
their 1-based rank.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.checkins import Message
from bot.services.growth_rounds import (
    Comparison,
    ComparisonLine,
    RaterForm,
    Rating,
    Role,
    Side,
    round_label,
)
from bot.slack import limits
from bot.slack.blocks import (
    Block,
    Reply,
    clip,
    context,
    divider,
    esc,
    header,
    packed,
    section,
    text_input,
)
from bot.slack.focus_blocks import choose_button
from bot.slack.payloads import PayloadError

RATE_ACTION = "growth_rate"
MODAL_CALLBACK = "growth_rate_modal"
LEVEL_BLOCK = "growth_level:"
COMMENT_BLOCK = "growth_comment:"
EVIDENCE_BLOCK = "growth_evidence:"
LEVEL_INPUT = "level"
COMMENT_INPUT = "comment"
EVIDENCE_INPUT = "evidence"

SELF_HEADER = "Growth check-in · {round}"
SELF_BODY = (
    "Time for your {round} growth check-in, {name}. Rate yourself on each of the {count} "
    "dimensions of the *{plan}* rubric, in the blueprint's words, with a comment or evidence for "
    "each. Your manager rates you too; neither of you sees the other's ratings until you both "
    "have submitted (or the round closes{closes})."
)
MANAGER_HEADER = "Growth check-in for {name} · {round}"
MANAGER_BODY = (
    "<@{hire}>'s {round} growth check-in is open. Rate them on each of the {count} dimensions "
    "of the *{plan}* rubric, with a comment or evidence for each. They rate themselves too; "
    "neither of you sees the other's ratings until you both have submitted (or the round "
    "closes{closes})."
)
MENTOR_HEADER = "Growth check-in for your mentee {name} · {round}"
MENTOR_BODY = (
    "<@{hire}>'s {round} growth check-in is open, and their plan asks mentors to rate too. Rate "
    "them on each of the {count} dimensions of the *{plan}* rubric, with a comment or evidence "
    "for each. Nobody sees the ratings until <@{hire}> and their manager have both submitted "
    "(or the round closes{closes})."
)
CLOSES = " on {when:%a %d %b}"
RATE_BUTTON = "Rate now"
SUBMITTED = "✓ Ratings submitted · {at:%a %d %b %H:%M %Z}. You'll get the side-by-side here."
MODAL_TITLE = "Growth check-in"
MODAL_SUBMIT = "Submit ratings"
MODAL_INTRO_SELF = "Rate yourself on each dimension. Each rating needs a comment or evidence."
MODAL_INTRO_OTHER = "Rate <@{hire}> on each dimension. Each rating needs a comment or evidence."
MODAL_BLIND = "_Blind: nobody sees these until you both have submitted or the round closes._"
LEVEL_PLACEHOLDER = "Pick a level"
COMMENT_LABEL = "Why? (comment)"
COMMENT_PLACEHOLDER = "What you saw, or what would move it up"
EVIDENCE_LABEL = "Evidence"
EVIDENCE_PLACEHOLDER = "Pick evidence"
REVEAL_HEADER = "Growth check-in · {round} side by side"
REVEAL_BODY = "<@{hire}>'s {round} ratings, self and manager side by side{previous}:"
REVEAL_PREVIOUS = " (the {round} round in brackets)"
REVEAL_ONE_SIDE = "The round closed before both had submitted; the missing side shows as —."
REVEAL_LINE = "*{title}* — self: {self_side} · manager: {manager_side}{mentors}{before}{flag}"
REVEAL_MENTOR = " · mentor: {side}"
REVEAL_WHY = "\n      _{who}:_ “{comment}”"
#: How much of each rater's comment the side-by-side quotes (the rest is in the record).
REVEAL_COMMENT_CHARS = 280
REVEAL_BEFORE = " _(was {self_side} / {manager_side})_"
REVEAL_FLAG = "  ⚑ *{gap} levels apart: worth a conversation*"
REVEAL_FOOTER = (
    "⚑ marks a gap of two levels or more. Talk it through in your next 1:1; "
    "`/onramp growth` shows the latest ratings beside the evidence on each dimension."
)
NONE = "—"


_WORDS = {
    Role.SELF: (SELF_HEADER, SELF_BODY),
    Role.MANAGER: (MANAGER_HEADER, MANAGER_BODY),
    Role.MENTOR: (MENTOR_HEADER, MENTOR_BODY),
}


def _closes(form: RaterForm) -> str:
    return CLOSES.format(when=form.closes_at) if form.closes_at else ""


def render_round(message: Message) -> Reply:
    """The rater's DM: what the round is, and the button that opens the modal."""
    form = message.growth_form
    assert form is not None  # noqa: S101 - composed with its form
    label = round_label(form.round)
    values = {
        "round": label,
        "name": esc(form.hire_name),
        "hire": form.hire,
        "count": len(form.dimensions),
        "plan": esc(form.plan_title),
        "closes": _closes(form),
    }
    header_text, body_text = _WORDS[form.role]
    title, body = header_text.format(**values), body_text.format(**values)
    blocks: list[Block] = [header(title), section(body)]
    if form.submitted_at is not None:
        blocks.append(context(SUBMITTED.format(at=_local(form.submitted_at, form.rater_tz))))
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"growth_round:{form.outbox_id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": RATE_ACTION,
                        "style": "primary",
                        "text": {"type": "plain_text", "text": RATE_BUTTON},
                        "value": str(form.outbox_id),
                    }
                ],
            }
        )
    return Reply(text=f"{title}: {body}", blocks=blocks)


def _local(at: datetime, tz: str | None) -> datetime:
    """``at`` on the rater's clock (UTC when Slack never told us their zone)."""
    try:
        return at.astimezone(ZoneInfo(tz)) if tz else at.astimezone(UTC)
    except (ZoneInfoNotFoundError, ValueError):
        return at.astimezone(UTC)


def _side(side: Side | None) -> str:
    return NONE if side is None else f"{side.level} {esc(side.label)}"


def _line(line: ComparisonLine, comparison: Comparison) -> str:
    before = ""
    if comparison.previous_round and (line.previous_self or line.previous_manager):
        before = REVEAL_BEFORE.format(
            self_side=_side(line.previous_self), manager_side=_side(line.previous_manager)
        )
    flag = ""
    if line.flagged:
        assert line.self_side is not None  # noqa: S101 - flagged needs both sides
        assert line.manager_side is not None  # noqa: S101
        flag = REVEAL_FLAG.format(gap=abs(line.self_side.level - line.manager_side.level))
    why = "".join(
        REVEAL_WHY.format(who=who, comment=esc(clip(side.comment, REVEAL_COMMENT_CHARS)))
        for who, side in (
            ("self", line.self_side),
            ("manager", line.manager_side),
            *(("mentor", m) for m in line.mentors),
        )
        if side is not None and side.comment
    )
    return (
        REVEAL_LINE.format(
            title=esc(line.title),
            self_side=_side(line.self_side),
            manager_side=_side(line.manager_side),
            mentors="".join(REVEAL_MENTOR.format(side=_side(m)) for m in line.mentors),
            before=before,
            flag=flag,
        )
        + why
    )


def render_reveal(message: Message) -> Reply:
    """The side-by-side DM: each dimension's self and manager levels, the previous round's
    beside them, gaps of two levels or more flagged."""
    comparison = message.comparison
    assert comparison is not None  # noqa: S101 - composed with its comparison
    assert message.hire is not None  # noqa: S101
    label = round_label(comparison.round)
    previous = (
        REVEAL_PREVIOUS.format(round=round_label(comparison.previous_round))
        if comparison.previous_round
        else ""
    )
    title = REVEAL_HEADER.format(round=label)
    body = REVEAL_BODY.format(hire=message.hire.user_id, round=label, previous=previous)
    blocks: list[Block] = [header(title), section(body)]
    blocks += packed(_line(line, comparison) for line in comparison.lines)
    if not comparison.complete:
        blocks.append(context(REVEAL_ONE_SIDE))
    blocks += [divider(), context(REVEAL_FOOTER)]
    blocks.append(choose_button(message.hire.user_id))  # the growth plan, from these gaps
    flagged = sum(1 for line in comparison.lines if line.flagged)
    return Reply(text=f"{title}: {flagged} flagged for a conversation", blocks=blocks)


def _option(text: str, value: str) -> Block:
    return {
        "text": {"type": "plain_text", "text": clip(text, limits.OPTION_TEXT)},
        "value": value,
    }


def rating_modal(form: RaterForm) -> dict[str, Any]:
    """One level select per rubric dimension (the blueprint's labels and anchors), a comment
    and, when the rater may cite any, an evidence multi-select each; within Slack's limits."""
    intro = MODAL_INTRO_SELF if form.role is Role.SELF else MODAL_INTRO_OTHER
    blocks: list[Block] = [section(intro.format(hire=form.hire)), context(MODAL_BLIND)]
    evidence = [_option(f"#{e.id} {e.text}", str(e.id)) for e in form.evidence[: limits.OPTIONS]]
    for dimension in form.dimensions:
        blocks.append(
            {
                "type": "input",
                "block_id": f"{LEVEL_BLOCK}{dimension.id}",
                "label": {"type": "plain_text", "text": clip(dimension.title, 2000)},
                "element": {
                    "type": "static_select",
                    "action_id": LEVEL_INPUT,
                    "placeholder": {"type": "plain_text", "text": LEVEL_PLACEHOLDER},
                    "options": [
                        _option(f"{level.label}: {level.anchor}", str(rank))
                        for rank, level in enumerate(dimension.levels, start=1)
                    ],
                },
            }
        )
        blocks.append(
            {
                "type": "input",
                "block_id": f"{COMMENT_BLOCK}{dimension.id}",
                "optional": True,
                "label": {"type": "plain_text", "text": COMMENT_LABEL},
                "element": text_input(
                    COMMENT_INPUT, placeholder=COMMENT_PLACEHOLDER, max_length=1000
                ),
            }
        )
        if evidence:
            blocks.append(
                {
                    "type": "input",
                    "block_id": f"{EVIDENCE_BLOCK}{dimension.id}",
                    "optional": True,
                    "label": {"type": "plain_text", "text": EVIDENCE_LABEL},
                    "element": {
                        "type": "multi_static_select",
                        "action_id": EVIDENCE_INPUT,
                        "placeholder": {"type": "plain_text", "text": EVIDENCE_PLACEHOLDER},
                        "options": evidence,
                    },
                }
            )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": str(form.outbox_id),
        "title": {"type": "plain_text", "text": MODAL_TITLE},
        "submit": {"type": "plain_text", "text": MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks[: limits.VIEW_BLOCKS],
    }


class RatingPayloadError(PayloadError):
    """The modal's state or metadata is not ours, or is malformed."""


def parse_outbox_id(raw: object) -> int:
    """The outbox id a button value or the modal's ``private_metadata`` carries."""
    text = str(raw or "")
    if not text.isdigit():
        raise RatingPayloadError(f"growth check-in id {text!r}")
    return int(text)


def parse_ratings(values: Mapping[str, Any]) -> dict[str, Rating]:
    """A submitted modal's ``state.values`` → the rating of each dimension (as typed)."""
    found: dict[str, dict[str, Any]] = {}
    for block_id, inputs in values.items():
        for prefix, action in (
            (LEVEL_BLOCK, LEVEL_INPUT),
            (COMMENT_BLOCK, COMMENT_INPUT),
            (EVIDENCE_BLOCK, EVIDENCE_INPUT),
        ):
            if block_id.startswith(prefix):
                found.setdefault(block_id.removeprefix(prefix), {})[action] = (inputs or {}).get(
                    action
                ) or {}
    ratings: dict[str, Rating] = {}
    for dimension_id, parts in found.items():
        selected = (parts.get(LEVEL_INPUT) or {}).get("selected_option") or {}
        level = str(selected.get("value") or "")
        chosen = (parts.get(EVIDENCE_INPUT) or {}).get("selected_options") or []
        ratings[dimension_id] = Rating(
            level=int(level) if level.isdigit() else None,
            comment=(parts.get(COMMENT_INPUT) or {}).get("value"),
            evidence_ids=tuple(
                int(o["value"]) for o in chosen if str(o.get("value", "")).isdigit()
            ),
        )
    return ratings


def errors_for(problems: Mapping[str, str]) -> dict[str, str]:
    """Per-block errors for ``response_action: errors``: a problem shows under the level."""
    return {f"{LEVEL_BLOCK}{d}": clip(p, 150) for d, p in problems.items()}


def error_on_first(view: Mapping[str, Any], problem: str) -> dict[str, str]:
    """A refusal of the whole submission (closed round, already submitted), shown under the
    modal's first input: Slack shows errors only beside inputs."""
    inputs = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    return {str(inputs[0] if inputs else LEVEL_BLOCK): clip(problem, 150)}
