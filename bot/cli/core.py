"""Shared pieces of the CLI: the Typer app, options, error handling and the container."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError
from typer.core import TyperGroup

from bot.app import Container, build
from bot.config import DEFAULT_CONFIG, load_settings
from bot.domain.errors import OnrampError, PlanError

log = logging.getLogger("onramp.cli")

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


#: Exit codes, as the README's table says: 0 ok, 1 a failed check or a refused request, 2 a
#: usage, plan, configuration or database error (fix the input or the setting), 3 a failure
#: Onramp did not expect (a bug: the message says how to report it).
EXIT_UNEXPECTED = 3
#: Set to any value to print the traceback of an unexpected failure (for a bug report).
DEBUG_ENV = "ONRAMP_DEBUG"
_CREDENTIALS = re.compile(r"://[^/@\s]*@")


@contextmanager
def errors() -> Iterator[None]:
    """Turn every failure into a one-line message and an exit code; never a stack trace.

    Every command runs inside it (:class:`_Boundary`); commands may also open it earlier to
    catch a failure before they print anything.
    """
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except BrokenPipeError:
        # The reader went away (`onramp export | head`): not a failure of ours. Point stdout
        # at /dev/null so the interpreter's last flush doesn't fail again on the way out.
        with contextlib.suppress(OSError, ValueError):  # no file descriptor (a test runner)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except PlanError as exc:
        typer.echo("\n".join(exc.problems), err=True)
        raise typer.Exit(exc.exit_code) from None
    except OnrampError as exc:
        raise fail(str(exc), exc.exit_code) from None
    except DBAPIError as exc:
        log.debug("database error", exc_info=True)
        raise fail(_database_trouble(exc), 2) from None
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        reason = _CREDENTIALS.sub("://***@", str(exc).strip().splitlines()[0] if str(exc) else "")
        raise fail(
            f"Onramp failed unexpectedly ({type(exc).__name__}{': ' + reason if reason else ''})."
            f" Each change is one transaction, so nothing was half-written. Run it again with "
            f"{DEBUG_ENV}=1 to see where, and report it with that output.",
            EXIT_UNEXPECTED,
        ) from None


def _database_trouble(exc: DBAPIError) -> str:
    """What a database error means for the operator, and what to do about it."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    lowered = reason.lower()
    if "not a database" in lowered or "malformed" in lowered:
        return (
            f"the database file is not a readable SQLite database ({reason}); restore it from "
            "a backup (docs/operations.md) or point DATABASE_URL at another file"
        )
    if "unable to open database file" in lowered:
        return (
            f"cannot open the SQLite file ({reason}): check that its folder exists and that "
            "this user may write there (DATABASE_URL, or database_url in app.yaml)"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return (
            f"the database is read-only for this user ({reason}): Onramp writes to its SQLite "
            "file and the -wal/-shm files beside it, even to read; run as the file's owner or "
            "make the file and its folder writable"
        )
    return (
        f"cannot use the database ({reason}); check DATABASE_URL or database_url in "
        "app.yaml, and that the server is running"
    )


class _Boundary(TyperGroup):
    """The one error boundary: whatever a command raises ends as a sentence and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        with errors():
            return super().invoke(ctx)


app = typer.Typer(
    name="onramp",
    cls=_Boundary,
    help="Onramp: carry a new hire from day 1 to month 12, in Slack.",
    no_args_is_help=True,
    add_completion=False,
    # Rich tracebacks print local variables, which may hold secrets; errors are handled below.
    pretty_exceptions_enable=False,
)


def command_group(name: str, help_text: str) -> typer.Typer:
    """A group of subcommands (``onramp NAME …``), registered on the root app; without a
    subcommand it prints its help."""
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


plans_app = command_group("plans", "List, show and check milestone plans.")
db_app = command_group("db", "Database schema management.")


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
