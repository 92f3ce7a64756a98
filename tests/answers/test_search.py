"""The FTS5 index never lets question text act as query syntax."""

from __future__ import annotations

import pytest
from wordfreq import zipf_frequency

from bot.domain.chunks import words
from bot.domain.plan import LoadedPlan
from bot.services.evals import load_suite
from bot.services.retrieval import RetrievalTuning, Retriever
from storage.search import quote_terms
from tests.answers.conftest import GOLDEN, HELDOUT, OOS_HARD, REVIEW


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


def test_unknown_words_weigh_what_wordfreq_rates_them(plan: LoadedPlan) -> None:
    """The shipped rarity table weighs every word of the eval questions, and numbers, exactly as
    wordfreq's own Zipf frequency does."""
    retriever = Retriever.for_blueprint(plan.blueprint)
    t = retriever.tuning
    questions = [
        case.q for suite in (GOLDEN, HELDOUT, REVIEW, OOS_HARD) for case in load_suite(suite).cases
    ]
    vocabulary = {w for q in questions for w in words(q)} | {"45", "2024", "20th", "5pm"}
    for word in sorted(vocabulary):
        rarity = t.rarity_top - zipf_frequency(word, "en")
        expected = min(t.unknown_word_idf, max(t.min_unknown_weight, rarity))
        assert retriever.unknown_weight(word) == expected, word


def test_tuning_that_needs_rarer_words_than_the_table_holds_is_refused() -> None:
    """Tuning under which words below the table's floor would weigh less than the cap is
    refused, naming the command that regenerates the table."""
    with pytest.raises(ValueError, match=r"python -m scripts\.english_zipf"):
        RetrievalTuning(rarity_top=5.5)
