"""`onramp eval`: run a golden set through the answer service, judge it, compare, write it up.

``onramp eval`` runs every case of a suite (default: the plan's ``evals.yaml``) and prints a table
per metric and per kind, then the failures; ``--json`` prints one object instead (issue 6's keys
first). The run passes when every threshold of ``eval.thresholds`` is met and no case fails that
the baseline does not list as a known failure (docs/evaluation.md). Exit codes: 0 passed,
1 below a threshold or regressed, 2 a usage or configuration error.

The eval never touches the configured database: the service runs over a temporary SQLite file,
and personal cases each get a throw-away hire there.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer

from bot.app import Container, build
from bot.cli.core import ConfigOption, JsonFlag, app, emit_json, errors, fail
from bot.config import DEFAULT_CONFIG, Settings, load_settings
from bot.domain.errors import PlanError
from bot.services.answers import EXTRACTIVE, Answers
from bot.services.eval_report import (
    Baseline,
    Evaluation,
    Gate,
    RunInfo,
    check_suite,
    compare_json,
    evaluate,
    markdown_compare,
    markdown_report,
    read_baseline,
    text_compare,
    text_report,
)
from bot.services.evals import Suite, SuiteRunner, load_suite

BACKENDS = ("auto", "extractive", "anthropic")
_PROMPT_REF = re.compile(r"^[a-z0-9_\-]+@v\d+$")
SUITE_FILE = "evals.yaml"

# User-facing messages of this command.
BAD_BACKEND = "--backend {value!r} is not a backend; use one of: auto, extractive, anthropic"
BAD_COMPARE = (
    "--compare takes two prompt versions (answer@v1 answer@v2) or two backends "
    "(extractive anthropic); {value!r} is neither"
)
MIXED_COMPARE = (
    "--compare compares like with like: two prompt versions or two backends, not {a!r} and {b!r}"
)
COMPARE_WITH_BASELINE = (
    "--compare and --baseline do not combine: compare two variants, or gate one run on a baseline"
)
NO_PLAN = "name the plan with --plan ID; plans available: {ids}"
UNKNOWN_PLAN = "there is no plan {plan!r}; plans available: {ids}"
NO_SUITE = "{path}: no golden set here; write one (docs/evaluation.md) or pass --suite FILE"
BAD_REPORT = "--report {path}: the folder {folder} does not exist; create it or choose another path"
BAD_TEMPLATE = (
    "eval.baseline {template!r} in app.yaml: only the placeholders {{plan}} and {{backend}} "
    "are filled in; fix the path"
)
PROMPT_UNUSED = "note: the extractive backend does not use a prompt, so both runs answer alike"
REPORT_WRITTEN = "Report written to {path}"


@dataclass(frozen=True)
class Variant:
    """One way of answering: a backend and a prompt version, with the label it is shown under."""

    label: str
    backend: str
    prompt: str


def _variants(compare: tuple[str, str] | None, backend: str, prompt: str) -> tuple[Variant, ...]:
    """The runs to make: one, or the two of ``--compare`` (the other dimension held fixed)."""
    if compare is None:
        return (Variant(label="", backend=backend, prompt=prompt),)
    kinds = []
    for value in compare:
        if value in BACKENDS:
            kinds.append("backend")
        elif _PROMPT_REF.match(value):
            kinds.append("prompt")
        else:
            raise fail(BAD_COMPARE.format(value=value), 2)
    a, b = compare
    if kinds[0] != kinds[1]:
        raise fail(MIXED_COMPARE.format(a=a, b=b), 2)
    if kinds[0] == "backend":
        return (Variant(a, a, prompt), Variant(b, b, prompt))
    return (Variant(a, backend, a), Variant(b, backend, b))


@contextmanager
def _eval_container(settings: Settings) -> Iterator[Container]:
    """The composition root over a temporary SQLite database (the real one is never touched)."""
    with tempfile.TemporaryDirectory(prefix="onramp-eval-") as tmp:
        scratch = settings.model_copy(update={"database_url": f"sqlite:///{Path(tmp) / 'eval.db'}"})
        built = build(scratch)
        try:
            yield built
        finally:
            built.close()


def _answers_for(base: Answers, prompt: str) -> Answers:
    """A fresh answer service (own cache) like ``base``, answering with prompt ``prompt``."""
    answers = replace(base, policy=replace(base.policy, prompt=prompt))
    answers.prompts.get(prompt)  # an unknown version is a configuration error, before any work
    return answers


def _plan_id(container: Container, plan: str | None) -> str:
    ids = container.catalog.ids()
    listed = ", ".join(ids) or "none (add one under plans/)"
    if plan is None:
        only = container.catalog.default_id()
        if only is None:
            raise fail(NO_PLAN.format(ids=listed), 2)
        return only
    if plan not in ids:
        raise fail(UNKNOWN_PLAN.format(plan=plan, ids=listed), 2)
    return plan


def _suite(container: Container, plan_id: str, path: Path | None) -> tuple[Path, Suite, bool]:
    """The suite file, parsed and checked against the plan; and whether it is the plan's own."""
    loaded = container.catalog.get(plan_id)
    own = Path(loaded.path).parent / SUITE_FILE
    chosen = path or own
    if path is None and not own.is_file():
        raise fail(NO_SUITE.format(path=own), 2)
    suite = load_suite(chosen)
    problems = check_suite(suite, loaded, chosen)
    if problems:
        raise PlanError(problems)
    is_own = chosen.resolve() == own.resolve()
    return chosen, suite, is_own


