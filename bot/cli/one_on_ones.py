"""`onramp one-on-one USER [EVERY DAY TIME | off]`: a hire's recurring 1:1, as in Slack.

There is deliberately no command for private notes: they are read only by their author, in
Slack (docs/growth.md, "Private notes").
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.core import ConfigOption, JsonFlag, app, container, emit_json
from bot.config import DEFAULT_CONFIG
from bot.domain.one_on_ones import DAYS
from bot.services.onboarding import Actor
from bot.services.one_on_ones import OneOnOnes, OneOnOneView


@app.command("one-on-one")
def one_on_one(
    user: Annotated[
        str, typer.Argument(metavar="USER", help="The hire's Slack user id (or @name).")
    ],
    when: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[EVERY DAY TIME | off]",
            help="weekly|biweekly|monthly, a day (thu) and a time (15:00 or 3pm); off stops "
            "it; nothing shows it.",
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", metavar="MANAGER", help="Act as this Slack user (the manager)."),
    ] = None,
    as_json: JsonFlag = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Set, show or stop a hire's recurring 1:1 (in the manager's zone); the manager and the
    hire get a prep DM the working day before each meeting."""
    actor = Actor.slack(as_user) if as_user else Actor.cli()
    words = when or []
    with container(config) as c:
        service = OneOnOnes(
            db=c.db,
            catalog=c.catalog,
            clock=c.clock,
            admins=frozenset(c.settings.admins),
            default_tz=c.settings.default_timezone,
        )
        if [w.lower() for w in words] == ["off"]:
            ended = service.end(actor=actor, hire=user)
            if as_json:
                emit_json({"user": user, "stopped": ended})
            else:
                typer.echo(f"1:1 for {user} {'stopped' if ended else 'was not set'}.")
            return
        view = (
            service.set(actor=actor, hire=user, words=words, tz=None)
            if words
            else service.show(actor=actor, hire=user)
        )
    if as_json:
        emit_json(None if view is None else _json(view))
    elif view is None:
        typer.echo(f"No 1:1 is set for {user}.")
    else:
        typer.echo(_line(view))


def _line(view: OneOnOneView) -> str:
    day = DAYS[view.weekday].capitalize()
    local = view.next_local
    upcoming = "" if local is None else f" Next: {local:%a %d %b %H:%M}."
    return f"1:1 with {view.hire}: {view.every} on {day}s at {view.at} ({view.tz}).{upcoming}"


def _json(view: OneOnOneView) -> dict[str, object]:
    local = view.next_local
    return {
        "user": view.hire,
        "manager": view.manager,
        "every": view.every,
        "day": DAYS[view.weekday],
        "at": view.at,
        "tz": view.tz,
        "next": None if local is None else local.isoformat(),
    }
