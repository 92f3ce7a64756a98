"""List questions get the blueprint's core list, and definition questions say when a term is
used but never defined."""

from __future__ import annotations

import pytest

from bot.services import answer_text as say
from bot.services.answers import Answers
from bot.services.retrieval import Retriever, definition_term

ROLE = "Junior LLM Engineer"


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("Which tools will I use day to day?", ["AWS", "GitHub", "Pytest"]),
        ("What tools should I know?", ["AWS", "Pytest"]),
        ("What KPIs am I measured on?", ["Task success rate", "hallucination rate"]),
        ("Which metrics will my work be judged by?", ["Task success rate"]),
    ],
)
def test_which_x_questions_quote_the_list_of_x_first(
    offline_answers: Answers, question: str, facts: list[str]
) -> None:
    """ "Which tools / what KPIs …" quotes the blueprint's list of them (§20's scorecard) first."""
    answer = offline_answers.ask(question=question, log_answer=False)
    assert answer.citations[0].id == "s20"
    for fact in facts:
        assert fact in answer.text


def test_a_list_question_ranks_the_core_rows_before_optional_ones(
    offline_answers: Answers,
) -> None:
    """The best-ranked rows of §10 are Common tools; the Optional Airflow row is not quoted."""
    retriever: Retriever = offline_answers.retriever("junior-llm-engineer")
    rows = [
        p.chunk.text
        for p in retriever.search("Which tools will I use day to day?", limit=60)
        if p.chunk.section_id == "s10" and p.chunk.kind == "row"
    ]
    assert all("Prevalence: Common" in text for text in rows[:4])
    assert "Airflow" not in offline_answers.ask(question="Which tools will I use day to day?").text


def test_optional_rows_are_found_when_optional_things_are_asked_about(
    offline_answers: Answers,
) -> None:
    """Asking for optional tools does not push the Optional rows down."""
    answer = offline_answers.ask(question="Which optional tools might I use?", log_answer=False)
    assert "Optional" in answer.text


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("what is RAG?", "RAG"),
        ("What's an eval harness?", "eval harness"),
        ("What does TSR stand for?", "TSR"),
        ("Define story cycle time", "story cycle time"),
        ("what is meant by grounding exactly?", "grounding"),
        ("What are the 60-day goals?", None),
        ("What is the p95 latency target?", None),
        ("What is my progress?", None),
        ("What is RAG used for in this role and who owns it?", None),
    ],
)
def test_definition_questions_name_their_term(question: str, term: str | None) -> None:
    """Only a short "what is X / define X" names a term; questions about the role do not."""
    assert definition_term(question) == term


def test_a_term_used_but_not_defined_is_said_to_be_undefined(offline_answers: Answers) -> None:
    """ "What is RAG?" says the blueprint doesn't define RAG, then quotes passages that use it."""
    answer = offline_answers.ask(question="what is RAG?", log_answer=False)
    lines = answer.text.splitlines()
    assert lines[0] == say.UNDEFINED_TERM.format(role=ROLE, term="RAG")
    assert not answer.refused
    assert answer.citations
    assert all("RAG" in c.quote for c in answer.citations)


def test_a_term_the_blueprint_never_uses_is_refused(offline_answers: Answers) -> None:
    """ "What is Terraform?" is refused with the term named, instead of quoting cloud passages."""
    answer = offline_answers.ask(question="What is Terraform?", log_answer=False)
    assert answer.refused
    assert answer.text == say.UNMENTIONED_TERM.format(role=ROLE, term="Terraform")


@pytest.mark.parametrize(
    "question", ["what is pgvector?", "What does TSR mean?", "What is grounded answer rate?"]
)
def test_defined_terms_are_answered_as_usual(offline_answers: Answers, question: str) -> None:
    """A term the blueprint spells out or names a row for gets the ordinary quoted answer."""
    answer = offline_answers.ask(question=question, log_answer=False)
    assert answer.text.startswith(say.INTRO.format(role=ROLE))
