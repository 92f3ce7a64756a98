"""The blueprint parser: stable ids, numbers, heading paths, text and line ranges."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.blueprint import parse_blueprint, slugify
from bot.domain.errors import PlanError

BLUEPRINT = Path(__file__).parents[2] / "plans" / "junior-llm-engineer" / "blueprint.md"

SMALL = """# A Role

## 1) Summary

Intro text.

## 2) Goals

### 30-day goals (onboarding)

- Learn things.

### Notes:

Some notes.

### Notes

Again.
"""


def test_sections_get_ids_numbers_paths_and_lines() -> None:
    """Each heading becomes a section with its id, number, heading path and line range."""
    bp = parse_blueprint(SMALL)
    assert bp.title == "A Role"
    assert bp.ids == ["s1", "s2", "s2.30-day-goals", "s2.notes", "s2.notes-2"]
    goals = bp.get("s2.30-day-goals")
    assert goals is not None
    assert goals.number == 2
    assert goals.path == "2) Goals › 30-day goals (onboarding)"
    assert goals.text == "- Learn things."
    assert (goals.start_line, goals.end_line) == (9, 11)
    assert goals.parent_id == "s2"


def test_full_text_includes_sub_parts() -> None:
    """A top-level section's full text is its own text followed by every sub-part's text."""
    bp = parse_blueprint(SMALL)
    assert bp.full_text("s2") == "- Learn things.\n\nSome notes.\n\nAgain."


def test_slugify_drops_qualifiers_and_punctuation() -> None:
    """Parentheticals, trailing colons and punctuation never reach an id."""
    assert slugify("30-day goals (onboarding and foundation)") == "30-day-goals"
    assert slugify("Budget, vendor, hiring authority") == "budget-vendor-hiring-authority"
    assert slugify("Core mission:") == "core-mission"


def test_suggest_finds_the_closest_id() -> None:
    """A mistyped id gets the nearest real one as a suggestion."""
    bp = parse_blueprint(SMALL)
    assert bp.suggest("s2.30-days") == "s2.30-day-goals"


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# T\n\n## Summary\n", "must start with its number"),
        ("# T\n\n## 1) A\n\n## 3) C\n", "expected 2"),
        ("# T\n\n### Orphan\n", "before the first"),
        ("## 1) A\n", "needs a '# Title'"),
        ("# T\n\nno sections\n", "no '## 1) …' sections"),
    ],
)
def test_structural_faults_name_the_line(markdown: str, expected: str) -> None:
    """Malformed blueprints are refused with the file, the line and what to fix."""
    with pytest.raises(PlanError) as excinfo:
        parse_blueprint(markdown, source_name="bp.md")
    assert expected in str(excinfo.value)
    assert str(excinfo.value).startswith("bp.md:")


def test_the_shipped_blueprint_has_twenty_sections_with_goal_parts() -> None:
    """The Junior LLM Engineer blueprint parses into sections 1–20 with its goal sub-parts."""
    bp = parse_blueprint(BLUEPRINT.read_text(encoding="utf-8"))
    assert [s.number for s in bp.sections if s.level == 2] == list(range(1, 21))
    for part in (
        "s6.30-day-goals",
        "s6.60-day-goals",
        "s6.90-day-goals",
        "s6.6-month-milestones",
        "s6.12-month-objectives",
    ):
        assert part in bp
    kpis = bp.get("s7")
    assert kpis is not None
    assert "Latency p50/p95" in kpis.text
