"""KPIs per hire in Slack: every string of ``/onramp kpis``, ``/onramp kpi``, the pick and the
record modals, and the KPI lines of the readiness view; pure functions from the KPI service's
views to what is shown, and from Slack's payloads to what the service takes.

Nothing here calls Slack or the database. Notes are the manager's own words; they are escaped
(:func:`bot.slack.blocks.esc`) so nothing typed can form a mention or a broadcast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.kpis import MAX_KPIS, MIN_KPIS
from bot.services.checkins.messages import Message
from bot.services.kpi_view import TEAM_LEVEL, KpiView
from bot.services.kpis import KpiForm, KpiList, Recorded, Selection
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
)
from bot.slack.payloads import PayloadError

KPIS_USAGE = "{cmd} kpis [@user]"
KPIS_SUMMARY = "a hire's KPIs with the blueprint's targets; their manager picks them here"
KPI_USAGE = "{cmd} kpi @user"
KPI_SUMMARY = "record a reading of one of a hire's KPIs (their manager)"

KPIS_ONE_PERSON = "Name one person, e.g. `{cmd} kpis @ana` (or nothing for your own)."
KPI_NAME_HIRE = "Name the hire, e.g. `{cmd} kpi @ana`."
KPIS_TITLE = "*KPIs of <@{user}>* — signals with the blueprint's target, never a ranking of hires"
KPIS_NONE = (
    "No KPIs picked for <@{user}> yet; their manager picks {min}–{max} with `{cmd} kpis @{user}`."
)
KPIS_NONE_PICKED = "Pick the hire's KPIs first: `{cmd} kpis @{user}` opens the list."
KPI_LINE = "• *{name}* `{id}`{team} · {frequency}\n     target: “{target}”"
KPI_LATEST = "     latest: *{value}* for {period} · trend {trend}"
KPI_NO_READING = "     no reading yet"
KPI_SOURCE = "Targets from {heading}."
OPENING = "Opening the form…"
NO_TRIGGER = "Use the button below to open the form."
PICKED = "KPIs of <@{user}>: {ids}."
PICKED_REMOVED = " No longer tracked (their readings are kept): {ids}."
RECORDED = (
    "Recorded *{value}* for {period} on *{name}* of <@{user}> (target: “{target}”; trend {trend})."
)

RECORD_ACTION = "kpi_record_open"
PICK_ACTION = "kpi_pick_open"
RECORD_LABEL = "Record a reading"
PICK_LABEL = "Change KPIs"
PICK_CALLBACK = "kpi_pick_modal"
RECORD_CALLBACK = "kpi_record_modal"
PICK_BLOCK, PICK_INPUT = "kpi_pick", "kpis"
KPI_BLOCK, KPI_INPUT = "kpi_which", "kpi"
VALUE_BLOCK, VALUE_INPUT = "kpi_value", "value"
PERIOD_BLOCK, PERIOD_INPUT = "kpi_period", "period"
NOTE_BLOCK, NOTE_INPUT = "kpi_note", "note"
LINK_BLOCK, LINK_INPUT = "kpi_link", "link"
#: The modal block a refused field is shown beside (``KpiInputError.field``).
FIELD_BLOCKS = {
    "kpi": KPI_BLOCK,
    "value": VALUE_BLOCK,
    "period": PERIOD_BLOCK,
    "note": NOTE_BLOCK,
    "link": LINK_BLOCK,
}
PICK_TITLE = "Pick KPIs"
PICK_ABOUT = (
    "Pick {min}–{max} KPIs of the plan that fit <@{hire}>'s work now. Each is shown with the "
    "blueprint's target; dropping one keeps its readings."
)
PICK_LABEL_INPUT = "KPIs"
RECORD_TITLE = "Record a reading"
RECORD_ABOUT = "A reading of one of <@{hire}>'s KPIs. One number; say the rest in the note."
VALUE_LABEL = "Value"
VALUE_PLACEHOLDER = "62%, 4.5, 1,200, 3 days"
PERIOD_LABEL = "Period"
PERIOD_HINT = (
    "2027-03-14, 2027-W11, 2027-03 or 2027-Q1. Empty: the current one, by the KPI's frequency."
)
NOTE_LABEL = "Note"
NOTE_PLACEHOLDER = "What moved it, what it leaves out"
LINK_LABEL = "Link (a dashboard, a query)"
SAVE = "Save"


class KpiPayloadError(PayloadError):
    """A KPI modal or button payload that is not what this module wrote."""


@dataclass(frozen=True)
class ReadingInput:
    """What the record modal's fields say."""

    kpi: str
    value: str
    period: str | None
    note: str | None
    link: str | None


