"""`onramp demo [--interactive]`: the whole story offline, on a temporary database."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from bot.cli.core import app, fail

log = logging.getLogger("onramp.cli.demo")


def _color() -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@app.command()
def demo(
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Drive the same world yourself: act as anyone, type /onramp …, click, advance.",
        ),
    ] = False,
) -> None:
    """Play a new hire's first 90 days through the real app: offline, no keys, nothing left behind.

    A simulated Slack on 127.0.0.1, a temporary SQLite database and a simulated clock; answers
    come from the offline extractive backend (ANTHROPIC_API_KEY is ignored).
    """
    from bot.demo import repl, story
    from bot.demo.world import DemoError

    key_set = bool(os.environ.get("ANTHROPIC_API_KEY"))
    try:
        if interactive:
            tty = sys.stdin.isatty()
            repl.run(
                typer.echo,
                lambda r: repl.lines_from(sys.stdin, tty=tty, prompt=r.prompt, echo=typer.echo),
                color=_color(),
                key_set=key_set,
            )
        else:
            story.run(typer.echo, color=_color(), key_set=key_set)
    except DemoError as exc:
        raise fail(str(exc), 2) from None
    except KeyboardInterrupt:
        typer.echo("\nStopped. The temporary database is gone.", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:
        log.debug("the demo failed", exc_info=True)
        raise fail(
            f"the demo stopped unexpectedly ({type(exc).__name__}: {exc}); nothing was left "
            "behind. Please report it with the output above",
            1,
        ) from None
