"""Block Kit rendering: pure functions from reports to message replies and Home views.

Nothing here calls Slack or the database. Every output stays inside Slack's limits by
construction (long lists are packed into few sections and capped); ``tests/slack`` checks each
one with :mod:`bot.slack.limits`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.plan import LoadedPlan
from bot.domain.progress import (
    EnrollmentStatus,
    MilestoneStatus,
    MilestoneView,
    ProgressSummary,
    short_date,
)
from bot.services.onboarding import EnrollmentReport, LastCheckin, Overview
from bot.slack import limits
from bot.slack import messages as msg
from bot.slack.payloads import (
    MILESTONE_BLOCK_PREFIX,
    MILESTONE_STATUS_ACTION,
    WITHDRAW_CANCEL_ACTION,
    WITHDRAW_CONFIRM_ACTION,
)
from bot.text import STATUS_ICONS, STATUS_LABELS, bar

Block = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """A message: fallback text (notifications, screen readers) and blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class ExtensionHelp:
    """How a registered subcommand (e.g. ``ask``) appears in help."""

    name: str
    usage: str
    summary: str


# --- primitives -------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Escape text for mrkdwn so names and notes can't inject mentions, links or @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_input(
    action_id: str, *, placeholder: str, max_length: int, initial: str | None = None
) -> Block:
    """A multiline plain-text input element (a modal's free-text field)."""
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": max_length,
        "placeholder": {"type": "plain_text", "text": placeholder},
    }
    if initial:
        element["initial_value"] = initial
    return element


def input_block(
    block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None
) -> Block:
    """A modal's input block: ``element`` under ``label``, with an optional ``hint`` below."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def header(text: str) -> Block:
    """A header block (plain text, clipped to Slack's 150 characters)."""
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(text, limits.HEADER_TEXT), "emoji": True},
    }


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    """A mrkdwn section (text clipped to 3000 characters)."""
    block: Block = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(text, limits.SECTION_TEXT)},
    }
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    """A context block of mrkdwn elements (at most 10, each clipped)."""
    return {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": clip(t, limits.CONTEXT_TEXT)}
            for t in texts[: limits.CONTEXT_ELEMENTS]
        ],
    }


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def packed(lines: Iterable[str], *, limit: int = limits.SECTION_TEXT) -> list[Block]:
    """Lines packed into as few sections as fit (one line never spans two sections)."""
    blocks: list[Block] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = clip(raw, limit)
        if current and size + 1 + len(line) > limit:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def fit(blocks: list[Block], max_blocks: int) -> list[Block]:
    """Cap a block list, replacing the tail with a '…and N more' context line."""
    if len(blocks) <= max_blocks:
        return blocks
    kept = blocks[: max_blocks - 1]
    return [*kept, context(msg.TRUNCATED.format(count=len(blocks) - len(kept)))]


def text_reply(text: str) -> Reply:
    """A short reply: the same text as fallback and as one section."""
    return Reply(text=clip(text, limits.SECTION_TEXT), blocks=packed(text.split("\n")))


# --- progress ---------------------------------------------------------------------------------


def _mentors(report: EnrollmentReport) -> str:
    return ", ".join(f"<@{m.user_id}>" for m in report.mentors) or msg.NO_MENTORS


def _status_line(report: EnrollmentReport) -> str:
    s = report.summary
    values = {
        "day": s.day,
        "start": f"{s.day_one:%Y-%m-%d}" if s.started else short_date(s.day_one),
        "percent": s.percent,
        "manager": f"<@{report.manager.user_id}>",
        "mentors": _mentors(report),
        "status": report.status.value,
    }
    return (msg.REPORT_CONTEXT if s.started else msg.REPORT_NOT_STARTED).format(**values)


def phase_lines(summary: ProgressSummary) -> list[str]:
    """One line per phase: a bar, the title and the due date; the current phase marked."""
    lines = []
    for phase in summary.phases:
        marker = "▶" if phase.id == summary.current_phase else "◦"
        progress = bar(phase.done, phase.total)
        lines.append(f"{marker} `{progress}` *{esc(phase.title)}* · due {phase.due:%b %d}")
    return lines


