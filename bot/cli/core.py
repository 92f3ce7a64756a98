"""Shared pieces of the CLI: the Typer app, options, error handling and the container."""

from __future__ import annotations

import json
import logging
import re
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
        show_default=str(DEFAULT_CONFIG),
        envvar="ONRAMP_CONFIG",
        help="Settings file (non-secret settings).",
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]

_MENTION = re.compile(r"<@([A-Z0-9_]+)(?:\|[^>]*)?>")


def fail(message: str, code: int) -> typer.Exit:
    # Slack mentions read as plain user ids on a terminal.
    plain = _MENTION.sub(r"\1", message)
    typer.echo(f"error: {plain}", err=True)
    return typer.Exit(code)


@contextmanager
def errors() -> Iterator[None]:
    """Turn every failure into a one-line message and an exit code; never a stack trace."""
    try:
        yield
    except PlanError as exc:
        typer.echo("\n".join(exc.problems), err=True)
        raise typer.Exit(exc.exit_code) from None
    except OnrampError as exc:
        raise fail(str(exc), exc.exit_code) from None
    except OperationalError as exc:
        log.debug("database error", exc_info=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown"
        raise fail(
            f"cannot use the database ({reason}); check DATABASE_URL or database_url in "
            "app.yaml, and that the server is running",
            2,
        ) from None


@contextmanager
def container(config: Path) -> Iterator[Container]:
    with errors():
        container = build(load_settings(config))
        try:
            yield container
        finally:
            container.close()


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def parse_date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{flag} {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-03-02", 2) from None
