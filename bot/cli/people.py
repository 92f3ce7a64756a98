"""`onramp enroll`, `progress`, `mark` and `export`: enrollments from the shell."""

from __future__ import annotations

import csv
import io
from typing import Annotated

import typer

from bot.cli.core import (
    ConfigOption,
    JsonFlag,
    app,
    container,
    emit_json,
    fail,
    parse_date,
)
from bot.config import DEFAULT_CONFIG
from bot.services.onboarding import Actor, EnrollmentReport
from bot.text import STATUS_ICONS, phase_line

# --- enrollments ----------------------------------------------------------------------------


def _print_report(report: EnrollmentReport) -> None:
    s = report.summary
    mentors = ", ".join(m.name for m in report.mentors) or "none"
    typer.echo(
        f"{report.hire.name} ({report.hire.user_id}) on {report.plan.plan.title} "
        f"v{report.plan_version} — {report.status.value}"
    )
    typer.echo(
        f"Started {report.start:%Y-%m-%d}, day {s.day}; manager {report.manager.name}, "
        f"mentors {mentors}; {s.percent}% done"
    )
    for phase in s.phases:
        typer.echo(phase_line(phase, current=phase.id == s.current_phase))
        if phase.id == s.current_phase:
            for m in phase.milestones:
                indent = "      " if m.parent else "    "
                note = f" — {m.note}" if m.note else ""
                typer.echo(f"{indent}{STATUS_ICONS[m.status]} {m.title} [{m.id}]{note}")
    if s.overdue:
        typer.echo(f"Overdue: {', '.join(m.id for m in s.overdue)}")
    if s.blocked:
        typer.echo(f"Blocked: {', '.join(m.id for m in s.blocked)}")


@app.command()
def enroll(
    user: Annotated[str, typer.Argument(metavar="USER", help="The hire's Slack user id.")],
    plan: Annotated[str, typer.Option("--plan", metavar="ID", help="Plan id.")],
    start: Annotated[str, typer.Option("--start", metavar="YYYY-MM-DD", help="First day.")],
    manager: Annotated[str, typer.Option("--manager", metavar="USER", help="Manager of record.")],
    mentor: Annotated[
        list[str] | None, typer.Option("--mentor", metavar="USER", help="Mentor (repeatable).")
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Enroll a hire on a plan from a start date, with a manager and optional mentors."""
    start_date = parse_date(start, "--start")
    with container(config) as c:
        report = c.onboarding.enroll(
            actor=Actor.cli(),
            hire=user,
            plan_id=plan,
            start=start_date,
            manager=manager,
            mentors=mentor or [],
        )
        if as_json:
            emit_json(report.as_json())
        else:
            typer.echo(
                f"Enrolled {report.hire.user_id} on {report.plan.plan.id} "
                f"v{report.plan_version} from {report.start:%Y-%m-%d} "
                f"(manager {report.manager.user_id})."
            )


@app.command()
def progress(
    user: Annotated[str, typer.Argument(metavar="USER", help="The hire's Slack user id.")],
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Show a hire's progress: day N, current phase, done/total per phase."""
    with container(config) as c:
        report = c.onboarding.progress(actor=Actor.cli(), hire=user)
        if as_json:
            emit_json(report.as_json())
        else:
            _print_report(report)


@app.command()
def mark(
    user: Annotated[str, typer.Argument(metavar="USER")],
    milestone: Annotated[str, typer.Argument(metavar="MILESTONE")],
    status: Annotated[
        str,
        typer.Argument(metavar="STATUS", help="not_started, in_progress, done, blocked or skipped"),
    ],
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Set a milestone's status on a hire's plan."""
    with container(config) as c:
        report = c.onboarding.mark(
            actor=Actor.cli(), hire=user, milestone_id=milestone, status=status, note=note
        )
        found = next(m for p in report.summary.phases for m in p.milestones if m.id == milestone)
        typer.echo(f"{report.hire.user_id}: {milestone} is now {found.status.value}.")


@app.command()
def export(
    fmt: Annotated[
        str, typer.Option("--format", metavar="csv|json", help="Output format.")
    ] = "csv",
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Export every enrollment's milestones (one row per enrollment and milestone)."""
    if fmt not in ("csv", "json"):
        raise fail(f"--format {fmt!r} is not supported; use csv or json", 2)
    with container(config) as c:
        rows = c.onboarding.export()
        if fmt == "json":
            emit_json(rows)
            return
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else ["enrollment", "hire", "plan", "milestone"]
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(buffer.getvalue(), nl=False)
