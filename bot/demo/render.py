"""Block Kit as terminal text: pure functions from Slack's JSON to lines a person can read.

What Slack would draw becomes plain text: a header in bold, sections as paragraphs (fields side
by side), context in a dim small print, buttons as ``[ On track ]``, selects as ``[ Status ▾ ]``
(or the option they show), inputs as a labelled box, dividers as a rule. mrkdwn is turned into
text: ``<@U123>`` becomes the person's name, links their label, ``*bold*`` bold (on a colour
terminal; plain otherwise), and Slack's ``&lt;``-escapes are undone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partialmethod
from typing import Any

Block = Mapping[str, Any]

RULE = "─" * 40
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CDG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")
_EMOJI_PREFIX = re.compile(r"^[^\w\"'(\[]+", re.UNICODE)


@dataclass(frozen=True)
class Style:
    """How emphasis is drawn: ANSI escapes on a colour terminal, nothing otherwise."""

    color: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    # SGR codes: one per kind of emphasis, each a method taking the text.
    bold = partialmethod(_wrap, "1")  # headers, *bold* mrkdwn
    dim = partialmethod(_wrap, "2")  # small print: context blocks, timestamps
    italic = partialmethod(_wrap, "3")  # _italic_ mrkdwn
    accent = partialmethod(_wrap, "36")  # controls and day markers
    warn = partialmethod(_wrap, "33")  # nudges and escalations
    good = partialmethod(_wrap, "32")  # success lines


PLAIN = Style(color=False)
Names = Callable[[str], str]


def _no_names(user_id: str) -> str:
    return user_id


def mrkdwn(text: str, *, names: Names = _no_names, style: Style = PLAIN) -> str:
    """Slack mrkdwn → terminal text (mentions by name, links by label, emphasis by style)."""
    out = _USER.sub(lambda m: "@" + (names(m.group(1)) or m.group(2) or m.group(1)), text)
    out = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), out)
    out = _SPECIAL.sub(lambda m: "@" + m.group(1), out)
    out = _SUBTEAM.sub(lambda m: "@" + (m.group(1) or "group").lstrip("@"), out)
    out = _DATE.sub(lambda m: m.group(1), out)
    out = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), out)
    out = _BOLD.sub(lambda m: style.bold(m.group(1)), out)
    out = _ITALIC.sub(lambda m: style.italic(m.group(1)), out)
    out = _STRIKE.sub(lambda m: m.group(1), out)
    out = _CODE.sub(lambda m: m.group(1), out)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(obj: Any, *, names: Names = _no_names, style: Style = PLAIN) -> str:
    """A text object (``plain_text`` or ``mrkdwn``) as text; anything else as empty text."""
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, names=names, style=style)
    return text


def bare(text: str) -> str:
    """Text without its leading emoji or status icon (``✅ On track`` → ``On track``)."""
    return " ".join(_EMOJI_PREFIX.sub("", text.strip()).split())


def label(text: str) -> str:
    """A control's label as compared with what a person types: bare and case-folded."""
    return bare(text).casefold()


def element(el: Block, *, names: Names = _no_names, style: Style = PLAIN) -> str:
    """One interactive element as a bracketed control."""
    kind = el.get("type")
    if kind == "button":
        return style.accent(f"[ {plain(el.get('text'), names=names)} ]")
    if kind in ("static_select", "external_select", "users_select", "conversations_select"):
        chosen = el.get("initial_option")
        shown = plain(chosen.get("text")) if isinstance(chosen, Mapping) else ""
        shown = shown or plain(el.get("placeholder")) or "Choose"
        return style.accent(f"[ {shown} ▾ ]")
    if kind == "overflow":
        return style.accent("[ ⋯ ]")
    if kind in ("datepicker", "timepicker"):
        shown = el.get("initial_date") or el.get("initial_time") or plain(el.get("placeholder"))
        return style.accent(f"[ {shown or 'Pick'} 📅 ]")
    if kind in ("plain_text_input", "rich_text_input"):
        hint = plain(el.get("placeholder")).rstrip("…. ")
        return style.accent(f"[ {hint}… ]" if hint else "[ … ]")
    if kind in ("mrkdwn", "plain_text"):
        return plain(el, names=names, style=style)
    if kind == "image":
        return f"🖼 {el.get('alt_text', '')}".rstrip()
    return f"[{kind}]"


def _rich_text(block: Block) -> str:
    parts: list[str] = []
    for section in block.get("elements") or []:
        for item in section.get("elements") or []:
            if item.get("type") == "text":
                parts.append(str(item.get("text", "")))
            elif item.get("type") == "link":
                parts.append(str(item.get("text") or item.get("url", "")))
            elif item.get("type") == "user":
                parts.append(f"@{item.get('user_id', '')}")
            elif item.get("type") == "emoji":
                parts.append(f":{item.get('name', '')}:")
    return "".join(parts)


