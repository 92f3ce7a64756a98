"""Milestone plans: the models of ``plan.yaml`` and the checks that tie them to a blueprint.

Parsing is pure (text in, models or a :class:`PlanError` out); reading files is the catalog's job.
Every problem is reported as ``FILE:LINE: field.path: what is wrong (the fix)``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)

from bot.domain.blueprint import Blueprint
from bot.domain.errors import PlanError
from bot.domain.offsets import Offset

_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
_SPACE = re.compile(r"\s+")
# How an id may arrive as typed: copied with its backticks or quotes, in capitals, with _ or spaces.
_ID_QUOTES = "`'\"“”‘’"
_ID_SEPARATORS = re.compile(r"[\s_]+")


def _to_offset(value: Any) -> Offset:
    return value if isinstance(value, Offset) else Offset.parse(str(value))


OffsetField = Annotated[
    Offset,
    BeforeValidator(_to_offset),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(d|w|mo|y)$", "examples": ["30d", "6mo"]}),
]
Slug = Annotated[str, Field(pattern=_ID_PATTERN, min_length=1, max_length=60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Milestone(_Strict):
    """One thing the hire should achieve, drawn from one bullet of the blueprint."""

    id: Slug
    title: str = Field(min_length=1, max_length=75, description="Short label (fits a button).")
    detail: str | None = Field(
        default=None, description="The blueprint's own words for this milestone (checked)."
    )
    source: str = Field(description="Blueprint section id this milestone was drawn from.")
    parent: Slug | None = Field(
        default=None, description="The lead-in milestone this one details, in the same phase."
    )


class Phase(_Strict):
    """A stretch of the first year ending on a due date: day-30, day-60, … month-12."""

    id: Slug
    due: OffsetField
    title: str = Field(min_length=1, max_length=120)
    source: str
    milestones: list[Milestone] = Field(min_length=1)


class Kpi(_Strict):
    """A key performance indicator from the blueprint's KPI table."""

    name: str = Field(min_length=1)
    measures: str
    target: str
    frequency: str
    why: str | None = None
    source: str


class Cadence(_Strict):
    """How often check-ins go out for this role; anything left out comes from ``app.yaml``."""

    weekly_pulse_until: OffsetField | None = Field(
        default=None, description="Send the pulse every week until this offset (e.g. 90d)."
    )
    pulse_every_weeks_after: int | None = Field(
        default=None, ge=1, le=8, description="After that, a pulse every N weeks."
    )
    pulse_until: OffsetField | None = Field(default=None, description="No pulses after this.")
    review_heads_up_working_days: int | None = Field(default=None, ge=0, le=15)
    reminder_after_working_days: int | None = Field(default=None, ge=1, le=15)
    mentor_nudge_after_silent_working_days: int | None = Field(default=None, ge=1, le=30)
    escalate_after_working_days: int | None = Field(default=None, ge=1, le=30)


class Plan(_Strict):
    """A role's milestone plan (``plans/<role-id>/plan.yaml``)."""

    id: Slug
    title: str = Field(min_length=1)
    version: int = Field(ge=1, description="Bump when milestones change; enrollments pin it.")
    blueprint: str = Field(default="blueprint.md", description="Blueprint file beside the plan.")
    description: str | None = None
    phases: list[Phase] = Field(min_length=1)
    kpis: list[Kpi] = Field(default_factory=list)
    checkins: Cadence = Field(default_factory=Cadence)

    def milestone(self, milestone_id: str) -> tuple[Phase, Milestone] | None:
        """The phase and milestone with this id as typed (:func:`milestone_key`), or ``None``."""
        key = milestone_key(milestone_id)
        for phase in self.phases:
            for milestone in phase.milestones:
                if milestone.id == key:
                    return phase, milestone
        return None

    def closest_milestones(self, typed: str, *, n: int = 3) -> list[str]:
        """Ids that ``typed`` is probably a misspelling of, closest first (maybe none)."""
        return difflib.get_close_matches(milestone_key(typed), self.milestone_ids, n=n, cutoff=0.6)

    @property
    def milestone_ids(self) -> list[str]:
        """Every milestone id in plan order."""
        return [m.id for p in self.phases for m in p.milestones]


def milestone_key(typed: str) -> str:
    """A milestone id as typed, in the form ids are written: ``D30_Dev Environment`` and
    ```d30-dev-environment``` both give ``d30-dev-environment`` (ids are lower-case slugs, so
    matching this way can never make two milestones one)."""
    word = typed.strip().strip(_ID_QUOTES).strip()
    return _ID_SEPARATORS.sub("-", word).lower()


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan with the blueprint it cites and the hash an enrollment pins."""

    plan: Plan
    blueprint: Blueprint
    content_hash: str
    path: str


def content_hash(*texts: str) -> str:
    """A short, stable fingerprint of a plan and its blueprint (changes when either changes)."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``plan.yaml`` for editors (``onramp plans schema``)."""
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Onramp plan.yaml"
    return schema