def milestone_line(milestone: MilestoneView) -> str:
    """A milestone with its status icon, id and note."""
    note = msg.NOTE_SUFFIX.format(note=esc(clip(milestone.note, 300))) if milestone.note else ""
    line = msg.MILESTONE_LINE.format(
        icon=STATUS_ICONS[milestone.status], title=esc(milestone.title), id=milestone.id, note=note
    )
    return f"    ↳ {line}" if milestone.parent else line


def _flags(report: EnrollmentReport) -> list[str]:
    flags = []
    if report.summary.blocked:
        flags.append(msg.FLAG_BLOCKED.format(count=len(report.summary.blocked)))
    if report.summary.overdue:
        flags.append(msg.FLAG_OVERDUE.format(count=len(report.summary.overdue)))
    if report.status is EnrollmentStatus.PAUSED:
        flags.append(msg.FLAG_PAUSED)
    return flags


def _issues(report: EnrollmentReport) -> list[str]:
    lines = []
    s = report.summary
    if s.overdue:
        lines.append(msg.OVERDUE.format(items=", ".join(f"`{m.id}`" for m in s.overdue[:15])))
    if s.blocked:
        lines.append(msg.BLOCKED.format(items=", ".join(f"`{m.id}`" for m in s.blocked[:15])))
    return lines


def progress_blocks(report: EnrollmentReport) -> list[Block]:
    """A hire's plan: header, status line, phase bars, current milestones, overdue/blocked."""
    s = report.summary
    current = next(p for p in s.phases if p.id == s.current_phase)
    blocks: list[Block] = [
        header(msg.REPORT_HEADER.format(name=report.hire.name, plan=report.plan.plan.title)),
        context(_status_line(report)),
        *([context(last_checkin_line(report.last_checkin))] if report.last_checkin else []),
        *packed(phase_lines(s)),
        section(msg.CURRENT_PHASE.format(title=esc(current.title), due=f"{current.due:%Y-%m-%d}")),
        *packed(milestone_line(m) for m in current.milestones),
    ]
    if report.later:
        lines = [
            msg.LATER_PHASE.format(
                title=esc(p.title),
                due=f"{p.due:%Y-%m-%d}",
                goals="; ".join(esc(m.title) for m in p.milestones),
            )
            for p in report.later
        ]
        blocks.append(section("\n".join([msg.LATER_HEADER, *lines])))
    issues = _issues(report)
    if issues:
        blocks.append(context(*issues))
    return fit(blocks, limits.MESSAGE_BLOCKS)


def last_checkin_line(last: LastCheckin) -> str:
    """``Last check-in: ⚠️ At risk · Mon 9 Nov — “note”`` (the day in the hire's zone)."""
    mood = msg.LAST_CHECKIN_MOODS.get(last.mood or "", esc(last.mood or ""))
    what = " · ".join(part for part in (mood, short_date(last.on)) if part)
    note = msg.LAST_CHECKIN_NOTE.format(note=esc(clip(last.note, 300))) if last.note else ""
    return msg.LAST_CHECKIN.format(what=what, note=note)


def progress_reply(report: EnrollmentReport) -> Reply:
    """``/onramp me`` and ``/onramp progress @user``."""
    s = report.summary
    done = f"{s.percent}% of " if s.started else ""
    text = f"{report.hire.name}: {done}{report.plan.plan.title}, {s.day_label}"
    return Reply(text=text, blocks=progress_blocks(report))


