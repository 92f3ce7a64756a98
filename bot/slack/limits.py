"""Slack's size limits for messages and views, checked before anything is sent (and in tests).

Two layers: ``slack_sdk``'s own Block Kit models (``Block.parse(...).validate_json()``,
``View(...).validate_json()``) and explicit checks for the limits those models don't enforce
(blocks per message or view, section text, context elements, option text …).

Public helpers for every surface: :func:`message_problems`, :func:`view_problems` and the
raising forms :func:`check_message` / :func:`check_view`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100  # Home tabs and modals
MESSAGE_TEXT = 40_000  # the top-level ``text`` (Slack truncates beyond this)
SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 2000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
PLACEHOLDER_TEXT = 150
ACTION_ID = 255
BLOCK_ID = 255
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255


class LimitError(ValueError):
    """A message or view Slack would reject; ``problems`` lists every violation."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _text(obj: Any) -> str:
    if isinstance(obj, Mapping):
        value = obj.get("text")
        return value if isinstance(value, str) else ""
    return ""


def _too_long(where: str, text: str, limit: int) -> Iterator[str]:
    if len(text) > limit:
        yield f"{where}: {len(text)} characters (limit {limit})"


def _element_problems(where: str, element: Mapping[str, Any]) -> Iterator[str]:
    kind = element.get("type")
    yield from _too_long(f"{where}.action_id", str(element.get("action_id") or ""), ACTION_ID)
    if "placeholder" in element:
        yield from _too_long(
            f"{where}.placeholder", _text(element["placeholder"]), PLACEHOLDER_TEXT
        )
    if kind == "button":
        yield from _too_long(f"{where}.text", _text(element.get("text")), BUTTON_TEXT)
        yield from _too_long(f"{where}.value", str(element.get("value") or ""), BUTTON_VALUE)
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    if "initial_option" in element:
        options.append(element["initial_option"])
    if len(element.get("options") or []) > OPTIONS:
        yield f"{where}.options: {len(element['options'])} options (limit {OPTIONS})"
    for index, option in enumerate(options):
        yield from _too_long(
            f"{where}.options[{index}].text", _text(option.get("text")), OPTION_TEXT
        )
        yield from _too_long(
            f"{where}.options[{index}].value", str(option.get("value") or ""), OPTION_VALUE
        )


def _block_problems(where: str, block: Mapping[str, Any]) -> Iterator[str]:
    kind = block.get("type")
    yield from _too_long(f"{where}.block_id", str(block.get("block_id") or ""), BLOCK_ID)
    if kind == "section":
        yield from _too_long(f"{where}.text", _text(block.get("text")), SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            yield f"{where}.fields: {len(fields)} fields (limit {SECTION_FIELDS})"
        for index, field in enumerate(fields):
            yield from _too_long(f"{where}.fields[{index}]", _text(field), SECTION_FIELD_TEXT)
        if not _text(block.get("text")) and not fields:
            yield f"{where}: a section needs text or fields"
        if isinstance(block.get("accessory"), Mapping):
            yield from _element_problems(f"{where}.accessory", block["accessory"])
    elif kind == "header":
        yield from _too_long(f"{where}.text", _text(block.get("text")), HEADER_TEXT)
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            yield f"{where}.elements: {len(elements)} elements (limit {CONTEXT_ELEMENTS})"
        for index, element in enumerate(elements):
            yield from _too_long(f"{where}.elements[{index}]", _text(element), CONTEXT_TEXT)
    elif kind in ("actions", "input"):
        elements = block.get("elements") or ([block["element"]] if "element" in block else [])
        if len(elements) > ACTIONS_ELEMENTS:
            yield f"{where}.elements: {len(elements)} elements (limit {ACTIONS_ELEMENTS})"
        for index, element in enumerate(elements):
            yield from _element_problems(f"{where}.elements[{index}]", element)


def blocks_problems(blocks: Sequence[Mapping[str, Any]], *, max_blocks: int) -> list[str]:
    """Every limit ``blocks`` break, per the SDK's models and the explicit checks above."""
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks (limit {max_blocks})")
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        try:
            parsed = Block.parse(dict(block))
            if parsed is None:
                problems.append(f"{where}: unknown block type {block.get('type')!r}")
            else:
                parsed.validate_json()
        except (SlackObjectFormationError, KeyError, TypeError, AttributeError) as exc:
            problems.append(f"{where}: {exc}")
        problems.extend(_block_problems(where, block))
    return problems


def message_problems(
    *, text: str | None = None, blocks: Sequence[Mapping[str, Any]] | None = None
) -> list[str]:
    """Problems of a message (chat.postMessage, an ephemeral reply, a slash command's ack)."""
    problems: list[str] = []
    if not text and not blocks:
        problems.append("a message needs text or blocks")
    if text:
        problems.extend(_too_long("text", text, MESSAGE_TEXT))
    problems.extend(blocks_problems(blocks or [], max_blocks=MESSAGE_BLOCKS))
    return problems


def view_problems(view: Mapping[str, Any]) -> list[str]:
    """Problems of a Home tab or modal view (``views.publish`` / ``views.open``)."""
    problems: list[str] = []
    try:
        View(**dict(view)).validate_json()
    except (SlackObjectFormationError, TypeError) as exc:
        problems.append(f"view: {exc}")
    if view.get("type") == "modal":
        problems.extend(_too_long("title", _text(view.get("title")), VIEW_TITLE))
    problems.extend(
        _too_long("private_metadata", str(view.get("private_metadata") or ""), PRIVATE_METADATA)
    )
    problems.extend(_too_long("callback_id", str(view.get("callback_id") or ""), CALLBACK_ID))
    problems.extend(blocks_problems(view.get("blocks") or [], max_blocks=VIEW_BLOCKS))
    return problems


def check_message(
    *, text: str | None = None, blocks: Sequence[Mapping[str, Any]] | None = None
) -> None:
    """Raise :class:`LimitError` when the message breaks a limit."""
    problems = message_problems(text=text, blocks=blocks)
    if problems:
        raise LimitError(problems)


def check_view(view: Mapping[str, Any]) -> None:
    """Raise :class:`LimitError` when the view breaks a limit."""
    problems = view_problems(view)
    if problems:
        raise LimitError(problems)
