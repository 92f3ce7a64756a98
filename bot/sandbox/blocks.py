"""Block Kit limits, checked the way Slack's API checks them, so a bot's violations fail loudly.

Slack answers a message or view that breaks a limit with ``invalid_blocks`` and a list of
``[ERROR] … [json-pointer:/blocks/3/text/text]`` strings; :func:`block_errors` produces the same
kind of list. It covers the limits the bot can plausibly hit (counts, text lengths, ids), not every
rule of the Block Kit schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
_SELECTS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
    }
)


def block_errors(blocks: Any, *, max_blocks: int) -> list[str]:
    """Every limit ``blocks`` breaks, as Slack words them; empty when Slack would accept them."""
    if not isinstance(blocks, list):
        return ["[ERROR] must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"[ERROR] must be less than {max_blocks + 1} items [json-pointer:/blocks]")
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"/blocks/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"[ERROR] missing required field: type [json-pointer:{where}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_block_ids:
                errors.append(f"[ERROR] duplicate block_id [json-pointer:{where}/block_id]")
            seen_block_ids.add(str(block_id))
        errors.extend(_block(block, where))
    return errors


def _problem(message: str, where: str) -> str:
    return f"[ERROR] {message} [json-pointer:{where}]"


def _length(value: Any, limit: int, where: str) -> Iterator[str]:
    if isinstance(value, str) and len(value) > limit:
        yield _problem(f"must be less than {limit + 1} characters", where)


def _text(obj: Any, limit: int, where: str, *, plain_only: bool = False) -> Iterator[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        yield _problem("must provide a text object with a 'text' string", where)
        return
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        yield _problem(f"text type must be one of {', '.join(allowed)}", f"{where}/type")
    if not obj["text"]:
        yield _problem("must be more than 0 characters", f"{where}/text")
    yield from _length(obj["text"], limit, f"{where}/text")


def _block(block: dict[str, Any], where: str) -> Iterator[str]:
    kind = block["type"]
    if kind not in _BLOCK_TYPES:
        yield _problem(f"unsupported block type '{kind}'", f"{where}/type")
        return
    yield from _length(block.get("block_id"), 255, f"{where}/block_id")
    if kind == "section":
        if "text" not in block and "fields" not in block:
            yield _problem("must provide text or fields", where)
        if "text" in block:
            yield from _text(block["text"], 3000, f"{where}/text")
        fields = block.get("fields", [])
        if len(fields) > 10:
            yield _problem("must be less than 11 items", f"{where}/fields")
        for i, item in enumerate(fields):
            yield from _text(item, 2000, f"{where}/fields/{i}")
        if "accessory" in block:
            yield from _element(block["accessory"], f"{where}/accessory")
    elif kind == "header":
        yield from _text(block.get("text"), 150, f"{where}/text", plain_only=True)
    elif kind == "context":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 10:
            yield _problem("must have between 1 and 10 items", f"{where}/elements")
        for i, item in enumerate(elements):
            if isinstance(item, dict) and item.get("type") in ("plain_text", "mrkdwn"):
                yield from _text(item, 3000, f"{where}/elements/{i}")
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 25:
            yield _problem("must have between 1 and 25 items", f"{where}/elements")
        action_ids: set[str] = set()
        for i, item in enumerate(elements):
            action_id = item.get("action_id") if isinstance(item, dict) else None
            if action_id is not None and action_id in action_ids:
                yield _problem("duplicate action_id", f"{where}/elements/{i}/action_id")
            if action_id is not None:
                action_ids.add(str(action_id))
            yield from _element(item, f"{where}/elements/{i}")
    elif kind == "input":
        yield from _text(block.get("label"), 2000, f"{where}/label", plain_only=True)
        if "hint" in block:
            yield from _text(block["hint"], 2000, f"{where}/hint", plain_only=True)
        if "element" not in block:
            yield _problem("missing required field: element", where)
        else:
            yield from _element(block["element"], f"{where}/element")
    elif kind == "image":
        yield from _length(block.get("image_url"), 3000, f"{where}/image_url")
        yield from _length(block.get("alt_text"), 2000, f"{where}/alt_text")


def _element(element: Any, where: str) -> Iterator[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        yield _problem("missing required field: type", where)
        return
    kind = element["type"]
    yield from _length(element.get("action_id"), 255, f"{where}/action_id")
    if kind == "button":
        yield from _text(element.get("text"), 75, f"{where}/text", plain_only=True)
        yield from _length(element.get("value"), 2000, f"{where}/value")
        yield from _length(element.get("url"), 3000, f"{where}/url")
    elif kind in _SELECTS or kind == "overflow" or kind in ("radio_buttons", "checkboxes"):
        if "placeholder" in element:
            yield from _text(element["placeholder"], 150, f"{where}/placeholder", plain_only=True)
        options = element.get("options", [])
        limit = 5 if kind == "overflow" else 10 if kind in ("radio_buttons", "checkboxes") else 100
        if len(options) > limit:
            yield _problem(f"must be less than {limit + 1} items", f"{where}/options")
        for i, option in enumerate(options):
            yield from _option(option, f"{where}/options/{i}")
        yield from _initial_options(element, where)
    elif kind == "plain_text_input":
        yield from _length(element.get("initial_value"), 3000, f"{where}/initial_value")


def _initial_options(element: dict[str, Any], where: str) -> Iterator[str]:
    """Slack refuses a pre-selected option that is not one of the menu's own options."""
    offered = list(element.get("options", []))
    for group in element.get("option_groups", []):
        offered += group.get("options", []) if isinstance(group, dict) else []
    chosen = list(element.get("initial_options", []))
    if "initial_option" in element:
        chosen.append(element["initial_option"])
    for option in chosen:
        if option not in offered:
            yield _problem("initial options must exactly match provided options", where)
            return


def _option(option: Any, where: str) -> Iterator[str]:
    if not isinstance(option, dict):
        yield _problem("must be an option object", where)
        return
    yield from _text(option.get("text"), 75, f"{where}/text")
    yield from _length(option.get("value"), 150, f"{where}/value")
