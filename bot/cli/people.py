"""`onramp enroll`, `progress`, `mark`, `move`, `export` and `people set`: enrollments and people
from the shell."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.core import (
    ConfigOption,
    JsonFlag,
    app,
    command_group,
    container,
    emit_json,
    fail,
    parse_date,
)
from bot.cli.csvout import to_csv
from bot.config import DEFAULT_CONFIG
from bot.domain.dates import check_instant
from bot.services.onboarding import Actor, EnrollmentReport, HolidayCountry
from bot.text import STATUS_ICONS, phase_line

people_app = command_group("people", "Settings of one person that shape their check-ins.")

#: Above the later phases (``growth.later``) once a hire is past the plan.
LATER_HEADER = (
    "After the plan (from the blueprint; no reviews, the quarterly growth check-in is the "
    "conversation):"
)

HireArgument = Annotated[str, typer.Argument(metavar="USER", help="The hire's Slack user id.")]

# --- enrollments ----------------------------------------------------------------------------


def _zone_note(report: EnrollmentReport) -> str:
    return (
        f"Note: Slack gives {report.hire.user_id} the time zone {report.unknown_zone!r}, which "
        f"this server's tz database doesn't know; their days follow {report.zone} until it does "
        "(update the tzdata package)."
    )


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
    if report.later:
        typer.echo(LATER_HEADER)
        for later in report.later:
            typer.echo(f"  {later.title} [{later.id}] — due {later.due:%Y-%m-%d}")
            for goal in later.milestones:
                typer.echo(f"    · {goal.title} [{goal.id}]")
    if report.unknown_zone:
        typer.echo(_zone_note(report))
    if s.overdue:
        typer.echo(f"Overdue: {', '.join(m.id for m in s.overdue)}")
    if s.blocked:
        typer.echo(f"Blocked: {', '.join(m.id for m in s.blocked)}")


@app.command()
def enroll(
    user: HireArgument,
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
            if report.unknown_zone:
                typer.echo(_zone_note(report))


@app.command()
def progress(
    user: HireArgument,
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
    if day is not None:
        check_instant(datetime.combine(day, time(12), UTC), name="--as-of")
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


_LIFECYCLE_DONE = {
    "pause": "{hire}: plan paused; check-ins stop until `onramp resume {hire}`.",
    "resume": "{hire}: plan resumed; check-ins start again.",
    "complete": "{hire}: plan completed.",
    "withdraw": "{hire}: withdrawn from the plan; it stays on record (enroll them again anytime).",
}


def _lifecycle(action: str, user: str, config: Path, as_json: bool) -> None:
    with container(config) as c:
        report = c.onboarding.change(actor=Actor.cli(), hire=user, action=action)
        if as_json:
            emit_json(report.as_json())
        else:
            typer.echo(_LIFECYCLE_DONE[action].format(hire=report.hire.user_id))


def _register_lifecycle(action: str, summary: str) -> None:
    def command(
        user: HireArgument, config: ConfigOption = DEFAULT_CONFIG, as_json: JsonFlag = False
    ) -> None:
        _lifecycle(action, user, config, as_json)

    command.__doc__ = summary
    app.command(action)(command)


for _action, _summary in (
    ("pause", "Pause a hire's plan: no check-ins until it is resumed."),
    ("resume", "Resume a paused plan."),
    ("complete", "Mark a hire's plan as completed."),
):
    _register_lifecycle(_action, _summary)


@app.command()
def withdraw(
    user: HireArgument,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Don't ask for confirmation (scripts).")
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Withdraw a hire from their plan (it stays on record); asks first unless --yes."""
    if not yes and not typer.confirm(
        f"Withdraw {user} from their plan? Check-ins stop; the record stays.", default=False
    ):
        raise fail("nothing changed (withdraw needs a yes; --yes skips the question)", 1)
    _lifecycle("withdraw", user, config, as_json)


@app.command()
def move(
    user: HireArgument,
    plan: Annotated[str, typer.Option("--plan", metavar="ID", help="The plan to move to.")],
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="YYYY-MM-DD", help="First day (default: today)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why (in the audit log).")
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Move a hire to another plan: the open one is completed, a new one starts (same
    manager and mentors); all history stays."""
    start_date = parse_date(start, "--start") if start else None
    with container(config) as c:
        report = c.onboarding.move(
            actor=Actor.cli(), hire=user, plan_id=plan, start=start_date, reason=reason
        )
        if as_json:
            emit_json(report.as_json())
        else:
            typer.echo(
                f"Moved {report.hire.user_id} to {report.plan.plan.id} "
                f"v{report.plan_version} from {report.start:%Y-%m-%d}; the previous plan is "
                "completed and stays on record."
            )
            if carried := report.carried.sentences():
                typer.echo(carried)


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
        columns = list(rows[0]) if rows else ["enrollment", "hire", "plan", "milestone"]
        typer.echo(to_csv(rows, columns), nl=False)


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