def team_line(report: EnrollmentReport, *, with_manager: bool = False) -> str:
    """One hire on a team list: day N, phase, % done, last mood, flags (and, on a list of
    other people's hires, their manager of record)."""
    s = report.summary
    flags = _flags(report)
    flag_text = msg.FLAGS_PREFIX + ", ".join(flags) if flags else ""
    if with_manager:
        flag_text += msg.TEAM_MANAGER.format(manager=f"<@{report.manager.user_id}>")
    name = f"<@{report.hire.user_id}>"
    if not s.started:
        return msg.TEAM_LINE_NOT_STARTED.format(
            name=name, start=short_date(s.day_one), flags=flag_text
        )
    mood = msg.MOODS.get(report.last_mood, report.last_mood) if report.last_mood else msg.NO_MOOD
    return msg.TEAM_LINE.format(
        name=name, day=s.day, phase=s.current_phase, percent=s.percent, mood=esc(mood),
        flags=flag_text,
    )  # fmt: skip


def _hires(count: int) -> str:
    return msg.HIRES[count != 1].format(count=count)


def _list_blocks(title: str, reports: Sequence[EnrollmentReport], *, others: bool) -> list[Block]:
    """A titled list of hires; ``others``: plans an admin sees without managing them."""
    blocks = [header(f"{title} ({len(reports)})")]
    if others:
        blocks.append(context(msg.TEAM_OTHERS_NOTE))
    return blocks + packed(team_line(r, with_manager=others) for r in reports)


def team_reply(overview: Overview, cmd: str) -> Reply:
    """``/onramp team``: the hires you manage, then (admins) every other open plan, each list
    titled for what it holds; points to ``mentees`` when that is where your hires are."""
    blocks: list[Block] = []
    if overview.managed:
        blocks += _list_blocks(msg.HOME_TEAM, overview.managed, others=False)
    if overview.others:
        blocks += _list_blocks(msg.HOME_OTHERS, overview.others, others=True)
    hint = (
        [msg.TEAM_SEE_MENTEES.format(count=_hires(len(overview.mentored)), cmd=cmd)]
        if overview.mentored
        else []
    )
    if not blocks:
        return text_reply("\n".join([msg.NO_TEAM.format(cmd=cmd), *hint]))
    if hint:
        blocks.append(context(*hint))
    title = msg.TEAM_TITLE.format(count=len(overview.managed))
    if not overview.managed:
        title = msg.TEAM_OTHERS_TITLE.format(count=len(overview.others))
    return Reply(text=title, blocks=fit(blocks, limits.MESSAGE_BLOCKS))


def mentees_reply(overview: Overview, cmd: str) -> Reply:
    """``/onramp mentees``: the hires you mentor."""
    hint = (
        [msg.MENTEES_SEE_TEAM.format(count=_hires(len(overview.managed)), cmd=cmd)]
        if overview.managed
        else []
    )
    if not overview.mentored:
        return text_reply("\n".join([msg.NO_MENTEES.format(cmd=cmd), *hint]))
    blocks = _list_blocks(msg.HOME_MENTEES, overview.mentored, others=False)
    if hint:
        blocks.append(context(*hint))
    title = msg.MENTEES_TITLE.format(count=len(overview.mentored))
    return Reply(text=title, blocks=fit(blocks, limits.MESSAGE_BLOCKS))


def plans_reply(plans: Sequence[LoadedPlan], cmd: str) -> Reply:
    """``/onramp plans``."""
    if not plans:
        return text_reply(msg.NO_PLANS)
    lines = [
        msg.PLANS_LINE.format(
            title=esc(p.plan.title),
            id=p.plan.id,
            version=p.plan.version,
            phases=len(p.plan.phases),
            milestones=len(p.plan.milestone_ids),
        )
        for p in plans
    ]
    blocks = [header(msg.PLANS_TITLE), *packed(lines), context(msg.PLANS_HINT.format(cmd=cmd))]
    return Reply(text=msg.PLANS_TITLE, blocks=fit(blocks, limits.MESSAGE_BLOCKS))


