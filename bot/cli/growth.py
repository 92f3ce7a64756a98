"""`onramp evidence add|list` and `onramp growth`: a hire's evidence and readiness view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from bot.cli.core import ConfigOption, JsonFlag, app, command_group, container, emit_json
from bot.cli.kpis import kpi_lines
from bot.config import DEFAULT_CONFIG
from bot.services.growth import (
    DEFAULT_VISIBILITY,
    EvidenceList,
    EvidenceView,
    GrowthService,
    Item,
    Readiness,
)
from bot.services.growth_rounds import Side, round_label
from bot.services.onboarding import Actor

evidence_app = command_group("evidence", "Evidence of a hire's growth: add it, list it.")

UserArgument = Annotated[
    str, typer.Argument(metavar="USER", help="The hire's Slack user id (or @name).")
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="USER",
        help="Show what this Slack user may see, capped at what an admin sees: private "
        "evidence is the hire's alone and shows only to them, in Slack (default: the operator).",
    ),
]


def _viewer(as_user: str | None) -> Actor:
    return Actor.slack(as_user) if as_user else Actor.cli()


def _evidence_line(e: EvidenceView) -> str:
    tags = f" [{', '.join(e.tags)}]" if e.tags else ""
    link = f" <{e.link}>" if e.link else ""
    confirmed = ", corroborated" if e.confirmed_at else ""
    return f"#{e.id} {e.created_at:%Y-%m-%d} ({e.visibility.value}{confirmed}) {e.text}{link}{tags}"


@evidence_app.command("add")
def evidence_add(
    user: UserArgument,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What happened and why it mattered.")],
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            metavar="ID",
            help="A rubric dimension, skill, promotion criterion or milestone id (repeatable).",
        ),
    ] = None,
    link: Annotated[str | None, typer.Option("--link", metavar="URL", help="http(s) link.")] = None,
    visibility: Annotated[
        str,
        typer.Option(
            "--visibility",
            metavar="private|manager|mentors",
            help="Who sees it besides the hire; fixed once recorded.",
        ),
    ] = DEFAULT_VISIBILITY.value,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Record evidence of a hire's growth, tagged with ids from their plan."""
    with container(config) as c:
        added = c.growth.add_evidence(
            actor=Actor.cli(),
            hire=user,
            text=text,
            tags=tag or [],
            link=link,
            visibility=visibility,
        )
        if as_json:
            emit_json(added.as_json())
        else:
            tags = ", ".join(added.tags) or "no tags"
            typer.echo(f"Recorded evidence #{added.id} for {user} ({tags}; {added.visibility}).")


V = TypeVar("V", EvidenceList, Readiness)


def _viewing(
    read: Callable[[GrowthService], Callable[..., V]], render: Callable[[V], None], doc: str
) -> Callable[..., None]:
    """A command showing one view of a hire as a viewer may see it: as the stable JSON of
    docs/growth.md (``--json``), or as text for a person."""

    def command(
        user: UserArgument,
        as_user: AsOption = None,
        config: ConfigOption = DEFAULT_CONFIG,
        as_json: JsonFlag = False,
    ) -> None:
        with container(config) as c:
            view = read(c.growth)(actor=_viewer(as_user), hire=user, impersonated=bool(as_user))
        if as_json:
            emit_json(view.as_json())
        else:
            render(view)

    command.__doc__ = doc
    return command


def _print_evidence(listed: EvidenceList) -> None:
    if not listed.items:
        typer.echo(f"No evidence for {listed.user} that you may see.")
    for item in listed.items:
        typer.echo(_evidence_line(item))


def _counts(item: Item) -> str:
    return f"evidence {item.evidence.count} ({item.evidence.corroborated} corroborated)"


def _ratings(item: Item) -> str:
    def side(latest: tuple[str, Side] | None) -> str:
        return "—" if latest is None else f"{latest[1].label} ({round_label(latest[0])})"

    text = f"self: {side(item.ratings.self_side)} · manager: {side(item.ratings.manager_side)}"
    if len(item.ratings.trend) > 1:
        text += " · trend " + " → ".join(
            f"{round_label(p['round'])} {p.get('self') or '—'}/{p.get('manager') or '—'}"
            for p in item.ratings.trend
        )
    return text


def _print_readiness(view: Readiness) -> None:
    typer.echo(f"Growth of {view.user} on {view.plan}")
    if any(d.ratings.trend for d in view.dimensions):
        typer.echo(
            "Ratings: the latest growth check-in both sides can see, in the blueprint's words; "
            "the trend runs over every round (self/manager)."
        )
    else:
        typer.echo("Ratings: none yet (the growth check-ins record them).")
    if view.dimensions:
        typer.echo(f"\nRubric — from {view.dimensions[0].source.heading}")
    for d in view.dimensions:
        typer.echo(f"  {d.title} [{d.id}]: {_counts(d)}")
        if d.ratings.trend:
            typer.echo(f"      {_ratings(d)}")
        for level in d.levels:
            typer.echo(f"      {level['label']}: {level['anchor']}")
    if view.promotion:
        typer.echo(f"\nPromotion — from {view.promotion[0].source.heading}")
    for c in view.promotion:
        typer.echo(f"  {c.title} [{c.id}]: {_counts(c)}")
        typer.echo(f"      “{c.detail}”")
        for line in c.includes:
            typer.echo(f"        - {line}")
    if view.kpis:
        typer.echo("\nKPIs — signals with the blueprint's target, never a ranking of hires")
    for kpi in view.kpis:
        for line in kpi_lines(kpi):
            typer.echo(f"  {line}")
    if view.focus:
        typer.echo("\nGrowth plan (open focus items):")
    for f in view.focus:
        last = f.last_update
        progress = (
            "no progress yet"
            if last is None
            else f"last progress {last.at:%Y-%m-%d}" + (f": {last.note}" if last.note else "")
        )
        overdue = ", overdue" if f.overdue else ""
        typer.echo(f"  #{f.id} {f.title} [{f.dimension_id}] — due {f.due:%Y-%m-%d}{overdue}")
        typer.echo(f"      {progress}")
    typer.echo(f"\nMilestones: {view.milestones_done} of {view.milestones_total} done")
    if view.next_steps:
        typer.echo("\nNext steps:")
    for step in view.next_steps:
        typer.echo(f"  - {step.text} ({step.source.id})")


evidence_app.command("list")(
    _viewing(
        lambda growth: growth.evidence,
        _print_evidence,
        "List a hire's evidence, newest first, as the viewer may see it.",
    )
)
app.command("growth")(
    _viewing(
        lambda growth: growth.readiness,
        _print_readiness,
        "Show a hire's readiness: ratings and evidence per rubric dimension and promotion "
        "criterion, in the blueprint's words, cited.",
    )
)
