"""Tag suggestions for a win: offline, deterministic, drawn from the plan's own words."""

from __future__ import annotations

import pytest

from bot.services.catalog import PlanCatalog
from bot.services.growth_tags import MAX_OPTIONS, TagKind, TagSuggester, plan_tags
from tests.support.people import PLAN


@pytest.fixture(scope="module")
def suggester() -> TagSuggester:
    """One suggester for the module: it builds its small index once per plan version."""
    return TagSuggester()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Built the golden eval set with a baseline and regression tests",
            {"llm-evaluation", "evaluation-mindset"},
        ),
        ("Redacted PII from the logs before they reach the model", {"data-privacy"}),
        ("Paired on code review and resolved the merge conflicts", {"git-collaboration"}),
        ("Explained the latency and cost tradeoffs to the PM", {"clear-tradeoffs"}),
    ],
    ids=["evaluation", "privacy", "git", "tradeoffs"],
)
def test_a_win_is_matched_to_the_tags_it_is_about(
    suggester: TagSuggester, catalog: PlanCatalog, text: str, expected: set[str]
) -> None:
    """The tags whose blueprint words a win shares are suggested, at most three."""
    found = [t.id for t in suggester.suggest(catalog.get(PLAN), text)]
    assert expected <= set(found)
    assert len(found) <= 3


@pytest.mark.parametrize("text", ["", "   ", "lunch was nice", "thanks!"])
def test_nothing_is_suggested_for_a_text_about_nothing_in_the_plan(
    suggester: TagSuggester, catalog: PlanCatalog, text: str
) -> None:
    """An empty text, or one that shares no meaningful word with any tag, gets no suggestion."""
    assert suggester.suggest(catalog.get(PLAN), text) == []


def test_suggestions_are_deterministic(catalog: PlanCatalog) -> None:
    """Two suggesters (two processes) give the same tags in the same order for the same text."""
    text = "Added retries with timeouts to the API client and a test for each error"
    first = [t.id for t in TagSuggester().suggest(catalog.get(PLAN), text)]
    assert first
    assert [t.id for t in TagSuggester().suggest(catalog.get(PLAN), text)] == first


def test_the_plan_offers_every_tag_grouped_in_plan_order(catalog: PlanCatalog) -> None:
    """Dimensions, then skills, criteria and milestones, each group in plan order."""
    loaded = catalog.get(PLAN)
    tags = plan_tags(loaded)
    assert [t.id for t in tags] == [*loaded.plan.growth.tag_ids, *loaded.plan.milestone_ids]
    kinds = [t.kind for t in tags]
    assert kinds == sorted(kinds, key=list(TagKind).index)
    assert len(tags) <= MAX_OPTIONS


def test_a_plan_with_too_many_tags_loses_milestones_first(catalog: PlanCatalog) -> None:
    """Cut to fit a menu, the rubric, skills and criteria stay; milestones go from the end."""
    loaded = catalog.get(PLAN)
    growth = len(loaded.plan.growth.tag_ids)
    tags = plan_tags(loaded, limit=growth + 2)
    assert [t.id for t in tags[:growth]] == loaded.plan.growth.tag_ids
    assert [t.id for t in tags[growth:]] == loaded.plan.milestone_ids[:2]