def enrolled_reply(report: EnrollmentReport) -> Reply:
    """After ``/onramp enroll``: what happened, then the new plan."""
    mentors = msg.ENROLLED_MENTORS.format(mentors=_mentors(report)) if report.mentors else ""
    text = msg.ENROLLED.format(
        hire=report.hire.user_id,
        plan=esc(report.plan.plan.title),
        version=report.plan_version,
        start=f"{report.start:%Y-%m-%d}",
        mentors=mentors,
    )
    if report.summary.day_one_note:
        text += "\n" + msg.ENROLLED_DAY_ONE.format(note=report.summary.day_one_note)
    if report.unknown_zone:
        text += "\n" + msg.ZONE_UNKNOWN.format(
            hire=report.hire.user_id, unknown=esc(report.unknown_zone), zone=report.zone
        )
    return Reply(
        text=text, blocks=fit([section(text), *progress_blocks(report)], limits.MESSAGE_BLOCKS)
    )


def withdraw_confirm_reply(report: EnrollmentReport) -> Reply:
    """``/onramp withdraw @hire``: what will happen, and [Withdraw] / [Cancel]. The buttons
    carry the plan and the hire; the click is checked again (``listeners/confirm.py``)."""
    text = msg.WITHDRAW_CONFIRM.format(hire=report.hire.user_id, plan=esc(report.plan.plan.title))
    value = f"{report.enrollment_id}:{report.hire.user_id}"
    buttons: list[Block] = [
        {
            "type": "button",
            "action_id": WITHDRAW_CONFIRM_ACTION,
            "text": {"type": "plain_text", "text": msg.WITHDRAW_BUTTON},
            "style": "danger",
            "value": value,
        },
        {
            "type": "button",
            "action_id": WITHDRAW_CANCEL_ACTION,
            "text": {"type": "plain_text", "text": msg.WITHDRAW_CANCEL_BUTTON},
            "value": value,
        },
    ]
    return Reply(text=text, blocks=[section(text), {"type": "actions", "elements": buttons}])


def changed_reply(report: EnrollmentReport, action: str, cmd: str) -> Reply:
    """After pause / resume / complete / withdraw."""
    return text_reply(msg.LIFECYCLE_DONE[action].format(hire=report.hire.user_id, cmd=cmd))


def marked_reply(
    report: EnrollmentReport, milestone_id: str, *, by: str | None, removed: Sequence[str] = ()
) -> Reply:
    """After ``/onramp mark`` by ``by`` (a user id): the change, what was left out of the
    note (``removed``: broadcast names), then the plan."""
    found = report.milestone(milestone_id)
    assert found is not None  # noqa: S101 - the service refuses a milestone the plan lacks
    values = {
        "title": esc(found.title),
        "status": STATUS_LABELS[found.status].lower(),
        "hire": report.hire.user_id,
    }
    if by == report.hire.user_id:
        text = (msg.MARKED_WITH_NOTE if found.note else msg.MARKED).format(**values)
    else:
        text = (msg.MARKED_FOR_WITH_NOTE if found.note else msg.MARKED_FOR).format(**values)
    if removed:
        names = [
            msg.NOTE_BROADCAST_NAMES.get(n) or msg.NOTE_BROADCAST_NAME.format(name=n)
            for n in removed
        ]
        text += "\n" + msg.NOTE_BROADCASTS_REMOVED.format(names=" and ".join(names))
    return Reply(
        text=text, blocks=fit([section(text), *progress_blocks(report)], limits.MESSAGE_BLOCKS)
    )


def help_reply(cmd: str, extensions: Sequence[ExtensionHelp] = ()) -> Reply:
    """``/onramp help``: every subcommand with its usage and what it does."""
    lines = [
        f"`{usage.format(cmd=cmd)}` — {msg.SUMMARY[name]}" for name, usage in msg.USAGE.items()
    ]
    lines += [f"`{e.usage.format(cmd=cmd)}` — {e.summary}" for e in extensions]
    blocks = [
        header(msg.HELP_TITLE),
        section(msg.HELP_INTRO),
        *packed(lines),
        context(msg.HELP_FOOTER),
    ]
    return Reply(text=msg.HELP_TITLE, blocks=blocks)


# --- App Home ---------------------------------------------------------------------------------


def status_options() -> list[Block]:
    """The five statuses as select options."""
    return [
        {
            "text": {
                "type": "plain_text",
                "text": f"{STATUS_ICONS[s]} {STATUS_LABELS[s]}",
                "emoji": True,
            },
            "value": s.value,
        }
        for s in MilestoneStatus
    ]


