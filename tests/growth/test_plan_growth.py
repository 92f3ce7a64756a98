"""The growth half of a plan: rubric, skills, promotion criteria and paths, each quote checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import load
from bot.domain.blueprint import parse_blueprint
from bot.domain.errors import PlanError
from bot.domain.plan import parse_plan, plan_json_schema
from bot.services.catalog import load_plan_file

SHIPPED = Path(__file__).parents[2] / "plans" / "junior-llm-engineer"

BLUEPRINT = parse_blueprint(
    "# Role\n\n## 1) Goals\n\n### 30-day goals\n\n- Learn the product.\n\n"
    "## 2) Skills\n\n1. Python programming (Critical)\n   – Description: Writes clean Python.\n\n"
    "## 3) Scorecard\n\n| Dimension | What “excellent” looks like | What “acceptable” looks like "
    "| What “below bar” looks like |\n|---|---|---|---|\n"
    "| Debugging | Structured hypotheses | Reasonable steps | Random trial-and-error |\n\n"
    "## 4) Career\n\n### Skills needed for promotion\n\n"
    "- Can design a workflow alone:\n  - RAG + eval\n\n### Next roles\n\n- Mid Engineer\n"
)

GOOD = """\
id: role
title: Role
version: 1
phases:
  - {id: day-30, due: 30d, title: First month, source: s1.30-day-goals, milestones: [
      {id: learn, title: Learn the product, detail: Learn the product., source: s1.30-day-goals}]}
growth:
  rubric:
    - id: debugging
      title: Debugging
      source: s3
      levels:
        - label: below bar
          anchor: Random trial-and-error
        - label: acceptable
          anchor: Reasonable steps
        - label: excellent
          anchor: Structured hypotheses
  skills:
    - id: python
      title: Python programming
      kind: technical
      importance: Critical
      detail: Writes clean Python.
      source: s2
  promotion:
    - id: workflow
      title: Design a workflow alone
      detail: "Can design a workflow alone:"
      includes:
        - RAG + eval
      source: s4.skills-needed-for-promotion
  paths:
    - id: mid
      title: Mid Engineer
      kind: next
      source: s4.next-roles
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as excinfo:
        parse_plan(text, source_name="plans/role/plan.yaml", blueprint=BLUEPRINT)
    return excinfo.value.problems


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_plan_whose_growth_quotes_the_blueprint_loads() -> None:
    """Growth items whose titles, anchors, labels and sub-bullets are in their sections load."""
    growth = parse_plan(GOOD, source_name="plan.yaml", blueprint=BLUEPRINT).growth
    assert [level.anchor for level in growth.rubric[0].levels] == [
        "Random trial-and-error",
        "Reasonable steps",
        "Structured hypotheses",
    ]
    assert growth.tag_ids == ["debugging", "python", "workflow"]
    assert growth.dimension("Debugging") is growth.rubric[0]


@pytest.mark.parametrize(
    ("original", "changed", "where"),
    [
        ("anchor: Structured hypotheses", "anchor: Perfect hypotheses", "levels[2].anchor"),
        ("label: acceptable", "label: fine", "levels[1].label"),
        ("title: Debugging", "title: Debugging skill", "growth.rubric[0].title"),
        ("importance: Critical", "importance: Important", "growth.skills[0].importance"),
        ("detail: Writes clean Python.", "detail: Writes Rust.", "growth.skills[0].detail"),
        ("- RAG + eval", "- RAG + monitoring", "growth.promotion[0].includes[0]"),
        ("title: Mid Engineer", "title: Senior Engineer", "growth.paths[0].title"),
    ],
    ids=["anchor", "label", "dimension", "importance", "skill", "sub-bullet", "path"],
)
def test_a_growth_quote_not_in_the_blueprint_is_refused_with_its_line(
    original: str, changed: str, where: str
) -> None:
    """Any growth text that is not the cited section's own words is refused at its line."""
    text = GOOD.replace(original, changed)
    (problem,) = _problems(text)
    assert problem.startswith(f"plans/role/plan.yaml:{_line_of(text, changed)}: ")
    assert where in problem
    assert "the text is not in blueprint section" in problem