def _value(value: float) -> str:
    return f"{value:g}"


def kpi_lines(kpis: Sequence[KpiView]) -> list[str]:
    """Each KPI with the blueprint's target quoted, its latest reading and the trend."""
    lines: list[str] = []
    for k in kpis:
        lines.append(
            KPI_LINE.format(
                name=esc(k.name),
                id=k.id,
                team=f" _({TEAM_LEVEL})_" if k.team_level else "",
                frequency=esc(k.frequency),
                target=esc(k.target),
            )
        )
        latest = k.latest
        lines.append(
            KPI_NO_READING
            if latest is None
            else KPI_LATEST.format(
                value=_value(latest.value), period=latest.period, trend=k.trend.value
            )
        )
    return lines


def readiness_kpi_lines(kpis: Sequence[KpiView]) -> list[str]:
    """The readiness view's KPI part (nothing when none are picked)."""
    if not kpis:
        return []
    return ["", "*KPIs* — signals with the blueprint's target, never a ranking", *kpi_lines(kpis)]


def kpis_reply(listed: KpiList, *, cmd: str, writer: bool) -> Reply:
    """``/onramp kpis``: the hire's KPIs; for whoever may change them, the two buttons."""
    if listed.kpis:
        lines = [KPIS_TITLE.format(user=listed.user), *kpi_lines(listed.kpis)]
    else:
        lines = [KPIS_NONE.format(user=listed.user, min=MIN_KPIS, max=MAX_KPIS, cmd=cmd)]
    blocks: list[Block] = packed(lines)
    if listed.kpis:
        blocks.append(context(KPI_SOURCE.format(heading=esc(listed.kpis[0].source.heading))))
    if writer:
        buttons = [_button(PICK_LABEL, PICK_ACTION, listed.user)]
        if listed.kpis:
            buttons.insert(0, _button(RECORD_LABEL, RECORD_ACTION, listed.user))
        blocks.append({"type": "actions", "elements": buttons})
    return Reply(text="\n".join(lines), blocks=blocks)


def record_button(hire: str) -> Block:
    """The "Record a reading" button for ``hire`` (a reminder DM carries it)."""
    return _button(RECORD_LABEL, RECORD_ACTION, hire)


def _button(label: str, action: str, hire: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action,
        "value": hire,
    }


def picked_reply(chosen: Selection) -> Reply:
    """What the manager hears once the KPIs are picked."""
    text = PICKED.format(user=chosen.listed.user, ids=", ".join(k.id for k in chosen.listed.kpis))
    if chosen.removed:
        text += PICKED_REMOVED.format(ids=", ".join(chosen.removed))
    return Reply(text=text, blocks=[section(text)])


def recorded_reply(done: Recorded) -> Reply:
    """What the manager hears once a reading is stored."""
    text = RECORDED.format(
        value=_value(done.reading.value),
        period=done.reading.period,
        name=esc(done.kpi.name),
        user=done.user,
        target=esc(done.kpi.target),
        trend=done.kpi.trend.value,
    )
    return Reply(text=text, blocks=[section(text)])


def _option(kpi_id: str, name: str, description: str | None = None) -> Block:
    option: Block = {
        "text": {"type": "plain_text", "text": clip(name, limits.OPTION_TEXT)},
        "value": kpi_id,
    }
    if description:
        option["description"] = {"type": "plain_text", "text": clip(description, 75)}
    return option


def _modal(callback: str, title: str, hire: str, blocks: list[Block]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": SAVE},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": hire,
        "blocks": blocks,
    }


def pick_modal(form: KpiForm) -> dict[str, Any]:
    """The plan's KPIs to pick from (the target as each option's description), the current
    ones pre-selected."""
    options = [_option(k.id, k.name, f"target: {k.target}") for k in form.kpis]
    element: Block = {
        "type": "multi_static_select",
        "action_id": PICK_INPUT,
        "options": options,
        "max_selected_items": MAX_KPIS,
    }
    initial = [o for o in options if o["value"] in form.selected]
    if initial:
        element["initial_options"] = initial
    blocks: list[Block] = [
        context(PICK_ABOUT.format(min=MIN_KPIS, max=MAX_KPIS, hire=form.hire)),
        input_block(PICK_BLOCK, PICK_LABEL_INPUT, element),
    ]
    return _modal(PICK_CALLBACK, PICK_TITLE, form.hire, blocks)


