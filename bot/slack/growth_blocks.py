"""Growth in Slack: every string of ``/onramp win``, ``/onramp growth``, ``/onramp paths``, the
evidence modal (from the "Log as evidence" shortcut and the pulse's "Add a win" button), the
corroborator's confirmation and the Growth section on App Home; pure functions from the growth
service's views to what is shown, and from Slack's payloads to what the service takes.

Nothing here calls Slack or the database. Evidence text is the person's own; it is escaped
(:func:`bot.slack.blocks.esc`) so nothing a hire typed can form a mention or a broadcast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.plan import CareerPath, LoadedPlan
from bot.domain.progress import short_date
from bot.services.growth import (
    Citation,
    Confirmation,
    EvidenceForm,
    EvidenceView,
    Item,
    Readiness,
)
from bot.services.growth_rounds import Side, round_label
from bot.services.growth_tags import Tag, TagKind
from bot.slack import limits
from bot.slack.blocks import (
    Block,
    Reply,
    clip,
    context,
    esc,
    header,
    input_block,
    packed,
    section,
    text_input,
    text_reply,
)
from bot.slack.focus_blocks import readiness_lines
from bot.slack.kpi_blocks import readiness_kpi_lines
from bot.slack.payloads import PayloadError

WIN_USAGE = "{cmd} win <what happened> [tag=ID]… [link=URL] [visibility=private|manager|mentors]"
WIN_SUMMARY = "log a win as evidence of growth, tagged to your plan's rubric or skills"
GROWTH_USAGE = "{cmd} growth [@user]"
GROWTH_SUMMARY = "coverage per rubric dimension and promotion criterion, in the blueprint's words"
PATHS_USAGE = "{cmd} paths"
PATHS_SUMMARY = "the next and adjacent roles of your plan, from its blueprint"

WIN_EMPTY = (
    "Say what happened and why it mattered, e.g. `{cmd} win Built the golden eval set that "
    "caught a regression tag=evaluation-mindset`."
)
WIN_RECORDED = "Recorded your win #{id} ({tags}); {seen}."
WIN_UNTAGGED = "untagged: add `tag=ID` next time; `{cmd} growth` lists the ids"
WIN_SEEN = {
    "private": "only you can see it",
    "manager": "you and your manager can see it",
    "mentors": "you, your manager and your mentors can see it",
}
WIN_FOR_SOMEONE = "Recorded a win #{id} for <@{user}> ({tags}); {seen}."
WIN_SEEN_FOR = {
    "private": "only <@{user}> can see it",
    "manager": "<@{user}> and their manager can see it",
    "mentors": "<@{user}>, their manager and their mentors can see it",
}
GROWTH_ONE_PERSON = "Name one person, e.g. `{cmd} growth @ana` (or nothing for your own)."
PICK_PERSON = "Pick the person from the autocomplete: type @ and choose them from the list."
GROWTH_TITLE = "*Growth of <@{user}>* on {plan}"
GROWTH_NO_RATINGS = "No ratings yet: the growth check-ins record them. Below: evidence so far."
GROWTH_RATED = (
    "Ratings are the latest growth check-in both sides can see, in the blueprint's words; "
    "the trend runs over every round (self/manager)."
)
GROWTH_RATING = "     self: {self_side} · manager: {manager_side}{trend}"
GROWTH_TREND = " · trend {points}"
GROWTH_UNRATED = "—"
GROWTH_RUBRIC = "*Rubric* — from {heading}"
GROWTH_PROMOTION = "*Promotion criteria* — from {heading}"
GROWTH_ITEM = "• *{title}* `{id}` — evidence {count} ({corroborated} corroborated)"
GROWTH_TOP_LEVEL = "     {label}: “{anchor}”"
GROWTH_MILESTONES = "*Milestones:* {done} of {total} done"
GROWTH_NEXT = "*Worth a conversation*"
PATHS_TITLE = "*Where the {plan} role leads* — from {heading}"
PATHS_NONE = "The {plan} plan names no next or adjacent roles."
PATHS_KIND = {"next": "Next step", "adjacent": "Adjacent path"}
HOME_GROWTH = "Growth"
HOME_GROWTH_ITEM = "• *{title}* — {rated}evidence {count}"
HOME_GROWTH_RATED = "self {self_side} · manager {manager_side} · "
HOME_GROWTH_HINT = (
    "`{cmd} growth` shows the blueprint's words and what is worth a conversation; "
    "`{cmd} win … tag=ID` logs a win."
)


def win_reply(view: EvidenceView, *, cmd: str, hire: str | None) -> Reply:
    """What the person who logged a win hears: its number, tags and who can see it."""
    tags = ", ".join(f"`{t}`" for t in view.tags) or WIN_UNTAGGED.format(cmd=cmd)
    seen = WIN_SEEN[view.visibility.value]
    if hire is None:
        return text_reply(WIN_RECORDED.format(id=view.id, tags=tags, seen=seen))
    seen = WIN_SEEN_FOR[view.visibility.value].format(user=hire)
    return text_reply(WIN_FOR_SOMEONE.format(id=view.id, user=hire, tags=tags, seen=seen))


def growth_reply(view: Readiness, *, plan_title: str) -> Reply:
    """The readiness view: per dimension and criterion the evidence and the blueprint's top
    level, milestones done, and the gaps; no percentage and no verdict."""
    rated = any(d.ratings.trend for d in view.dimensions)
    lines = [
        GROWTH_TITLE.format(user=view.user, plan=esc(plan_title)),
        GROWTH_RATED if rated else GROWTH_NO_RATINGS,
    ]
    lines += _items(GROWTH_RUBRIC, view.dimensions)
    lines += _items(GROWTH_PROMOTION, view.promotion)
    lines += readiness_kpi_lines(view.kpis)
    lines += ["", GROWTH_MILESTONES.format(done=view.milestones_done, total=view.milestones_total)]
    lines += readiness_lines(view.focus)
    if view.next_steps:
        lines += [
            "",
            GROWTH_NEXT,
            *(f"• {esc(s.text)} ({_cited(s.source)})" for s in view.next_steps),
        ]
    return text_reply("\n".join(lines))


def home_growth_blocks(view: Readiness, *, cmd: str) -> list[Block]:
    """The compact Growth section of a hire's own Home: evidence per rubric dimension and
    milestones done, pointing to ``growth`` and ``win``; no percentage and no verdict."""
    lines = [
        HOME_GROWTH_ITEM.format(title=esc(d.title), rated=_home_rated(d), count=d.evidence.count)
        for d in view.dimensions
    ]
    lines += readiness_kpi_lines(view.kpis)
    lines.append(GROWTH_MILESTONES.format(done=view.milestones_done, total=view.milestones_total))
    lines += readiness_lines(view.focus)
    return [header(HOME_GROWTH), *packed(lines), context(HOME_GROWTH_HINT.format(cmd=cmd))]


def _home_rated(item: Item) -> str:
    """The latest self and manager labels, for the Home's one line a dimension."""
    if not item.ratings.trend:
        return ""
    sides = (item.ratings.self_side, item.ratings.manager_side)
    self_side, manager_side = (GROWTH_UNRATED if s is None else esc(s[1].label) for s in sides)
    return HOME_GROWTH_RATED.format(self_side=self_side, manager_side=manager_side)


