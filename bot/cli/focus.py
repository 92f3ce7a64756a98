"""`onramp focus add|list|update|gaps`: a hire's growth plan (docs/growth.md, "Growth plan")."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.app import Container
from bot.cli.core import ConfigOption, JsonFlag, command_group, container, emit_json, parse_date
from bot.config import DEFAULT_CONFIG
from bot.services.focus import FocusService, FocusView
from bot.services.growth_rounds import round_label
from bot.services.onboarding import Actor

focus_app = command_group(
    "focus", "A hire's growth plan: 1–3 focus items chosen from a growth round's gaps."
)

UserArgument = Annotated[
    str, typer.Argument(metavar="USER", help="The hire's Slack user id (or @name).")
]


def service(c: Container) -> FocusService:
    """The focus service over the container's database, plans, clock and settings."""
    return FocusService(
        db=c.growth.db,
        catalog=c.growth.catalog,
        clock=c.growth.clock,
        admins=c.growth.admins,
        default_tz=c.settings.default_timezone,
        stalled_after_working_days=c.settings.checkins.focus_stalled_after_working_days,
    )


def focus_lines(item: FocusView) -> list[str]:
    """One focus item as text: the item, its actions, and its latest progress."""
    flags = [f for f, on in (("overdue", item.overdue), ("stalled", item.stalled)) if on]
    shown = f" ({', '.join(flags)})" if flags else ""
    lines = [
        f"#{item.id} [{item.status}] {item.title} — {item.dimension_title} "
        f"[{item.dimension_id}], due {item.due:%Y-%m-%d}{shown}"
    ]
    lines += [f"    - {action}" for action in item.actions]
    last = item.last_update
    if last is not None:
        note = f": {last.note}" if last.note else ""
        lines.append(f"    last progress {last.at:%Y-%m-%d} ({last.status}){note}")
    else:
        lines.append("    no progress recorded yet")
    return lines


@focus_app.command("add")
def focus_add(
    user: UserArgument,
    dimension: Annotated[
        str, typer.Argument(metavar="DIMENSION", help="A rubric dimension's id or title.")
    ],
    title: Annotated[str, typer.Argument(metavar="TITLE", help="What the item is about.")],
    action: Annotated[
        list[str] | None,
        typer.Option("--action", metavar="TEXT", help="A concrete step (1 to 5; repeatable)."),
    ] = None,
    due: Annotated[
        str, typer.Option("--due", metavar="YYYY-MM-DD", help="When it should be done.")
    ] = "",
    round_ref: Annotated[
        str | None,
        typer.Option("--round", metavar="ROUND", help="The round it came from (default: latest)."),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Add a focus item to a hire's growth plan (at most 3 open at once)."""
    if not due:
        raise typer.BadParameter("give a due date with --due YYYY-MM-DD", param_hint="--due")
    when = parse_date(due, "--due")
    with container(config) as c:
        added = service(c).add(
            actor=Actor.cli(),
            hire=user,
            dimension=dimension,
            title=title,
            actions=action or [],
            due=when,
            round=round_ref,
        )
    if as_json:
        emit_json(added.as_json())
    else:
        typer.echo(f"Added focus item #{added.id} for {user}, due {added.due:%Y-%m-%d}.")


@focus_app.command("list")
def focus_list(
    user: UserArgument, config: ConfigOption = DEFAULT_CONFIG, as_json: JsonFlag = False
) -> None:
    """List a hire's focus items, open first, with their latest progress."""
    with container(config) as c:
        listed = service(c).list(actor=Actor.cli(), hire=user)
    if as_json:
        emit_json(listed.as_json())
        return
    if not listed.items:
        typer.echo(f"{listed.user} has no focus items yet (onramp focus gaps {listed.user}).")
    for item in listed.items:
        for line in focus_lines(item):
            typer.echo(line)


@focus_app.command("update")
def focus_update(
    focus_id: Annotated[int, typer.Argument(metavar="ID", help="The focus item's number.")],
    note: Annotated[
        str, typer.Option("--note", metavar="TEXT", help="What moved since last time.")
    ] = "",
    status: Annotated[
        str | None, typer.Option("--status", metavar="open|done|dropped", help="New status.")
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Record progress on a focus item: a note, a new status, or both."""
    with container(config) as c:
        updated = service(c).update(actor=Actor.cli(), focus_id=focus_id, note=note, status=status)
    if as_json:
        emit_json(updated.as_json())
    else:
        typer.echo(f"Focus item #{updated.id} is {updated.status}; progress recorded.")


@focus_app.command("gaps")
def focus_gaps(
    user: UserArgument, config: ConfigOption = DEFAULT_CONFIG, as_json: JsonFlag = False
) -> None:
    """The candidate focus items of a hire's latest revealed growth round."""
    with container(config) as c:
        gaps = service(c).gaps(actor=Actor.cli(), hire=user)
    if as_json:
        emit_json(gaps.as_json())
        return
    if gaps.round is None:
        typer.echo(f"No growth round of {gaps.user} has been revealed yet, so there are no gaps.")
        return
    typer.echo(f"Gaps of {gaps.user} from the {round_label(gaps.round)} round:")
    for gap in gaps.items:
        sides = f"self {gap.self_label or '—'} · manager {gap.manager_label or '—'}" + (
            " · flagged: worth a conversation" if gap.flagged else ""
        )
        typer.echo(f"  {gap.title} [{gap.dimension_id}]: {sides}")
        typer.echo(f"      next, {gap.next_label}: “{gap.next_anchor}” ({gap.source.id})")