def record_modal(form: KpiForm) -> dict[str, Any]:
    """A KPI among the selected ones, the value, the period (its placeholder the default for
    the first KPI), a note and a link."""
    names = {k.id: k for k in form.kpis}
    options = [
        _option(i, names[i].name, f"{names[i].frequency} · target: {names[i].target}")
        for i in form.selected
    ]
    which: Block = {"type": "static_select", "action_id": KPI_INPUT, "options": options}
    if len(options) == 1:
        which["initial_option"] = options[0]
    first = form.selected[0] if form.selected else None
    period: Block = {
        "type": "plain_text_input",
        "action_id": PERIOD_INPUT,
        "max_length": 10,
        "placeholder": {
            "type": "plain_text",
            "text": form.periods.get(first, "2027-W11") if first else "2027-W11",
        },
    }
    value: Block = {
        "type": "plain_text_input",
        "action_id": VALUE_INPUT,
        "max_length": 40,
        "placeholder": {"type": "plain_text", "text": VALUE_PLACEHOLDER},
    }
    blocks: list[Block] = [
        context(RECORD_ABOUT.format(hire=form.hire)),
        input_block(KPI_BLOCK, "KPI", which),
        input_block(VALUE_BLOCK, VALUE_LABEL, value),
        input_block(PERIOD_BLOCK, PERIOD_LABEL, period, optional=True, hint=PERIOD_HINT),
        input_block(
            NOTE_BLOCK,
            NOTE_LABEL,
            text_input(NOTE_INPUT, placeholder=NOTE_PLACEHOLDER, max_length=2000),
            optional=True,
        ),
        input_block(
            LINK_BLOCK,
            LINK_LABEL,
            {"type": "url_text_input", "action_id": LINK_INPUT},
            optional=True,
        ),
    ]
    return _modal(RECORD_CALLBACK, RECORD_TITLE, form.hire, blocks)


def _field(values: Mapping[str, Any], block: str, action: str) -> Mapping[str, Any]:
    found = (values.get(block) or {}).get(action)
    return found if isinstance(found, Mapping) else {}


def parse_hire(private_metadata: object) -> str:
    """The hire a KPI modal is about (its ``private_metadata``)."""
    if not isinstance(private_metadata, str) or not private_metadata:
        raise KpiPayloadError("KPI modal metadata without a hire")
    return private_metadata


def parse_picked(values: Mapping[str, Any]) -> list[str]:
    """The pick modal's ``state.values`` → the KPI ids picked."""
    chosen = _field(values, PICK_BLOCK, PICK_INPUT).get("selected_options") or []
    return [str(o["value"]) for o in chosen if isinstance(o, Mapping) and o.get("value")]


def parse_reading(values: Mapping[str, Any]) -> ReadingInput:
    """The record modal's ``state.values`` → :class:`ReadingInput` (a missing field is empty)."""
    which = _field(values, KPI_BLOCK, KPI_INPUT).get("selected_option") or {}

    def text(block: str, action: str) -> str | None:
        return str(_field(values, block, action).get("value") or "").strip() or None

    return ReadingInput(
        kpi=str(which.get("value") or "") if isinstance(which, Mapping) else "",
        value=text(VALUE_BLOCK, VALUE_INPUT) or "",
        period=text(PERIOD_BLOCK, PERIOD_INPUT),
        note=text(NOTE_BLOCK, NOTE_INPUT),
        link=text(LINK_BLOCK, LINK_INPUT),
    )


REMINDER_HEADER = "KPI readings to record"
REMINDER_BODY = "No reading yet of these KPIs of <@{hire}> for the period that just ended:"
REMINDER_LINE = "• *{name}* for {period} — target: “{target}”"
REMINDER_FOOTER = (
    "Readings are signals for your 1:1s, never a ranking. Record one with the button, "
    "`{cmd} kpi @{hire}` or `onramp kpis record`; a KPI that no longer fits can be dropped "
    "with `{cmd} kpis @{hire}`."
)


def render_reminder(message: Message) -> Reply:
    """The ``kpi_reminder`` DM to the manager: what is missing, with a "Record a reading"
    button."""
    assert message.hire is not None  # noqa: S101 - composed with its hire
    hire = message.hire.user_id
    body = REMINDER_BODY.format(hire=hire)
    lines = [
        REMINDER_LINE.format(name=esc(m.name), period=m.period, target=esc(m.target))
        for m in message.kpis_missing
    ]
    blocks: list[Block] = [
        header(REMINDER_HEADER),
        section(body),
        *packed(lines),
        {"type": "actions", "elements": [record_button(hire)]},
        context(REMINDER_FOOTER.format(cmd="/onramp", hire=hire)),
    ]
    return Reply(text=f"{body} " + ", ".join(m.name for m in message.kpis_missing), blocks=blocks)