def _items(heading: str, items: Sequence[Item]) -> list[str]:
    if not items:
        return []
    lines = ["", heading.format(heading=esc(items[0].source.heading))]
    for item in items:
        lines.append(
            GROWTH_ITEM.format(
                title=esc(item.title),
                id=item.id,
                count=item.evidence.count,
                corroborated=item.evidence.corroborated,
            )
        )
        if item.ratings.trend:
            lines.append(rating_line(item))
        if item.levels:
            top = item.levels[-1]
            lines.append(
                GROWTH_TOP_LEVEL.format(label=esc(top["label"]), anchor=esc(top["anchor"]))
            )
        elif item.detail:
            lines.append(f"     “{esc(item.detail)}”")
    return lines


def rating_line(item: Item) -> str:
    """A dimension's latest self and manager ratings by the blueprint's labels (with their
    round), and over more than one round the trend as ``self/manager`` levels."""

    def side(latest: tuple[str, Side] | None) -> str:
        if latest is None:
            return GROWTH_UNRATED
        ref, rated = latest
        return f"{esc(rated.label)} ({round_label(ref)})"

    trend = ""
    if len(item.ratings.trend) > 1:
        points = " → ".join(
            f"{round_label(p['round'])} {p.get('self') or GROWTH_UNRATED}/"
            f"{p.get('manager') or GROWTH_UNRATED}"
            for p in item.ratings.trend
        )
        trend = GROWTH_TREND.format(points=points)
    return GROWTH_RATING.format(
        self_side=side(item.ratings.self_side),
        manager_side=side(item.ratings.manager_side),
        trend=trend,
    )


