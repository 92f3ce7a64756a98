"""Milestone plans: the models of ``plan.yaml`` and the checks that tie them to a blueprint.

Parsing is pure (text in, models or a :class:`PlanError` out); reading files is the catalog's job.
Every problem is reported as ``FILE:LINE: field.path: what is wrong (the fix)``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from bot.domain.blueprint import Blueprint, slugify
from bot.domain.errors import PlanError
from bot.domain.offsets import Offset

_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
_SPACE = re.compile(r"\s+")
# How an id may arrive as typed: copied with its backticks or quotes, in capitals, with _ or spaces.
_ID_QUOTES = "`'\"“”‘’"
_ID_SEPARATORS = re.compile(r"[\s_]+")
# Captures and hand edits mix straight and curly quotes; a quote is checked in either style.
_PLAIN_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


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

    @property
    def id(self) -> str:
        """The KPI's id: its name as a slug, parenthetical dropped ("PR throughput (LLM domain)"
        is ``pr-throughput``); unique within a plan (checked)."""
        return slugify(self.name)

    @property
    def team_level(self) -> bool:
        """Whether the blueprint measures it for the team: a hire's reading is a contribution."""
        return "team-level" in f"{self.measures} {self.target}".lower()


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
    growth_rounds: list[OffsetField] | None = Field(
        default=None,
        min_length=1,
        max_length=12,
        description="Growth check-ins (blind self and manager ratings) at these offsets, "
        "e.g. [90d, 6mo, 12mo].",
    )
    growth_every_after: OffsetField | None = Field(
        default=None,
        description="After the last listed round, another every this long (e.g. 3mo).",
    )
    growth_round_closes_after_working_days: int | None = Field(
        default=None,
        ge=2,
        le=30,
        description="A round is open this many working days; then the ratings are shown.",
    )
    growth_reminder_after_working_days: int | None = Field(
        default=None,
        ge=1,
        le=15,
        description="One reminder to each rater who has not submitted, this long after.",
    )
    growth_mentor: bool | None = Field(
        default=None, description="Whether the hire's mentors are asked to rate too (optional)."
    )

    @field_validator("growth_rounds")
    @classmethod
    def _rounds_in_order(cls, value: list[Offset] | None) -> list[Offset] | None:
        if value is not None:
            check_rounds(value)
        return value


def check_rounds(rounds: Sequence[Offset]) -> None:
    """Growth rounds are listed earliest first, each once; raise ``ValueError`` naming the fix."""
    if any(a >= b for a, b in pairwise(rounds)):
        raise ValueError(
            "growth rounds must be listed earliest first, each once (e.g. [90d, 6mo, 12mo])"
        )


class RubricLevel(_Strict):
    """One level of a rubric dimension, in the blueprint's words (stored as its 1-based rank)."""

    label: str = Field(
        min_length=1, description="The level's name as the blueprint's table heads it."
    )
    anchor: str = Field(min_length=1, description="What this level looks like (quoted, checked).")


class RubricDimension(_Strict):
    """A dimension a hire is rated on, with its level anchors quoted from the blueprint."""

    id: Slug
    title: str = Field(min_length=1, max_length=75, description="The dimension's name (checked).")
    source: str
    levels: list[RubricLevel] = Field(
        min_length=2, max_length=5, description="Lowest level first; ratings store 1, 2, 3 …"
    )


class Skill(_Strict):
    """A finer item evidence can be tagged to: a technical skill with its label, or a soft skill."""

    id: Slug
    title: str = Field(min_length=1, max_length=75, description="The skill's name (checked).")
    kind: Literal["technical", "soft"]
    importance: str | None = Field(
        default=None, description="The blueprint's label, e.g. Critical or Important (checked)."
    )
    detail: str | None = Field(default=None, description="The blueprint's words (checked).")
    source: str


