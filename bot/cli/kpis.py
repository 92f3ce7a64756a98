"""`onramp kpis select|record|import|list`: the KPIs picked for a hire and their readings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.app import Container
from bot.cli.core import ConfigOption, JsonFlag, command_group, container, emit_json, fail
from bot.config import DEFAULT_CONFIG
from bot.domain.kpis import MAX_KPIS, MIN_KPIS, PERIOD_FORMATS
from bot.services.kpi_view import TEAM_LEVEL, KpiView
from bot.services.kpis import CSV_COLUMNS, KpiService
from bot.services.onboarding import Actor

kpis_app = command_group(
    "kpis", "KPIs per hire: pick them from the plan, record readings, list them."
)

UserArgument = Annotated[
    str, typer.Argument(metavar="USER", help="The hire's Slack user id (or @name).")
]


def _service(c: Container) -> KpiService:
    growth = c.growth
    return KpiService(
        db=growth.db,
        catalog=growth.catalog,
        clock=growth.clock,
        admins=growth.admins,
        default_tz=c.settings.default_timezone,
    )


def _number(value: float) -> str:
    return f"{value:g}"


def kpi_lines(kpi: KpiView) -> list[str]:
    """A KPI as text: name and id, the target quoted, the latest reading and the trend."""
    team = f" ({TEAM_LEVEL})" if kpi.team_level else ""
    lines = [f"{kpi.name} [{kpi.id}]{team} · {kpi.frequency} · {kpi.source.heading}"]
    lines.append(f"    target: “{kpi.target}”")
    latest = kpi.latest
    if latest is None:
        lines.append("    no reading yet")
    else:
        lines.append(
            f"    latest: {_number(latest.value)} for {latest.period} · trend {kpi.trend.value}"
        )
    return lines


@kpis_app.command("select")
def select(
    user: UserArgument,
    kpi: Annotated[
        list[str],
        typer.Argument(
            metavar="KPI...",
            help=f"{MIN_KPIS}–{MAX_KPIS} KPI ids or names of the hire's plan (a unique start "
            "will do).",
        ),
    ],
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Pick the hire's KPIs; the ones left out stop being tracked (their readings are kept)."""
    with container(config) as c:
        chosen = _service(c).select(actor=Actor.cli(), hire=user, kpis=kpi)
    if as_json:
        emit_json(chosen.listed.as_json() | {"added": chosen.added, "removed": chosen.removed})
        return
    typer.echo(f"KPIs of {chosen.listed.user}: {', '.join(k.id for k in chosen.listed.kpis)}")
    if chosen.removed:
        typer.echo(f"No longer tracked (readings kept): {', '.join(chosen.removed)}")


# A negative reading ("-3": a target that is a change, "+2–5 points QoQ") is the value, not an
# option: unknown options are left as arguments (every option here is long, so "-3" names none).
@kpis_app.command("record", context_settings={"ignore_unknown_options": True})
def record(
    user: UserArgument,
    kpi: Annotated[str, typer.Argument(metavar="KPI", help="One of the hire's KPIs.")],
    value: Annotated[
        str,
        typer.Argument(
            metavar="VALUE",
            help="One number: 62%, 4.5, 1,200, 3 days; a negative one as is: -3.",
        ),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="P",
            help=f"{PERIOD_FORMATS} (default: today's, by the KPI's frequency).",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="N", help="Context.")] = None,
    link: Annotated[str | None, typer.Option("--link", metavar="URL", help="http(s).")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Record one reading of one of the hire's KPIs (a negative VALUE may be typed as is, e.g.
    -3 for a drop in a KPI whose target is a change)."""
    with container(config) as c:
        done = _service(c).record(
            actor=Actor.cli(), hire=user, kpi=kpi, value=value, period=period, note=note, link=link
        )
    if as_json:
        emit_json({"user": done.user, "kpi": done.kpi.as_json(), "reading": done.reading.as_json()})
        return
    typer.echo(
        f"Recorded {_number(done.reading.value)} for {done.reading.period} on {done.kpi.id} of "
        f"{done.user} (target: “{done.kpi.target}”; trend {done.kpi.trend.value})."
    )


@kpis_app.command("import")
def import_file(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help=f"CSV with a header: {','.join(CSV_COLUMNS)} (period, note, link optional).",
        ),
    ],
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Record readings from a CSV file: all of them, or none when any line is wrong."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise fail(f"cannot read {file}: {reason}", 2) from None
    with container(config) as c:
        count = _service(c).import_csv(actor=Actor.cli(), text=text)
    if as_json:
        emit_json({"imported": count})
    else:
        typer.echo(f"Imported {count} reading(s) from {file}.")


@kpis_app.command("list")
def list_kpis(
    user: UserArgument,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Show the hire's KPIs: the blueprint's target, every reading, the trend."""
    with container(config) as c:
        listed = _service(c).list(actor=Actor.cli(), hire=user)
    if as_json:
        emit_json(listed.as_json())
        return
    if not listed.kpis:
        typer.echo(
            f"No KPIs picked for {listed.user} yet: onramp kpis select {listed.user} KPI... "
            f"({MIN_KPIS}–{MAX_KPIS} of onramp plans show {listed.plan})."
        )
    for kpi in listed.kpis:
        for line in kpi_lines(kpi):
            typer.echo(line)
        for r in kpi.readings:
            extra = "".join(f" · {x}" for x in (r.note, r.link) if x)
            typer.echo(
                f"      {r.period}: {_number(r.value)} ({r.recorded_by}, "
                f"{r.recorded_at:%Y-%m-%d}){extra}"
            )