def paths_reply(loaded: LoadedPlan, paths: Sequence[CareerPath], cite: Citation | None) -> Reply:
    """``/onramp paths``: each role in the blueprint's words, next steps first, cited."""
    title = esc(loaded.plan.title)
    if not paths or cite is None:
        return text_reply(PATHS_NONE.format(plan=title))
    lines = [PATHS_TITLE.format(plan=title, heading=esc(cite.heading))]
    for path in sorted(paths, key=lambda p: p.kind != "next"):
        detail = f" — {esc(path.detail)}" if path.detail else ""
        lines.append(f"• *{esc(path.title)}* ({PATHS_KIND[path.kind]}){detail} `{path.source}`")
    return text_reply("\n".join(lines))


def _cited(source: Citation) -> str:
    return f"§{source.section}" if source.section is not None else source.id


# --- the evidence modal, the shortcut, the pulse button and the confirmation ---------------

SHORTCUT_CALLBACK = "log_evidence"
ADD_WIN_ACTION = "growth_add_win"
CONFIRM_ACTION = "evidence_confirm"
MODAL_CALLBACK = "evidence_modal"
TEXT_BLOCK, TEXT_INPUT = "evidence_text", "text"
LINK_BLOCK, LINK_INPUT = "evidence_link", "link"
TAGS_BLOCK, TAGS_INPUT = "evidence_tags", "tags"
TAGS_REVIEW_BLOCK = "evidence_tags_suggested"  # the tags block when shown again to review
SEEN_BLOCK, SEEN_INPUT = "evidence_visibility", "visibility"
WITNESS_BLOCK, WITNESS_INPUT = "evidence_corroborator", "corroborator"
#: The input block each field of :class:`~bot.services.growth.EvidenceInputError` belongs to.
FIELD_BLOCKS = {
    "text": TEXT_BLOCK,
    "link": LINK_BLOCK,
    "tags": TAGS_BLOCK,
    "visibility": SEEN_BLOCK,
    "corroborator": WITNESS_BLOCK,
}
#: How much of a message the shortcut quotes: a few sentences, the permalink has the rest.
EXCERPT_LIMIT = 500
#: Who sees a new piece of evidence when nobody changes it (as ``/onramp win`` and the CLI).
DEFAULT_SEEN = "manager"

