"""`onramp plans …` and `onramp db …`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.core import (
    ConfigOption,
    JsonFlag,
    db_app,
    emit_json,
    errors,
    plans_app,
)
from bot.config import DEFAULT_CONFIG, load_settings
from bot.domain.errors import PlanError
from bot.domain.plan import Growth, LoadedPlan, plan_json_schema
from bot.services.catalog import check_paths

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
        "growth": _growth_json(plan.growth),
    }


def _growth_json(growth: Growth) -> dict[str, Any]:
    """The plan's growth half for ``plans show --json``: every item has id, title and source."""
    return {
        "rubric": [
            {
                "id": d.id,
                "title": d.title,
                "source": d.source,
                "levels": [
                    {"level": rank, "label": level.label, "anchor": level.anchor}
                    for rank, level in enumerate(d.levels, start=1)
                ],
            }
            for d in growth.rubric
        ],
        "skills": [s.model_dump(mode="json") for s in growth.skills],
        "promotion": [c.model_dump(mode="json") for c in growth.promotion],
        "paths": [c.model_dump(mode="json") for c in growth.paths],
    }


def _growth_summary(growth: Growth) -> str:
    if not (growth.rubric or growth.skills or growth.promotion):
        return "no growth section"
    return (
        f"growth: {len(growth.rubric)} rubric dimensions, {len(growth.skills)} skills, "
        f"{len(growth.promotion)} promotion criteria, {len(growth.paths)} career paths"
        + (f", {len(growth.later)} later phases" if growth.later else "")
    )


@plans_app.command("list")
def plans_list(config: ConfigOption = DEFAULT_CONFIG, as_json: JsonFlag = False) -> None:
    """List the plans in the plans folder."""
    with errors():
        settings = load_settings(config)
        from bot.services.catalog import PlanCatalog

        plans = PlanCatalog(settings.plans_dir).all()
        if as_json:
            emit_json(
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
    with errors():
        from bot.services.catalog import PlanCatalog

        loaded = PlanCatalog(load_settings(config).plans_dir).get(plan_id)
        if as_json:
            emit_json(_plan_json(loaded))
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
            _echo_block(
                f"KPIs ({len(plan.kpis)}):",
                [f"    • {k.name}: {k.target} ({k.frequency})" for k in plan.kpis],
            )
        _echo_growth(loaded.plan.growth)


def _echo_block(heading: str, lines: list[str]) -> None:
    """One part of ``plans show``: a blank line, its heading, its lines; nothing if empty."""
    if lines:
        typer.echo("")
        typer.echo(heading)
        for line in lines:
            typer.echo(line)


def _echo_growth(growth: Growth) -> None:
    """The growth half of ``plans show``: rubric levels low to high, skills, criteria, paths."""
    rubric = []
    for d in growth.rubric:
        rubric.append(f"    • {d.title}  [{d.id}]")
        rubric += [f"        {n} {lv.label}: {lv.anchor}" for n, lv in enumerate(d.levels, 1)]
    _echo_block(f"Growth rubric ({len(growth.rubric)} dimensions, levels low → high):", rubric)
    _echo_block(
        f"Skills ({len(growth.skills)}):",
        [
            f"    • {s.title}{f' ({s.importance})' if s.importance else ''}, {s.kind}  [{s.id}]"
            for s in growth.skills
        ],
    )
    criteria = []
    for c in growth.promotion:
        criteria.append(f"    • {c.detail}  [{c.id}]")
        criteria += [f"        – {point}" for point in c.includes]
    _echo_block(f"Promotion criteria ({len(growth.promotion)}):", criteria)
    _echo_block("Career paths:", [f"    • {p.title} ({p.kind})  [{p.id}]" for p in growth.paths])


@plans_app.command("check")
def plans_check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATH]...", help="plan.yaml files or folders (default: plans/)"),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Validate plans against their schema and blueprint; exit 2 naming each problem."""
    with errors():
        settings = load_settings(config)
        loaded, problems = check_paths(paths or [settings.plans_dir])
        from bot.domain.schedule import cadence_problems
        from bot.services.semantic import check_plan_vectors, embeddings_path

        for p in loaded:
            rules = settings.checkins.rules().with_cadence(p.plan.checkins)
            cadence = [f"{p.path}: checkins: {c}" for c in cadence_problems(rules)]
            if cadence:  # with app.yaml's defaults, the calendar after the plan would not repeat
                problems += cadence
                continue
            typer.echo(
                f"ok  {p.path}: {len(p.plan.phases)} phases, {len(p.plan.milestone_ids)} "
                f"milestones, {len(p.plan.kpis)} KPIs, {_growth_summary(p.plan.growth)}; "
                f"every source and quote found in {p.blueprint.source_name}"
            )
            if not embeddings_path(p).exists():
                typer.echo(
                    f"note {p.plan.id}: no {embeddings_path(p).name}, so answers use BM25 only; "
                    "run `onramp plans index` to add semantic search"
                )
            elif problem := check_plan_vectors(p):
                problems.append(problem)
        if problems:
            raise PlanError(problems)


@plans_app.command("index")
def plans_index(
    plan_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Plan id (default: every plan)")
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Encode a plan's blueprint passages for semantic search (writes embeddings.npz beside it)."""
    with errors():
        from bot.domain.chunks import chunk_blueprint
        from bot.llm.encoder import PACKAGE, load_encoder
        from bot.services.catalog import PlanCatalog
        from bot.services.semantic import build_vectors, embeddings_path, save_vectors

        catalog = PlanCatalog(load_settings(config).plans_dir)
        plans = [catalog.get(plan_id)] if plan_id else catalog.all()
        encoder = load_encoder()
        if encoder is None:
            raise PlanError(
                [f"the {PACKAGE} package is not installed; run `uv sync` and try again"]
            )
        for loaded in plans:
            chunks = chunk_blueprint(loaded.blueprint)
            vectors = build_vectors(encoder, chunks)
            path = embeddings_path(loaded)
            save_vectors(path, vectors)
            typer.echo(
                f"indexed {loaded.plan.id}: {len(chunks)} passages with {vectors.model} "
                f"-> {path} (blueprint hash {vectors.blueprint_hash})"
            )


@plans_app.command("schema")
def plans_schema() -> None:
    """Print the JSON Schema of plan.yaml (for editors)."""
    emit_json(plan_json_schema())


# --- database -------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Apply database migrations up to the newest."""
    with errors():
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
