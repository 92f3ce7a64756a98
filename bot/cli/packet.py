"""`onramp packet USER`: a hire's review packet, as one self-contained HTML file or Markdown."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.app import Container
from bot.cli.core import ConfigOption, app, container, fail, parse_date
from bot.config import DEFAULT_CONFIG
from bot.services.onboarding import Actor
from bot.services.packet import PacketService
from bot.services.packet_render import render_html, render_markdown


class Format(StrEnum):
    """What the packet is written as."""

    HTML = "html"
    MD = "md"


def packet_service(c: Container) -> PacketService:
    """The packet service over the container's database, plans, clock and calendar settings."""
    return PacketService(
        db=c.db,
        catalog=c.catalog,
        clock=c.clock,
        admins=frozenset(c.settings.admins),
        default_tz=c.settings.default_timezone,
        holiday_country=c.settings.checkins.holiday_country,
    )


@app.command("packet")
def packet(
    user: Annotated[
        str, typer.Argument(metavar="USER", help="The hire's Slack user id (or @name).")
    ],
    since: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="First day (default: the plan's start)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Last day (default: today, the hire's zone)."),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="html: one self-contained file with inline SVG charts; md: Markdown tables.",
        ),
    ] = Format.HTML,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="FILE", help="Write here (default: stdout)."),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Write a hire's review packet: milestones, ratings (self vs manager), evidence by
    dimension, KPI readings against the blueprint's targets, focus items, mood trend and
    citations. As the operator (an admin): never private evidence or private notes, never a
    blind round's ratings."""
    first = None if since is None else parse_date(since, "--from")
    last = None if until is None else parse_date(until, "--to")
    if first is not None and last is not None and first > last:
        raise fail(f"--from {since} is after --to {until}; give the earlier day first.", 2)
    with container(config) as c:
        built = packet_service(c).build(actor=Actor.cli(), hire=user, since=first, until=last)
    text = render_html(built) if fmt is Format.HTML else render_markdown(built)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(
            f"cannot write {output}: {exc.strerror or exc}; pick another -o FILE.", 2
        ) from None
    typer.echo(f"Wrote the review packet of {user} to {output}.", err=True)