SHORTCUT = {
    "name": "Log as evidence",
    "type": "message",
    "callback_id": SHORTCUT_CALLBACK,
    "description": "Record this message as evidence of your growth (or your hire's)",
}
ADD_WIN_LABEL = "🏆 Add a win"
SHORTCUT_NO_TEXT = (
    "That message has no text to quote (only files or attachments?). Describe the win "
    "yourself with `{cmd} win <what happened> link=<the message's link>`."
)
MODAL_TITLE = "Log a win"
MODAL_SUBMIT = "Save"
MODAL_ABOUT_ME = "Evidence of *your* growth, on your plan's rubric, skills and milestones."
MODAL_ABOUT_HIRE = "Evidence of <@{hire}>'s growth, on their plan's rubric, skills and milestones."
MODAL_TEXT_LABEL = "What happened, and why it mattered"
MODAL_TEXT_PLACEHOLDER = "Shipped the eval harness; it caught a regression before release."
MODAL_FROM_MESSAGE = "From <{link}|this message> (its link is kept with the evidence)."
MODAL_LINK_LABEL = "Link (a PR, a doc, a dashboard)"
MODAL_TAGS_LABEL = "Tags"
MODAL_TAGS_PLACEHOLDER = "Rubric, skills, milestones"
MODAL_TAGS_SUGGESTED = "Suggested from the text: keep, remove or add any."
MODAL_REVIEW_TAGS = (
    "I picked tags that match your text, below: keep, change or clear them, then *Save*."
)
MODAL_TAGS_HINT = (
    "What this shows: a rubric dimension, a skill, a promotion criterion or a milestone."
)
MODAL_SEEN_LABEL = "Who can see it"
MODAL_SEEN_HINT = "Fixed once saved."
MODAL_SEEN_MINE = {
    "private": "Only me",
    "manager": "Me and my manager",
    "mentors": "Me, my manager and my mentors",
}
MODAL_SEEN_THEIRS = {
    "private": "Only them",
    "manager": "Them and their manager",
    "mentors": "Them, their manager and their mentors",
}
MODAL_WITNESS_LABEL = "Someone who saw it"
MODAL_WITNESS_HINT = (
    "Optional. They get a DM with this text and a Confirm button, so they can read this one "
    "item whoever else can see it."
)
TAG_GROUPS = {
    TagKind.DIMENSION: "Rubric",
    TagKind.SKILL: "Skills",
    TagKind.CRITERION: "Promotion criteria",
    TagKind.MILESTONE: "Milestones",
}
WITNESS_NOT_A_PERSON = "Pick a person who saw it: not an app, nor a deactivated account."
WITNESS_ASKED = "I've asked <@{user}> to confirm it."
CONFIRM_HEADER = "Can you confirm this?"
CONFIRM_ASK_OWN = "<@{author}> logged a win and named you as someone who saw it:"
CONFIRM_ASK_FOR = (
    "<@{author}> logged this as evidence of <@{hire}>'s growth and named you as someone who saw it:"
)
CONFIRM_LINK = "<{link}|Link>"
CONFIRM_FOOTER = (
    "Confirm only what you saw. Confirming marks it corroborated in their growth view; you see "
    "nothing else of theirs."
)
CONFIRMED_YOURS = "✓ <@{by}> confirmed your win #{id}: “{text}”. It now counts as corroborated."
CONFIRMED_FOR = (
    "✓ <@{by}> confirmed the win #{id} you logged for <@{hire}>: “{text}”. It now counts as "
    "corroborated."
)
CONFIRM_BUTTON = "✓ Confirm"
CONFIRMED = "✓ You confirmed this on {day}. Thank you!"
CONFIRMED_BEFORE = "✓ Already confirmed on {day}; nothing changed."

_MARKUP = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_SPACES = re.compile(r"[ \t]+")


class EvidencePayloadError(PayloadError):
    """An evidence payload (shortcut, modal, confirm button) that is not the shape we sent."""


@dataclass(frozen=True)
class ShortcutMessage:
    """The message a "Log as evidence" shortcut was used on, and by whom."""

    user: str
    channel: str
    ts: str
    text: str
    author: str | None  # who wrote it (None for a bot's message)
    trigger_id: str


@dataclass(frozen=True)
class ModalContext:
    """What the modal carries in ``private_metadata``: whose growth, the message's link, and
    where it was opened from (the evidence's ``source``)."""

    hire: str
    link: str | None
    source: str
    suggested: bool = False


@dataclass(frozen=True)
class EvidenceInput:
    """What a person entered in the evidence modal."""

    text: str
    tags: list[str]
    link: str | None
    visibility: str
    corroborator: str | None


def parse_shortcut(body: Mapping[str, Any]) -> ShortcutMessage:
    """A ``message_action`` payload → :class:`ShortcutMessage` (text as Slack sent it)."""
    message = body.get("message")
    channel = body.get("channel")
    user = body.get("user")
    if not isinstance(message, Mapping) or not isinstance(user, Mapping):
        raise EvidencePayloadError("message_action without message or user")
    channel_id = channel.get("id") if isinstance(channel, Mapping) else None
    ts = body.get("message_ts") or message.get("ts")
    if not channel_id or not ts or not user.get("id"):
        raise EvidencePayloadError("message_action without channel, ts or user id")
    author = message.get("user") if not message.get("bot_id") else None
    return ShortcutMessage(
        user=str(user["id"]),
        channel=str(channel_id),
        ts=str(ts),
        text=str(message.get("text") or ""),
        author=str(author) if author else None,
        trigger_id=str(body.get("trigger_id") or ""),
    )


def unescape(text: str) -> str:
    """Slack's three escapes undone (it sends ``&``, ``<`` and ``>`` as entities), so a link's
    query string and "R&D" are stored as typed; every reply escapes them again."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mentioned(text: str, *, limit: int = 10) -> list[str]:
    """The user ids a message mentions without a name (``<@U123>``), first ``limit``, once."""
    found = [
        m.group(1)[1:] for m in _MARKUP.finditer(text) if m.group(1)[0] == "@" and not m.group(2)
    ]
    return list(dict.fromkeys(u for u in found if u))[:limit]


def excerpt(
    text: str, limit: int = EXCERPT_LIMIT, *, names: Mapping[str, str] | None = None
) -> str:
    """A message's text as a person reads it, at most ``limit`` characters: mentions as
    ``@name`` (from the mention, else ``names``, else the id), channels as ``#name``, links as
    their label and URL, broadcasts dropped, Slack's three escapes undone, runs of spaces
    folded; cut at a word with "…" when longer."""
    known = names or {}

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target[0] == "@":
            return "@" + (label or known.get(target[1:]) or target[1:])
        if target[0] == "#":
            return "#" + (label or target[1:])
        if target[0] == "!":  # <!here>, <!subteam^S1|@team>, <!date^…|fallback>
            return label or ""
        return target if not label or label == target else f"{label} ({target})"

    text = _MARKUP.sub(plain, text)
    text = unescape(text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.strip().splitlines())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def add_win_button(value: str) -> Block:
    """The pulse's "Add a win" button: it opens the evidence modal for the hire."""
    return {
        "type": "button",
        "action_id": ADD_WIN_ACTION,
        "text": {"type": "plain_text", "text": ADD_WIN_LABEL, "emoji": True},
        "value": value,
    }


def _option(tag: Tag) -> Block:
    return {
        "text": {"type": "plain_text", "text": clip(tag.title, limits.OPTION_TEXT)},
        "value": tag.id,
    }


def _seen_option(value: str, labels: Mapping[str, str]) -> Block:
    return {"text": {"type": "plain_text", "text": labels[value]}, "value": value}