def block_lines(block: Block, *, names: Names = _no_names, style: Style = PLAIN) -> list[str]:
    """One block as lines of text (no indentation)."""
    kind = block.get("type")
    if kind == "header":
        return [style.bold(plain(block.get("text")))]
    if kind == "section":
        lines = plain(block.get("text"), names=names, style=style).split("\n")
        fields = [plain(f, names=names, style=style) for f in block.get("fields") or []]
        if fields:
            lines = [line for line in lines if line] + ["   ".join(fields)]
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping):
            control = element(accessory, names=names, style=style)
            if lines and lines[0]:
                lines[0] = f"{lines[0]}  {control}"
            else:
                lines = [control]
        return lines
    if kind == "context":
        texts = [element(e, names=names, style=style) for e in block.get("elements") or []]
        return [style.dim(line) for line in "  ".join(texts).split("\n")]
    if kind == "actions":
        return ["  ".join(element(e, names=names, style=style) for e in block.get("elements", []))]
    if kind == "divider":
        return [style.dim(RULE)]
    if kind == "input":
        field = block.get("element")
        shown = element(field, names=names, style=style) if isinstance(field, Mapping) else ""
        return [plain(block.get("label")), shown]
    if kind == "image":
        return [f"🖼 {block.get('alt_text', '')}".rstrip()]
    if kind == "rich_text":
        return _rich_text(block).split("\n")
    return [style.dim(f"[{kind} block]")]


def blocks_lines(
    blocks: Iterable[Block], *, names: Names = _no_names, style: Style = PLAIN
) -> list[str]:
    """Every block as lines, in order."""
    lines: list[str] = []
    for block in blocks:
        lines.extend(block_lines(block, names=names, style=style))
    return lines


def message_lines(
    text: str, blocks: Iterable[Block], *, names: Names = _no_names, style: Style = PLAIN
) -> list[str]:
    """A message as people see it: its blocks, or its fallback text when it has none."""
    rendered = blocks_lines(blocks, names=names, style=style)
    if rendered:
        return rendered
    return mrkdwn(text, names=names, style=style).split("\n") if text else []


def view_lines(
    view: Mapping[str, Any], *, names: Names = _no_names, style: Style = PLAIN
) -> list[str]:
    """A modal or Home view: its title (modals), blocks and buttons (modals)."""
    lines: list[str] = []
    title = plain(view.get("title"))
    if title:
        lines.append(style.bold(f"╭ {title} ╮"))
    lines += blocks_lines(view.get("blocks") or [], names=names, style=style)
    buttons = [plain(view.get(k)) for k in ("close", "submit") if view.get(k)]
    if buttons:
        lines.append("  ".join(style.accent(f"[ {b} ]") for b in buttons))
    return lines


def controls(blocks: Iterable[Block]) -> list[Control]:
    """Every button and select in ``blocks``, with what is needed to use it."""
    found: list[Control] = []
    for block in blocks:
        block_id = str(block.get("block_id") or "")
        row = ""
        elements: list[Mapping[str, Any]] = []
        if block.get("type") == "actions":
            elements = [e for e in block.get("elements") or [] if isinstance(e, Mapping)]
        elif isinstance(block.get("accessory"), Mapping):
            elements = [block["accessory"]]
            row = plain(block.get("text"))
        for el in elements:
            kind = str(el.get("type") or "")
            action_id = str(el.get("action_id") or "")
            if kind == "button":
                text = plain(el.get("text"))
                found.append(
                    Control(
                        kind="button",
                        label=text,
                        action_id=action_id,
                        block_id=block_id,
                        value=str(el.get("value") or ""),
                        row=row,
                    )
                )
            elif kind == "static_select":
                options = tuple(
                    (plain(o.get("text")), str(o.get("value")))
                    for o in el.get("options") or []
                    if isinstance(o, Mapping)
                )
                found.append(
                    Control(
                        kind="select",
                        label=plain(el.get("placeholder")) or "Choose",
                        action_id=action_id,
                        block_id=block_id,
                        row=row,
                        options=options,
                    )
                )
    return found


@dataclass(frozen=True)
class Control:
    """A button or a select found in a message or view."""

    kind: str  # "button" | "select"
    label: str
    action_id: str
    block_id: str
    value: str = ""
    row: str = ""  # the section text a select sits beside (a milestone in a review)
    options: tuple[tuple[str, str], ...] = ()

    def matches(self, wanted: str) -> bool:
        """Whether a person typing ``wanted`` means this button (emoji and case ignored)."""
        return label(self.label) == label(wanted)

    def option(self, wanted: str) -> str | None:
        """The value of the option labelled ``wanted`` (or with that value), if any."""
        key = label(wanted)
        for text, value in self.options:
            if label(text) == key or value.casefold() == key.replace(" ", "_"):
                return value
        return None

    def about(self, wanted: str) -> bool:
        """Whether this select sits beside a row mentioning ``wanted`` (a milestone title/id)."""
        key = label(wanted)
        return bool(key) and (key in label(self.row) or key in self.block_id.casefold())
