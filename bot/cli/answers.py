"""`onramp ask`: answer role questions from the shell, one at a time or a stream of them.

``onramp ask "QUESTION" --json`` prints one object (design.md §8); ``onramp ask --json -`` reads
questions one per line from standard input and prints one JSON object per line, in order (blank
lines are skipped). The index is built once per process, so a stream is fast.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from bot.cli.core import ConfigOption, JsonFlag, app, container, emit_json, fail
from bot.config import DEFAULT_CONFIG
from bot.domain.errors import OnrampError
from bot.services.answers import Answer, Answers
from bot.services.onboarding import Actor

BACKENDS = ("auto", "extractive", "anthropic")


def _print(answer: Answer) -> None:
    typer.echo(answer.text)
    if answer.citations:
        typer.echo("\nSources:")
        for c in {c.id: c for c in answer.citations}.values():
            typer.echo(f"  {c.heading} [{c.id}]")
    model = f" {answer.model}" if answer.model else ""
    typer.echo(
        f"\n({answer.backend}{model}, {answer.prompt_version}, {answer.latency_ms:.1f} ms)",
        err=True,
    )


def _ask_one(
    answers: Answers, question: str, *, asker: Actor | None, plan: str | None, backend: str
) -> Answer:
    # --as is the operator looking as someone: never their private evidence (as `growth --as`).
    return answers.ask(
        question=question, asker=asker, plan_id=plan, backend=backend, impersonated=bool(asker)
    )


@app.command()
def ask(
    question: Annotated[
        str,
        typer.Argument(
            metavar="QUESTION",
            help='The question, or "-" to read one question per line from stdin.',
        ),
    ],
    plan: Annotated[
        str | None, typer.Option("--plan", metavar="ID", help="Plan whose blueprint answers.")
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="USER",
            help="Ask as this Slack user (personal questions use their plan).",
        ),
    ] = None,
    backend: Annotated[
        str, typer.Option("--backend", metavar="auto|extractive|anthropic", help="Who answers.")
    ] = "auto",
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Answer a question about the role from its blueprint, with citations."""
    if backend not in BACKENDS:
        raise fail(f"--backend {backend!r} is not a backend; use one of: {', '.join(BACKENDS)}", 2)
    asker = Actor.slack(as_user) if as_user else None
    with container(config) as c:
        c.answers.warm(plan)  # build the index now, so latency_ms measures answering
        if question != "-":
            answer = _ask_one(c.answers, question, asker=asker, plan=plan, backend=backend)
            if as_json:
                emit_json(answer.as_json())
            else:
                _print(answer)
            return
        # A stream: one answer per non-blank line, in order. A bad line gets an error object
        # in its place so the output stays aligned with the input.
        c.answers.backend_for(backend)  # fail fast on a backend that cannot run
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            try:
                answer = _ask_one(c.answers, text, asker=asker, plan=plan, backend=backend)
            except OnrampError as exc:
                if as_json:
                    typer.echo(
                        json.dumps({"question": text, "error": str(exc)}, ensure_ascii=False)
                    )
                else:
                    typer.echo(f"error: {exc}", err=True)
                continue
            if as_json:
                typer.echo(json.dumps(answer.as_json(), ensure_ascii=False))
            else:
                typer.echo(f"Q: {text}")
                _print(answer)
                typer.echo("")