class PromotionCriterion(_Strict):
    """One criterion for the next level, with the sub-bullets that spell it out (all quoted)."""

    id: Slug
    title: str = Field(min_length=1, max_length=75, description="Short label (fits a button).")
    detail: str = Field(min_length=1, description="The blueprint's own words (checked).")
    includes: list[str] = Field(
        default_factory=list, description="The criterion's sub-bullets, quoted (checked)."
    )
    source: str


class CareerPath(_Strict):
    """A role a hire may grow into: the next step up, or an adjacent path."""

    id: Slug
    title: str = Field(min_length=1, max_length=75, description="The role's name (checked).")
    kind: Literal["next", "adjacent"]
    detail: str | None = Field(default=None, description="The blueprint's words (checked).")
    source: str


class Growth(_Strict):
    """The career-progression half of a plan: what a hire is rated on and grows toward."""

    rubric: list[RubricDimension] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    promotion: list[PromotionCriterion] = Field(default_factory=list)
    paths: list[CareerPath] = Field(default_factory=list)
    later: list[Phase] = Field(
        default_factory=list,
        description="Phases after the plan's last one (e.g. 18mo, 24mo), drawn from the "
        "blueprint's long-term goals and how the role evolves: shown once the hire is past the "
        "plan, never reviewed (the growth rounds go on instead).",
    )

    def dimension(self, dimension_id: str) -> RubricDimension | None:
        """The rubric dimension with this id as typed (:func:`milestone_key`), or ``None``."""
        key = milestone_key(dimension_id)
        return next((d for d in self.rubric if d.id == key), None)

    @property
    def tag_ids(self) -> list[str]:
        """Every id evidence may be tagged with, in plan order: dimensions, skills, criteria."""
        return [
            *(d.id for d in self.rubric),
            *(s.id for s in self.skills),
            *(c.id for c in self.promotion),
        ]


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
    growth: Growth = Field(
        default_factory=Growth, description="Rubric, skills, promotion criteria and career paths."
    )

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

    def check_quote(loc: Loc, source: str, text: str) -> None:
        if not _quoted(text, blueprint.full_text(source)):
            problems.append(
                (
                    loc,
                    f"the text is not in blueprint section {source!r}; quote the "
                    "blueprint's own words or drop `detail`",
                )
            )

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
        problems += _out_of_order(
            p_loc, phase.due, previous, "the previous phase's", "in order of their due offsets"
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
            if check_source((*m_loc, "source"), milestone.source) and milestone.detail:
                check_quote((*m_loc, "detail"), milestone.source, milestone.detail)
    seen_kpis: set[str] = set()
    for k_index, kpi in enumerate(plan.kpis):
        check_source(("kpis", k_index, "source"), kpi.source)
        if kpi.id in seen_kpis:
            problems.append(
                (
                    ("kpis", k_index, "name"),
                    f"another KPI's name also gives the id {kpi.id!r}; name each KPI apart "
                    "outside its parentheses",
                )
            )
        seen_kpis.add(kpi.id)
    problems.extend(_check_growth(plan.growth, blueprint, check_source, set(seen_milestones)))
    problems.extend(_check_later(plan, check_source, check_quote, seen_milestones))
    return problems


def _out_of_order(
    loc: Loc, due: Offset, previous: Offset | None, whose: str, where: str
) -> list[tuple[Loc, str]]:
    """The problem of a phase due no later than the one before it (none when it is later)."""
    if previous is None or due > previous:
        return []
    after = f"{whose} {previous}".strip()
    return [((*loc, "due"), f"due {due} is not after {after}; list phases {where}")]


def _check_later(
    plan: Plan,
    check_source: Callable[[Loc, str], bool],
    check_quote: Callable[[Loc, str, str], None],
    seen_milestones: dict[str, Loc],
) -> list[tuple[Loc, str]]:
    """The later phases (``growth.later``) come after the plan's last phase and each other,
    their ids are their own, and each milestone quotes the section it cites."""
    problems: list[tuple[Loc, str]] = []
    previous = plan.phases[-1].due if plan.phases else None
    taken = {p.id for p in plan.phases}
    growth_ids = set(plan.growth.tag_ids) | {p.id for p in plan.growth.paths}
    for p_index, phase in enumerate(plan.growth.later):
        p_loc: Loc = ("growth", "later", p_index)
        if phase.id in taken:
            problems.append(((*p_loc, "id"), f"phase id {phase.id!r} is already used"))
        taken.add(phase.id)
        problems += _out_of_order(
            p_loc, phase.due, previous, "", "after the plan's last phase, in order"
        )
        previous = phase.due
        check_source((*p_loc, "source"), phase.source)
        for m_index, milestone in enumerate(phase.milestones):
            m_loc: Loc = (*p_loc, "milestones", m_index)
            if milestone.id in seen_milestones or milestone.id in growth_ids:
                problems.append(
                    ((*m_loc, "id"), f"id {milestone.id!r} is already used; ids must be unique")
                )
            seen_milestones.setdefault(milestone.id, m_loc)
            if check_source((*m_loc, "source"), milestone.source) and milestone.detail:
                check_quote((*m_loc, "detail"), milestone.source, milestone.detail)
    return problems


def _check_growth(
    growth: Growth,
    blueprint: Blueprint,
    check_source: Callable[[Loc, str], bool],
    milestone_ids: set[str],
) -> list[tuple[Loc, str]]:
    """Every growth item cites a section that holds each of its quotes; ids are unique across
    the rubric, skills, criteria, paths and milestones (evidence is tagged by id)."""
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, Loc] = {}
    lists: list[tuple[str, Sequence[RubricDimension | Skill | PromotionCriterion | CareerPath]]] = [
        ("rubric", growth.rubric),
        ("skills", growth.skills),
        ("promotion", growth.promotion),
        ("paths", growth.paths),
    ]
    for name, items in lists:
        for index, item in enumerate(items):
            loc: Loc = ("growth", name, index)
            if item.id in milestone_ids or item.id in seen:
                where = format_loc(seen[item.id]) if item.id in seen else "a milestone"
                problems.append(
                    ((*loc, "id"), f"id {item.id!r} is already used by {where}; ids must be unique")
                )
            seen.setdefault(item.id, loc)
            if not check_source((*loc, "source"), item.source):
                continue
            for field, text in _growth_quotes(item):
                if not _quoted(text, blueprint.full_text(item.source)):
                    problems.append(((*loc, *field), _not_quoted(item.source, field)))
    return problems


def _growth_quotes(
    item: RubricDimension | Skill | PromotionCriterion | CareerPath,
) -> list[tuple[Loc, str]]:
    """The fields of a growth item that quote the blueprint, with their places in the item."""
    quotes: list[tuple[Loc, str]] = []
    if not isinstance(item, PromotionCriterion):
        quotes.append((("title",), item.title))
    if not isinstance(item, RubricDimension) and item.detail:
        quotes.append((("detail",), item.detail))
    if isinstance(item, RubricDimension):
        for index, level in enumerate(item.levels):
            quotes += [(("levels", index, "label"), level.label)]
            quotes += [(("levels", index, "anchor"), level.anchor)]
    if isinstance(item, Skill) and item.importance:
        quotes.append((("importance",), f"{item.title} ({item.importance})"))
    if isinstance(item, PromotionCriterion):
        quotes += [(("includes", index), text) for index, text in enumerate(item.includes)]
    return quotes


def _quoted(text: str, section_text: str) -> bool:
    """Whether ``text`` is in the section, ignoring case, spacing and the style of quotes."""
    return _quote_form(text) in _quote_form(section_text)


def _quote_form(text: str) -> str:
    return _normal(text).translate(_PLAIN_QUOTES)


def _not_quoted(source: str, field: Loc) -> str:
    what = (
        "`importance` as the blueprint labels this skill"
        if field == ("importance",)
        else (f"`{format_loc(field)}` the blueprint's own words")
    )
    return f"the text is not in blueprint section {source!r}; make {what}"
