"""The operator's command line (``onramp …``). Names, flags and JSON shapes are a contract.

Each module registers its commands on :data:`bot.cli.core.app`; :func:`load` imports them all.
Exit codes (the README's table): 0 done; 1 well-formed but no (unknown person, plan or milestone,
refused, failed check); 2 fix the command, a file or a setting; 3 an unexpected failure (a bug).
"""

from __future__ import annotations

import logging
import sys

import typer


def load() -> typer.Typer:
    """The Typer app with every command registered (importing a module registers its commands)."""
    from bot.cli import (  # noqa: F401
        answers,
        checkins,
        demo,
        evals,
        focus,
        growth,
        kpis,
        one_on_ones,
        packet,
        people,
        plans,
        slack,
    )
    from bot.cli.core import app

    return app


def main() -> None:
    """Console-script entry point."""
    app = load()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