def milestone_control(milestone: MilestoneView) -> Block:
    """A milestone row on Home with a status select beside it."""
    options = status_options()
    current = next(o for o in options if o["value"] == milestone.status.value)
    note = msg.NOTE_SUFFIX.format(note=esc(clip(milestone.note, 300))) if milestone.note else ""
    prefix = "↳ " if milestone.parent else ""
    icon = STATUS_ICONS[milestone.status]
    return section(
        f"{prefix}{icon} *{esc(milestone.title)}*\n`{milestone.id}`{note}",
        block_id=f"{MILESTONE_BLOCK_PREFIX}{milestone.id}",
        accessory={
            "type": "static_select",
            "action_id": MILESTONE_STATUS_ACTION,
            "placeholder": {"type": "plain_text", "text": msg.STATUS_PLACEHOLDER},
            "options": options,
            "initial_option": current,
        },
    )


def own_plan_blocks(report: EnrollmentReport, next_checkin: str | None) -> list[Block]:
    """A hire's own plan on Home: bars per phase, the current phase with status controls."""
    s = report.summary
    blocks: list[Block] = [
        header(msg.HOME_MY_PLAN + f" · {report.plan.plan.title}"),
        context(_status_line(report)),
        *packed(phase_lines(s)),
    ]
    if not report.status.open:
        blocks.append(section(msg.HOME_PLAN_ENDED.format(status=report.status.value)))
        return blocks
    if report.status is EnrollmentStatus.PAUSED:
        blocks.append(context(msg.HOME_PLAN_PAUSED))
    current = next(p for p in s.phases if p.id == s.current_phase)
    blocks.append(
        section(
            msg.HOME_CURRENT_MILESTONES.format(
                title=esc(current.title), due=f"{current.due:%Y-%m-%d}"
            )
        )
    )
    blocks.extend(milestone_control(m) for m in current.milestones)
    issues = _issues(report)
    if issues:
        blocks.append(context(*issues))
    if next_checkin:
        blocks.append(context(next_checkin))
    return blocks


def next_checkin_line(report: EnrollmentReport, today: date) -> str | None:
    """Until a check-in service is wired in: when check-ins start (day 1), if still ahead."""
    if report.status.open and report.summary.day_one > today:
        return msg.HOME_NEXT_CHECKIN.format(date=f"{report.summary.day_one:%A %b %d}")
    return None


def home_view(
    *,
    own: EnrollmentReport | None,
    overview: Overview,
    cmd: str,
    updated: datetime,
    next_checkin: str | None = None,
    notice: str | None = None,
    growth: Sequence[Block] = (),
) -> dict[str, Any]:
    """The App Home view for one person: their plan (and ``growth``, its Growth section), their
    team, their mentees, (admins) every other open plan — or a welcome. ``updated`` is shown as
    given: pass the viewer's local time."""
    blocks: list[Block] = []
    if notice:
        blocks.append(section(f":warning: {esc(notice)}"))
    if own is not None:
        blocks.extend(own_plan_blocks(own, next_checkin))
    if growth:
        blocks += [divider(), *growth]
    for title, reports, others in (
        (msg.HOME_TEAM, overview.managed, False),
        (msg.HOME_MENTEES, overview.mentored, False),
        (msg.HOME_OTHERS, overview.others, True),
    ):
        if reports:
            if blocks:
                blocks.append(divider())
            blocks.extend(_list_blocks(title, reports, others=others))
    if own is None and overview.empty:
        blocks += [
            header(msg.HOME_WELCOME),
            section(msg.HOME_NOTHING),
            section(msg.HOME_NOTHING_HIRE),
            section(msg.HOME_NOTHING_MANAGER.format(cmd=cmd)),
        ]
    blocks.append(context(msg.HOME_UPDATED.format(when=f"{updated:%Y-%m-%d %H:%M %Z}")))
    return {"type": "home", "blocks": fit(blocks, limits.VIEW_BLOCKS)}