def evidence_modal(
    form: EvidenceForm,
    *,
    me: str,
    text: str = "",
    link: str | None = None,
    source: str,
    entered: EvidenceInput | None = None,
) -> dict[str, Any]:
    """The evidence modal: the text (prefilled), the link (read-only when it came from a
    message), the plan's tags grouped with the suggestions pre-selected, who sees it (default:
    the hire and their manager) and an optional corroborator.

    With ``entered`` it is the same modal shown again after a save without tags, everything as
    the person left it and the tags suggested for their text pre-selected, to review: its tags
    block has another id, so Slack shows the new pre-selection instead of the empty one.
    """
    own = form.hire == me
    groups = [
        {
            "label": {"type": "plain_text", "text": label},
            "options": [_option(t) for t in form.tags if t.kind is kind],
        }
        for kind, label in TAG_GROUPS.items()
        if any(t.kind is kind for t in form.tags)
    ]
    tags: Block = {
        "type": "multi_static_select",
        "action_id": TAGS_INPUT,
        "placeholder": {"type": "plain_text", "text": MODAL_TAGS_PLACEHOLDER},
        "option_groups": groups,
    }
    if form.suggested:
        tags["initial_options"] = [_option(t) for t in form.suggested]
    labels = MODAL_SEEN_MINE if own else MODAL_SEEN_THEIRS
    about = MODAL_ABOUT_ME if own else MODAL_ABOUT_HIRE.format(hire=form.hire)
    text = entered.text if entered is not None else text
    text_element = text_input(
        TEXT_INPUT, placeholder=MODAL_TEXT_PLACEHOLDER, max_length=2000, initial=text
    )
    blocks: list[Block] = [context(about)]
    if entered is not None:
        blocks.append(context(MODAL_REVIEW_TAGS))
    blocks.append(input_block(TEXT_BLOCK, MODAL_TEXT_LABEL, text_element))
    if link:
        blocks.append(context(MODAL_FROM_MESSAGE.format(link=link)))
    else:
        link_element: Block = {"type": "url_text_input", "action_id": LINK_INPUT}
        if entered is not None and entered.link:
            link_element["initial_value"] = entered.link
        blocks.append(input_block(LINK_BLOCK, MODAL_LINK_LABEL, link_element, optional=True))
    seen = entered.visibility if entered is not None and entered.visibility in labels else None
    witness: Block = {"type": "users_select", "action_id": WITNESS_INPUT}
    if entered is not None and entered.corroborator:
        witness["initial_user"] = entered.corroborator
    blocks += [
        input_block(
            TAGS_REVIEW_BLOCK if entered is not None else TAGS_BLOCK,
            MODAL_TAGS_LABEL,
            tags,
            optional=True,
            hint=MODAL_TAGS_SUGGESTED if form.suggested else MODAL_TAGS_HINT,
        ),
        input_block(
            SEEN_BLOCK,
            MODAL_SEEN_LABEL,
            {
                "type": "radio_buttons",
                "action_id": SEEN_INPUT,
                "options": [_seen_option(v, labels) for v in labels],
                "initial_option": _seen_option(seen or DEFAULT_SEEN, labels),
            },
            hint=MODAL_SEEN_HINT,
        ),
        input_block(
            WITNESS_BLOCK, MODAL_WITNESS_LABEL, witness, optional=True, hint=MODAL_WITNESS_HINT
        ),
    ]
    # ``suggested``: the person has seen suggestions for their text (saving without tags is
    # then their choice, not an oversight).
    metadata = {
        "hire": form.hire,
        "link": link or "",
        "source": source,
        "suggested": bool(form.suggested),
    }
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": MODAL_TITLE},
        "submit": {"type": "plain_text", "text": MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def parse_modal_context(private_metadata: str) -> ModalContext:
    """The modal's ``private_metadata`` (as :func:`evidence_modal` wrote it) → its context."""
    try:
        data = json.loads(private_metadata)
    except ValueError:
        raise EvidencePayloadError("evidence modal metadata is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("hire"), str) or not data["hire"]:
        raise EvidencePayloadError("evidence modal metadata without a hire")
    return ModalContext(
        hire=data["hire"],
        link=str(data.get("link") or "") or None,
        source=str(data.get("source") or "modal"),
        suggested=bool(data.get("suggested")),
    )


def parse_evidence_input(values: Mapping[str, Any]) -> EvidenceInput:
    """The modal's ``state.values`` → :class:`EvidenceInput` (a missing field is empty)."""

    def field(block: str, action: str) -> Mapping[str, Any]:
        found = (values.get(block) or {}).get(action)
        return found if isinstance(found, Mapping) else {}

    seen = field(SEEN_BLOCK, SEEN_INPUT).get("selected_option") or {}
    return EvidenceInput(
        text=str(field(TEXT_BLOCK, TEXT_INPUT).get("value") or ""),
        tags=[
            str(o.get("value"))
            for block in (TAGS_BLOCK, TAGS_REVIEW_BLOCK)
            for o in field(block, TAGS_INPUT).get("selected_options") or []
            if isinstance(o, Mapping) and o.get("value")
        ],
        link=field(LINK_BLOCK, LINK_INPUT).get("value") or None,
        visibility=str(seen.get("value") or DEFAULT_SEEN)
        if isinstance(seen, Mapping)
        else DEFAULT_SEEN,
        corroborator=field(WITNESS_BLOCK, WITNESS_INPUT).get("selected_user") or None,
    )


def error_block(field: str, values: Mapping[str, Any]) -> str:
    """The input block of the submitted modal (``state.values``) an error about ``field`` is
    shown beside: the text's when the modal has no such input (a link from a message)."""
    wanted = FIELD_BLOCKS.get(field, TEXT_BLOCK)
    if wanted == TAGS_BLOCK and TAGS_REVIEW_BLOCK in values:
        return TAGS_REVIEW_BLOCK
    return wanted if wanted in values else TEXT_BLOCK


def recorded_dm(view: EvidenceView, *, cmd: str, hire: str | None) -> Reply:
    """The DM to whoever saved the modal: as ``/onramp win``'s reply, and who was asked to
    confirm it."""
    reply = win_reply(view, cmd=cmd, hire=hire)
    if view.corroborator is None:
        return reply
    return text_reply(f"{reply.text} {WITNESS_ASKED.format(user=view.corroborator)}")


def confirm_request(view: EvidenceView, *, hire: str) -> Reply:
    """The corroborator's DM: who asks, the evidence's text and link, and a Confirm button."""
    author = view.created_by  # a Slack user id: only Slack's modal names a corroborator
    ask = (
        CONFIRM_ASK_OWN.format(author=author)
        if author == hire
        else CONFIRM_ASK_FOR.format(author=author, hire=hire)
    )
    quote = "\n".join(f"> {line}" for line in esc(clip(view.text, 2500)).splitlines())
    blocks = [header(CONFIRM_HEADER), section(f"{ask}\n{quote}")]
    if view.link:
        blocks.append(context(CONFIRM_LINK.format(link=view.link)))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"evidence_confirm:{view.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": CONFIRM_ACTION,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": CONFIRM_BUTTON},
                    "value": str(view.id),
                }
            ],
        }
    )
    return Reply(text=f"{CONFIRM_HEADER} {ask}", blocks=[*blocks, context(CONFIRM_FOOTER)])


