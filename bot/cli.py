"""The operator's command line (``onramp …``). Names, flags and JSON shapes are a contract.

Exit codes: 0 ok, 1 a failed check or refused request, 2 a usage or configuration error.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import OperationalError

from bot.app import Container, build
from bot.config import DEFAULT_CONFIG, load_settings
from bot.domain.errors import OnrampError, PlanError
from bot.domain.plan import LoadedPlan, plan_json_schema
from bot.services.catalog import check_paths
from bot.services.onboarding import Actor, EnrollmentReport
from bot.text import STATUS_ICONS, phase_line

log = logging.getLogger("onramp.cli")

app = typer.Typer(
    name="onramp",
    help="Onramp: carry a new hire from day 1 to month 12, in Slack.",
    no_args_is_help=True,
    add_completion=False,
    # Rich tracebacks print local variables, which may hold secrets; errors are handled below.
    pretty_exceptions_enable=False,
)
plans_app = typer.Typer(help="List, show and check milestone plans.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")
app.add_typer(db_app, name="db")

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        envvar="ONRAMP_CONFIG",
        help="Settings file (non-secret settings).",
        show_default=True,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]

_MENTION = re.compile(r"<@([A-Z0-9_]+)(?:\|[^>]*)?>")


def _fail(message: str, code: int) -> typer.Exit:
    # Slack mentions read as plain user ids on a terminal.
    plain = _MENTION.sub(r"\1", message)
    typer.echo(f"error: {plain}", err=True)
    return typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every failure into a one-line message and an exit code; never a stack trace."""
    try:
        yield
    except PlanError as exc:
        typer.echo("\n".join(exc.problems), err=True)
        raise typer.Exit(exc.exit_code) from None
    except OnrampError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    except OperationalError as exc:
        log.debug("database error", exc_info=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown"
        raise _fail(
            f"cannot use the database ({reason}); check DATABASE_URL or database_url in "
            "app.yaml, and that the server is running",
            2,
        ) from None


@contextmanager
def _container(config: Path) -> Iterator[Container]:
    with _errors():
        container = build(load_settings(config))
        try:
            yield container
        finally:
            container.close()


def _emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _parse_date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{flag} {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-03-02", 2) from None


# --- plans ----------------------------------------------------------------------------------


def _plan_json(loaded: LoadedPlan) -> dict[str, Any]:
    plan = loaded.plan
    return {
        "id": plan.id,
        "title": plan.title,
        "version": plan.version,
        "phases": [
            {
                "id": phase.id,
                "due": str(phase.due),
                "title": phase.title,
                "source": phase.source,
                "milestones": [
                    {"id": m.id, "title": m.title, "source": m.source} for m in phase.milestones
                ],
            }
            for phase in plan.phases
        ],
        "kpis": [
            {
                "name": k.name,
                "measures": k.measures,
                "target": k.target,
                "frequency": k.frequency,
                "source": k.source,
            }
            for k in plan.kpis
        ],
    }


@plans_app.command("list")
def plans_list(config: ConfigOption = DEFAULT_CONFIG, as_json: JsonFlag = False) -> None:
    """List the plans in the plans folder."""
    with _errors():
        settings = load_settings(config)
        from bot.services.catalog import PlanCatalog

        plans = PlanCatalog(settings.plans_dir).all()
        if as_json:
            _emit_json(
                [
                    {
                        "id": p.plan.id,
                        "title": p.plan.title,
                        "version": p.plan.version,
                        "hash": p.content_hash,
                        "phases": len(p.plan.phases),
                        "milestones": len(p.plan.milestone_ids),
                    }
                    for p in plans
                ]
            )
            return
        if not plans:
            typer.echo(f"No plans in {settings.plans_dir}/ (add <role-id>/plan.yaml).")
        for p in plans:
            typer.echo(
                f"{p.plan.id:<28} v{p.plan.version}  {len(p.plan.phases)} phases, "
                f"{len(p.plan.milestone_ids)} milestones, {len(p.plan.kpis)} KPIs  {p.plan.title}"
            )


@plans_app.command("show")
def plans_show(
    plan_id: Annotated[str, typer.Argument(metavar="ID", help="Plan id, e.g. junior-llm-engineer")],
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Show one plan: phases, milestones (with ids) and KPIs."""
    with _errors():
        from bot.services.catalog import PlanCatalog

        loaded = PlanCatalog(load_settings(config).plans_dir).get(plan_id)
        if as_json:
            _emit_json(_plan_json(loaded))
            return
        plan = loaded.plan
        typer.echo(f"{plan.title} ({plan.id}, version {plan.version}, hash {loaded.content_hash})")
        if plan.description:
            typer.echo(plan.description)
        for phase in plan.phases:
            section = loaded.blueprint.get(phase.source)
            typer.echo("")
            typer.echo(f"{phase.id} — {phase.title} (due {phase.due.describe()} after start)")
            typer.echo(f"  from: {section.path if section else phase.source}")
            for m in phase.milestones:
                indent = "      " if m.parent else "    "
                typer.echo(f"{indent}• {m.title}  [{m.id}]")
        if plan.kpis:
            typer.echo("")
            typer.echo(f"KPIs ({len(plan.kpis)}):")
            for k in plan.kpis:
                typer.echo(f"    • {k.name}: {k.target} ({k.frequency})")


@plans_app.command("check")
def plans_check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATH]...", help="plan.yaml files or folders (default: plans/)"),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Validate plans against their schema and blueprint; exit 2 naming each problem."""
    with _errors():
        targets = paths or [load_settings(config).plans_dir]
        loaded, problems = check_paths(targets)
        for p in loaded:
            typer.echo(
                f"ok  {p.path}: {len(p.plan.phases)} phases, {len(p.plan.milestone_ids)} "
                f"milestones, {len(p.plan.kpis)} KPIs, "
                f"every source found in {p.blueprint.source_name}"
            )
        if problems:
            raise PlanError(problems)


@plans_app.command("schema")
def plans_schema() -> None:
    """Print the JSON Schema of plan.yaml (for editors)."""
    _emit_json(plan_json_schema())


# --- database -------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Apply database migrations up to the newest."""
    with _errors():
        from storage.engine import open_database
        from storage.migrate import current_revision, head_revision, upgrade

        db = open_database(load_settings(config).database_url)
        try:
            before = current_revision(db)
            upgrade(db)
            after = current_revision(db)
        finally:
            db.dispose()
        if before == after:
            typer.echo(f"Database already at {after} (newest: {head_revision(db)}).")
        else:
            typer.echo(f"Database upgraded from {before or 'empty'} to {after}.")


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
    start_date = _parse_date(start, "--start")
    with _container(config) as c:
        report = c.onboarding.enroll(
            actor=Actor.cli(),
            hire=user,
            plan_id=plan,
            start=start_date,
            manager=manager,
            mentors=mentor or [],
        )
        if as_json:
            _emit_json(report.as_json())
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
    with _container(config) as c:
        report = c.onboarding.progress(actor=Actor.cli(), hire=user)
        if as_json:
            _emit_json(report.as_json())
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
    with _container(config) as c:
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
        raise _fail(f"--format {fmt!r} is not supported; use csv or json", 2)
    with _container(config) as c:
        rows = c.onboarding.export()
        if fmt == "json":
            _emit_json(rows)
            return
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else ["enrollment", "hire", "plan", "milestone"]
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(buffer.getvalue(), nl=False)


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