def _baseline(
    settings: Settings, config: Path, explicit: Path | None, *, plan: str, backend: str, own: bool
) -> Baseline | None:
    """``--baseline FILE``; else ``eval.baseline`` for the plan's own suite, when it exists."""
    if explicit is not None:
        return read_baseline(explicit)
    if not own:
        return None
    try:
        default = Path(settings.eval.baseline.format(plan=plan, backend=backend))
    except (KeyError, IndexError, ValueError):
        raise fail(BAD_TEMPLATE.format(template=settings.eval.baseline), 2) from None
    if not default.is_absolute():
        default = config.parent / default
    # An empty file is a baseline being rewritten (`onramp eval --json > BASELINE` truncates it
    # before this run reads it): the run then has no baseline.
    if not default.is_file() or not default.read_text(encoding="utf-8").strip():
        return None
    return read_baseline(default)


def _gate(settings: Settings) -> Gate:
    policy = settings.eval
    return Gate(
        minimums=policy.thresholds.model_dump(),
        max_latency_p95_ms=policy.max_latency_p95_ms,
        max_cost_usd=policy.max_cost_usd,
        tolerance=policy.regression_tolerance,
    )


def _judge(
    answers: Answers,
    suite: Suite,
    *,
    plan: str,
    backend: str,
    path: Path,
    gate: Gate,
    label: str = "",
    baseline: Baseline | None = None,
    strict_cases: bool = True,
) -> Evaluation:
    """Ask every case (a progress bar on stderr when it is a terminal), then judge the run."""
    answers.warm(plan)  # build the index first, so latencies measure answering
    runner = SuiteRunner(answers, plan_id=plan, backend=backend)
    with typer.progressbar(
        length=len(suite.cases),
        label=f"eval {label}".strip(),
        file=sys.stderr,
        hidden=not sys.stderr.isatty(),
        show_pos=True,
    ) as bar:
        report = runner.run(suite, progress=lambda _result: bar.update(1))
    info = RunInfo(
        plan=plan, suite=str(path), backend=backend, prompt_version=answers.policy.prompt
    )
    return evaluate(report, info, gate, baseline=baseline, strict_cases=strict_cases)