def confirmed_reply(confirmation: Confirmation) -> Reply:
    """The corroborator's DM once confirmed: the same evidence, its button replaced by the
    day it was confirmed (UTC)."""
    asked = confirm_request(confirmation.evidence, hire=confirmation.hire)
    confirmed_at = confirmation.evidence.confirmed_at
    day = short_date(confirmed_at.date()) if confirmed_at is not None else ""
    done = (CONFIRMED_BEFORE if confirmation.already else CONFIRMED).format(day=day)
    kept = [b for b in asked.blocks if b["type"] != "actions"][:-1]  # no button, no footer
    return Reply(text=done, blocks=[*kept, context(done)])


def confirmed_for_author(confirmation: Confirmation, *, by: str) -> Reply:
    """The DM to whoever logged the evidence once the corroborator ``by`` has confirmed it."""
    view = confirmation.evidence
    words = {
        "by": by,
        "id": view.id,
        "text": esc(excerpt(view.text, 200)),
        "hire": confirmation.hire,
    }
    own = view.created_by == confirmation.hire
    return text_reply((CONFIRMED_YOURS if own else CONFIRMED_FOR).format(**words))


def parse_confirm(action: Mapping[str, Any]) -> int:
    """A Confirm button's action → the evidence id it confirms."""
    raw = str(action.get("value") or "")
    if not raw.isdigit():
        raise EvidencePayloadError(f"confirm button value {raw[:20]!r}")
    return int(raw)
