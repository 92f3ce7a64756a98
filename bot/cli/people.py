"""`onramp enroll`, `progress`, `mark`, `export` and `people set`: enrollments and people from
the shell."""

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
from bot.services.onboarding import Actor, EnrollmentReport, HolidayCountry
from bot.text import STATUS_ICONS, phase_line

people_app = typer.Typer(
    help="Settings of one person that shape their check-ins.", no_args_is_help=True
)
app.add_typer(people_app, name="people")

# --- enrollments ----------------------------------------------------------------------------


def _print_report(report: EnrollmentReport) -> None:
    s = report.summary
    mentors = ", ".join(m.name for m in report.mentors) or "none"
    typer.echo(
        f"{report.hire.name} ({report.hire.user_id}) on {report.plan.plan.title} "
        f"v{report.plan_version} — {report.status.value}"
    )
    when = (
        f"Started {s.day_one:%Y-%m-%d}, {s.day_label}"
        if s.started
        else f"Not started: {s.day_label} ({s.day_one:%Y-%m-%d})"
    )
    done = f"; {s.percent}% done" if s.started else ""
    typer.echo(f"{when}; manager {report.manager.name}, mentors {mentors}{done}")
    if s.day_one_note:
        typer.echo(f"Note: {s.day_one_note}")
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
            if report.summary.day_one_note:
                typer.echo(f"Note: {report.summary.day_one_note}")


@app.command()
def progress(
    user: Annotated[str, typer.Argument(metavar="USER", help="The hire's Slack user id.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Place the plan on that day (day N, current phase, overdue) instead of today "
            "in the hire's time zone; statuses are those recorded now.",
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Show a hire's progress: day N, current phase, done/total per phase."""
    day = parse_date(as_of, "--as-of") if as_of is not None else None
    with container(config) as c:
        report = c.onboarding.progress(actor=Actor.cli(), hire=user, as_of=day)
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
        found = report.milestone(milestone)  # as typed: the service matched it the same way
        assert found is not None  # noqa: S101 - the service refuses a milestone the plan lacks
        typer.echo(f"{report.hire.user_id}: {found.id} is now {found.status.value}.")


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


# --- people ---------------------------------------------------------------------------------


@people_app.command("set")
def set_person(
    user: Annotated[str, typer.Argument(metavar="USER", help="The person's Slack user id.")],
    holiday_country: Annotated[
        str | None,
        typer.Option(
            "--holiday-country",
            metavar="CODE",
            help="Whose public holidays their check-ins skip: an ISO code like US, GB or DE-BY; "
            "'none' for the workspace default (checkins.holiday_country).",
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Change a person's settings: the public holidays their check-ins skip."""
    if holiday_country is None:
        raise fail("nothing to set; add --holiday-country CODE (e.g. US, DE-BY, or none)", 2)
    with container(config) as c:
        result = c.onboarding.set_holiday_country(
            actor=Actor.cli(), person=user, country=holiday_country
        )
        default = c.settings.checkins.holiday_country
        if as_json:
            emit_json({**result.as_json(), "workspace_default": default})
        else:
            typer.echo(_holiday_line(result, default))


def _holiday_line(result: HolidayCountry, default: str | None) -> str:
    if result.country is not None:
        calendar = f"skip public holidays of {result.country}"
    else:
        workspace = f"public holidays of {default}" if default else "weekends only"
        calendar = f"follow the workspace default: {workspace} (checkins.holiday_country)"
    return f"{result.user_id}: check-ins {'now' if result.changed else 'already'} {calendar}."