def _write(path: Path, text: str, *, quiet_stdout: bool) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"--report {path}: cannot write it ({exc.strerror or exc})", 2) from None
    typer.echo(REPORT_WRITTEN.format(path=path), err=quiet_stdout)


@app.command("eval")
def eval_command(
    plan: Annotated[
        str | None,
        typer.Option("--plan", metavar="ID", help="Plan to evaluate (default: the only one)."),
    ] = None,
    suite_path: Annotated[
        Path | None,
        typer.Option(
            "--suite", metavar="FILE", help="Suite file (default: the plan's evals.yaml)."
        ),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            "--backend",
            metavar="auto|extractive|anthropic",
            help="Who answers (default: eval.backend in app.yaml, extractive).",
        ),
    ] = None,
    prompt: Annotated[
        str | None,
        typer.Option(
            "--prompt", metavar="NAME@vN", help="Prompt version (default: answers.prompt)."
        ),
    ] = None,
    as_json: JsonFlag = False,
    report_path: Annotated[
        Path | None, typer.Option("--report", metavar="FILE", help="Write a Markdown report.")
    ] = None,
    baseline_path: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="A saved --json run; fail on a regression (default: eval.baseline, if present).",
        ),
    ] = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--compare",
            metavar="A B",
            help="Run twice and show both side by side: two prompt versions or two backends.",
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Run the golden set, print its metrics and failures; exit 1 below thresholds or regressed."""
    if backend is not None and backend not in BACKENDS:
        raise fail(BAD_BACKEND.format(value=backend), 2)
    if prompt is not None and not _PROMPT_REF.match(prompt):
        raise fail(
            f"--prompt {prompt!r} is not a prompt version; write it as name@vN, e.g. answer@v1", 2
        )
    if compare is not None and baseline_path is not None:
        raise fail(COMPARE_WITH_BASELINE, 2)
    if report_path is not None and not report_path.parent.is_dir():
        raise fail(BAD_REPORT.format(path=report_path, folder=report_path.parent), 2)
    with errors():
        settings = load_settings(config)
        variants = _variants(
            compare, backend or settings.eval.backend, prompt or settings.answers.prompt
        )
        with _eval_container(settings) as c:
            plan_id = _plan_id(c, plan)
            path, suite, own = _suite(c, plan_id, suite_path)
            services = [_answers_for(c.answers, v.prompt) for v in variants]
            concrete = [s.backend_for(v.backend) for s, v in zip(services, variants, strict=True)]
            gate = _gate(settings)
            if compare is None:
                baseline = _baseline(
                    settings, config, baseline_path, plan=plan_id, backend=concrete[0], own=own
                )
                result = _judge(
                    services[0],
                    suite,
                    plan=plan_id,
                    backend=concrete[0],
                    path=path,
                    gate=gate,
                    baseline=baseline,
                )
                if report_path is not None:
                    _write(report_path, markdown_report(result, baseline), quiet_stdout=as_json)
                if as_json:
                    emit_json(result.as_json())
                else:
                    typer.echo(text_report(result, baseline))
                passed = result.passed
            else:
                if compare[0] not in BACKENDS and concrete == [EXTRACTIVE, EXTRACTIVE]:
                    typer.echo(PROMPT_UNUSED, err=True)
                a, b = (
                    _judge(
                        service,
                        suite,
                        plan=plan_id,
                        backend=name,
                        path=path,
                        gate=gate,
                        label=variant.label,
                        strict_cases=False,  # side by side, only the thresholds judge each run
                    )
                    for service, variant, name in zip(services, variants, concrete, strict=True)
                )
                la, lb = variants[0].label, variants[1].label
                if report_path is not None:
                    _write(report_path, markdown_compare(a, b, la, lb), quiet_stdout=as_json)
                if as_json:
                    emit_json(compare_json(a, b))
                else:
                    typer.echo(text_compare(a, b, la, lb))
                passed = a.passed and b.passed
    if not passed:
        raise typer.Exit(1)
