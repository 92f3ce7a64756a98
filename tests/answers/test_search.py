"""The FTS5 index never lets question text act as query syntax."""

from __future__ import annotations

import pytest

from bot.domain.plan import LoadedPlan
from bot.services.retrieval import Retriever
from storage.search import quote_terms


def test_terms_are_quoted_and_stripped_of_syntax() -> None:
    """Operators, quotes and wildcards become plain quoted words."""
    assert (
        quote_terms(['late"ncy', "NEAR(x", "*", "p95"])
        == '"late" OR "ncy" OR "NEAR" OR "x" OR "p95"'
    )


@pytest.mark.parametrize(
    "question",
    ['"unbalanced', "heading: latency", "NEAR(a b)", "a AND OR NOT b", "* ^ - +", "", "()"],
)
def test_hostile_questions_search_safely(plan: LoadedPlan, question: str) -> None:
    """FTS5 syntax in a question never raises; it is searched as words."""
    Retriever.for_blueprint(plan.blueprint).search(question)


def test_paraphrase_finds_the_latency_kpi(plan: LoadedPlan) -> None:
    """ "How fast at the 95th percentile" finds the "Latency p50/p95" KPI row first."""
    best = Retriever.for_blueprint(plan.blueprint).search("how fast at the 95th percentile")[0]
    assert best.chunk.key == "Latency p50/p95"