def test_growth_ids_may_not_reuse_a_milestone_or_each_other() -> None:
    """Evidence is tagged by id, so a growth id equal to a milestone's or another's is refused."""
    text = GOOD.replace("- id: python", "- id: learn").replace("- id: mid", "- id: debugging")
    problems = _problems(text)
    assert any(
        "growth.skills[0].id: id 'learn' is already used by a milestone" in p for p in problems
    )
    assert any(
        "growth.paths[0].id: id 'debugging' is already used by growth.rubric[0]" in p
        for p in problems
    )


def test_a_growth_source_that_does_not_resolve_is_refused() -> None:
    """A growth item citing a section the blueprint lacks names the section and a fix."""
    (problem,) = _problems(GOOD.replace("source: s2\n", "source: s9\n"))
    assert "growth.skills[0].source: no blueprint section 's9'" in problem


def test_curly_and_straight_quotes_count_as_the_same_words() -> None:
    """A label typed with straight quotes still matches the blueprint's curly ones."""
    text = GOOD.replace("label: excellent", "label: '\"excellent\" looks like'")
    assert parse_plan(text, source_name="plan.yaml", blueprint=BLUEPRINT).growth.rubric[0]


def test_the_schema_describes_growth() -> None:
    """`onramp plans schema` documents the growth section, its four lists and the later phases."""
    schema = plan_json_schema()
    growth = schema["$defs"]["Growth"]["properties"]
    assert set(growth) == {"rubric", "skills", "promotion", "paths", "later"}


def test_the_shipped_plan_carries_the_blueprints_growth_sections() -> None:
    """The shipped plan has §19's 7 dimensions with three anchors, §8/§9 skills and §15 criteria."""
    growth = load_plan_file(SHIPPED / "plan.yaml").plan.growth
    assert len(growth.rubric) == 7
    assert all(len(d.levels) == 3 for d in growth.rubric)
    assert {d.source for d in growth.rubric} == {"s19.scorecard-dimensions"}
    assert len([s for s in growth.skills if s.source == "s8.must-have-technical-skills"]) == 8
    assert len([s for s in growth.skills if s.kind == "soft"]) == 8
    assert len(growth.promotion) == 4
    assert {p.kind for p in growth.paths} == {"next", "adjacent"}


def test_plans_show_json_carries_growth_with_ids_titles_and_sources() -> None:
    """`plans show --json` lists growth.rubric/skills/promotion items with id, title and source."""
    result = CliRunner().invoke(load(), ["plans", "show", "junior-llm-engineer", "--json"])
    assert result.exit_code == 0, result.stderr
    growth = json.loads(result.stdout)["growth"]
    for key in ("rubric", "skills", "promotion"):
        assert growth[key]
        assert all({"id", "title", "source"} <= set(item) for item in growth[key])
    assert [level["level"] for level in growth["rubric"][0]["levels"]] == [1, 2, 3]


def test_plans_check_refuses_a_copied_plan_whose_anchor_was_edited(tmp_path: Path) -> None:
    """`onramp plans check` exits 2 naming plan.yaml:LINE when a rubric anchor is not quoted."""
    plan_dir = tmp_path / "role"
    shutil.copytree(SHIPPED, plan_dir)
    plan = plan_dir / "plan.yaml"
    text = plan.read_text().replace("anchor: Cooperative", "anchor: Always cooperative")
    plan.write_text(text)
    result = CliRunner().invoke(load(), ["plans", "check", str(plan)])
    assert result.exit_code == 2
    assert f"plan.yaml:{_line_of(text, 'Always cooperative')}: growth.rubric[6]" in result.stderr