# ---------------------------------------------------------------------------------------------
# Parsing with line numbers


Loc = tuple[str | int, ...]


def _line_map(node: yaml.Node, path: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            out[child] = key.start_mark.line + 1
            _line_map(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), out)


def _line_for(loc: Loc, lines: dict[Loc, int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def format_loc(loc: Iterable[str | int]) -> str:
    """``('phases', 1, 'milestones', 3, 'source')`` → ``phases[1].milestones[3].source``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _pydantic_problem(error: Any) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "extra_forbidden":
        return "unknown field; remove it or fix its spelling (see `onramp plans schema`)"
    if kind == "value_error":
        return str(msg).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} is not a valid id; use lower-case letters, digits and '-'"
    return str(msg)


def parse_plan(text: str, *, source_name: str, blueprint: Blueprint) -> Plan:
    """Validate plan YAML against the schema and against ``blueprint``; raise ``PlanError``."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError([f"{source_name}:{line}: not valid YAML: {problem}"]) from None
    if root is None or not isinstance(root, yaml.MappingNode):
        raise PlanError([f"{source_name}:1: a plan must be a mapping with id, title, version …"])
    lines: dict[Loc, int] = {}
    _line_map(root, (), lines)
    data = yaml.safe_load(text)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{source_name}:{_line_for(tuple(e['loc']), lines)}: {format_loc(e['loc'])}: "
            f"{_pydantic_problem(e)}"
            for e in exc.errors()
        ]
        raise PlanError(problems) from None
    problems = [
        f"{source_name}:{_line_for(loc, lines)}: {format_loc(loc)}: {message}"
        for loc, message in cross_check(plan, blueprint)
    ]
    if problems:
        raise PlanError(problems)
    return plan


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def cross_check(plan: Plan, blueprint: Blueprint) -> list[tuple[Loc, str]]:
    """Checks no schema can express: unique ids, increasing due dates, sources that resolve."""
    problems: list[tuple[Loc, str]] = []

    def check_source(loc: Loc, source: str) -> bool:
        if source in blueprint:
            return True
        hint = blueprint.suggest(source)
        fix = f" (did you mean {hint!r}?)" if hint else " (see `onramp plans show` for the ids)"
        problems.append((loc, f"no blueprint section {source!r}{fix}"))
        return False

    seen_phases: set[str] = set()
    seen_milestones: dict[str, Loc] = {}
    previous: Offset | None = None
    for p_index, phase in enumerate(plan.phases):
        p_loc: Loc = ("phases", p_index)
        if phase.id in seen_phases:
            problems.append(
                ((*p_loc, "id"), f"duplicate phase id {phase.id!r}; ids must be unique")
            )
        seen_phases.add(phase.id)
        if previous is not None and phase.due <= previous:
            problems.append(
                (
                    (*p_loc, "due"),
                    f"due {phase.due} is not after the previous phase's {previous}; "
                    "list phases in order of their due offsets",
                )
            )
        previous = phase.due
        check_source((*p_loc, "source"), phase.source)
        phase_ids: set[str] = set()
        for m_index, milestone in enumerate(phase.milestones):
            m_loc: Loc = (*p_loc, "milestones", m_index)
            if milestone.id in seen_milestones:
                first = format_loc(seen_milestones[milestone.id])
                problems.append(
                    (
                        (*m_loc, "id"),
                        f"duplicate milestone id {milestone.id!r} (first used at {first}); "
                        "give each milestone its own id",
                    )
                )
            else:
                seen_milestones[milestone.id] = m_loc
            if milestone.parent is not None and milestone.parent not in phase_ids:
                problems.append(
                    (
                        (*m_loc, "parent"),
                        f"parent {milestone.parent!r} is not an earlier milestone of phase "
                        f"{phase.id!r}; point it at the lead-in milestone above it",
                    )
                )
            phase_ids.add(milestone.id)
            if (
                check_source((*m_loc, "source"), milestone.source)
                and milestone.detail
                and _normal(milestone.detail) not in _normal(blueprint.full_text(milestone.source))
            ):
                problems.append(
                    (
                        (*m_loc, "detail"),
                        f"the text is not in blueprint section {milestone.source!r}; quote the "
                        "blueprint's own words or drop `detail`",
                    )
                )
    for k_index, kpi in enumerate(plan.kpis):
        check_source(("kpis", k_index, "source"), kpi.source)
    return problems
