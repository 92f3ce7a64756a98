"""`onramp` commands run in-process (Typer's ``CliRunner``), with the repository's app.yaml."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import load

#: The shipped settings file every command here is given.
CONFIG = str(Path(__file__).resolve().parents[2] / "app.yaml")


def invoke(
    *args: str, env: dict[str, str], config: bool = True, input: str | None = None
) -> tuple[int, str, str]:
    """Run ``onramp ARGS --config app.yaml`` (without ``--config`` when ``config`` is false) with
    ``env`` over the environment; its exit code, stdout and stderr. Errors are not caught."""
    result = CliRunner().invoke(
        load(),
        [*args, "--config", CONFIG] if config else list(args),
        env=env,
        input=input,
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr
