"""Plan files: schema validation and the cross-checks against the blueprint, with line numbers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.domain.blueprint import parse_blueprint
from bot.domain.errors import PlanError
from bot.domain.plan import parse_plan, plan_json_schema
from bot.services.catalog import PlanCatalog, load_plan_file

PLANS = Path(__file__).parents[2] / "plans"
SHIPPED = PLANS / "junior-llm-engineer"

BLUEPRINT = parse_blueprint(
    "# Role\n\n## 1) Goals\n\n### 30-day goals\n\n- Learn the product.\n- Ship a fix.\n\n"
    "### 60-day goals\n\n- Own a component.\n\n## 2) KPIs\n\n| a | b |\n|---|---|\n"
)

GOOD = """\
id: role
title: Role
version: 1
phases:
  - id: day-30
    due: 30d
    title: First month
    source: s1.30-day-goals
    milestones:
      - id: learn
        title: Learn the product
        detail: Learn the product.
        source: s1.30-day-goals
      - id: fix
        title: Ship a fix
        source: s1.30-day-goals
  - id: day-60
    due: 60d
    title: Second month
    source: s1.60-day-goals
    milestones:
      - id: own
        title: Own a component
        source: s1.60-day-goals
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as excinfo:
        parse_plan(text, source_name="plans/role/plan.yaml", blueprint=BLUEPRINT)
    return excinfo.value.problems


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def test_a_good_plan_parses() -> None:
    """A plan whose ids are unique and whose sources resolve is accepted."""
    plan = parse_plan(GOOD, source_name="plan.yaml", blueprint=BLUEPRINT)
    assert plan.milestone_ids == ["learn", "fix", "own"]
    assert str(plan.phases[1].due) == "60d"


def test_duplicate_milestone_id_names_the_line_of_the_duplicate() -> None:
    """A milestone id used twice is refused at the second use, with file, line and field path."""
    text = GOOD.replace("id: own", "id: learn")
    problems = _problems(text)
    line = _line_of(text, "id: learn", 2)
    assert problems == [
        f"plans/role/plan.yaml:{line}: phases[1].milestones[0].id: duplicate milestone id "
        "'learn' (first used at phases[0].milestones[0]); give each milestone its own id"
    ]


def test_dangling_source_suggests_the_closest_section() -> None:
    """A source that names no blueprint section is refused with a "did you mean"."""
    text = GOOD.replace(
        "source: s1.60-day-goals\n    milestones", "source: s1.60-days\n    milestones"
    )
    problems = _problems(text)
    line = _line_of(text, "s1.60-days")
    assert problems == [
        f"plans/role/plan.yaml:{line}: phases[1].source: no blueprint section 's1.60-days' "
        "(did you mean 's1.60-day-goals'?)"
    ]


def test_phases_must_be_in_order_of_due_offset() -> None:
    """A phase due no later than the one before it is refused."""
    text = GOOD.replace("due: 60d", "due: 4w")
    (problem,) = _problems(text)
    assert re.match(r"plans/role/plan.yaml:\d+: phases\[1\]\.due: due 4w is not after", problem)


def test_detail_must_quote_the_cited_section() -> None:
    """A milestone's detail that is not the blueprint's own text is refused."""
    text = GOOD.replace("detail: Learn the product.", "detail: Learn everything.")
    (problem,) = _problems(text)
    assert "phases[0].milestones[0].detail: the text is not in blueprint section" in problem


def test_parent_must_be_an_earlier_milestone_of_the_phase() -> None:
    """A sub-milestone must point at a lead-in milestone above it in the same phase."""
    text = GOOD.replace(
        "        title: Ship a fix\n", "        title: Ship a fix\n        parent: own\n"
    )
    (problem,) = _problems(text)
    assert "phases[0].milestones[1].parent: parent 'own' is not an earlier milestone" in problem


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("title: Role\n", ""), "title: required field is missing; add it"),
        (("version: 1", "version: 1\ncolour: red"), "colour: unknown field"),
        (("due: 30d", "due: thirty days"), "phases[0].due: 'thirty days' is not an offset"),
        (("id: day-30", "id: Day 30"), "phases[0].id: 'Day 30' is not a valid id"),
        (("version: 1", "version: [1"), "not valid YAML"),
    ],
)
def test_schema_errors_name_line_field_and_fix(change: tuple[str, str], expected: str) -> None:
    """Schema violations report the file, a line, the field path and what to do."""
    problems = _problems(GOOD.replace(*change))
    assert any(expected in p for p in problems), problems
    assert all(re.match(r"plans/role/plan.yaml:\d+: ", p) for p in problems)


def test_the_shipped_plan_covers_every_goal_bullet() -> None:
    """Every bullet of the five goal sections is a milestone quoting it, in the right phase."""
    loaded = load_plan_file(SHIPPED / "plan.yaml")
    bp = loaded.blueprint
    for phase in loaded.plan.phases:
        section = bp.get(phase.source)
        assert section is not None
        bullets = [
            line.strip()[2:].strip()
            for line in section.text.splitlines()
            if line.strip().startswith("- ")
        ]
        details = [m.detail for m in phase.milestones]
        assert details == bullets, phase.id
    assert [p.id for p in loaded.plan.phases] == [
        "day-30",
        "day-60",
        "day-90",
        "month-6",
        "month-12",
    ]


def test_the_shipped_plan_has_the_25_kpis_of_section_7() -> None:
    """The KPI list is the KPI table of section 7, row for row."""
    loaded = load_plan_file(SHIPPED / "plan.yaml")
    table = loaded.blueprint.get("s7")
    assert table is not None
    rows = [
        line.split("|")[1].strip()
        for line in table.text.splitlines()
        if line.startswith("|") and not line.startswith("|---") and "Metric name" not in line
    ]
    assert [k.name for k in loaded.plan.kpis] == rows
    assert len(rows) == 25


def test_every_plan_in_the_repository_validates() -> None:
    """Convention: every plans/*/plan.yaml loads with its blueprint."""
    catalog = PlanCatalog(PLANS)
    assert catalog.ids() == sorted(p.parent.name for p in PLANS.glob("*/plan.yaml"))


def test_plan_id_must_match_its_folder(tmp_path: Path) -> None:
    """A plan whose id differs from its folder name is refused with the fix."""
    folder = tmp_path / "other-role"
    shutil.copytree(SHIPPED, folder)
    with pytest.raises(PlanError, match="differs from its folder 'other-role'"):
        load_plan_file(folder / "plan.yaml")


def test_json_schema_describes_the_plan() -> None:
    """The exported JSON Schema names the plan's top-level fields and the offset pattern."""
    schema = plan_json_schema()
    assert {"id", "title", "version", "phases"} <= set(schema["required"])
    assert "Phase" in schema["$defs"]
