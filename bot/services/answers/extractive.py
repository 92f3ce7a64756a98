"""The extractive backend: quote the blueprint passages that answer a question, or refuse.

:func:`extractive_answer` searches the plan's blueprint, refuses below the calibrated coverage
threshold (and for "what is X?" when the blueprint never mentions X), and otherwise quotes the best
passages (:func:`select_passages`), each with its section: rows and items whole, the best
sentences of a long paragraph. It is also the answer given when Claude is unavailable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.domain.chunks import Chunk, sentences, words
from bot.domain.plan import LoadedPlan
from bot.services import answer_text as say
from bot.services.answers.results import (
    EXTRACTIVE,
    Answer,
    AnswerPolicy,
    Citation,
    local_answer,
    refusal,
)
from bot.services.retrieval import Passage, Retriever, definition_term, key_of

#: An extra passage must score at least this share of the best one (measured, docs/answers.md).
EXTRA_SCORE = 0.5
#: Scores closer than this are a tie (then a section not cited yet goes first).
_TIE = 1e-6


def extractive_answer(
    question: str, loaded: LoadedPlan, *, retriever: Retriever, policy: AnswerPolicy
) -> Answer:
    """Quote the passages of ``loaded``'s blueprint that answer ``question``, or refuse."""
    query = retriever.prepare(question)
    passages = retriever.search(query, limit=8)
    role = loaded.plan.title
    intro = say.INTRO.format(role=role)
    term = definition_term(question)
    if term is not None and not retriever.defines(term):
        # "What is RAG?": quoting where the blueprint uses a term would read as a definition.
        using = {retriever.chunks[i].id for i in retriever.mentions(term)}
        if not using:
            return refusal(
                say.UNMENTIONED_TERM.format(role=role, term=term),
                "not_mentioned",
                prompt_version=policy.prompt,
            )
        found = retriever.search(query, limit=retriever.tuning.candidates)
        passages = [p for p in found if p.chunk.id in using]
        intro = say.UNDEFINED_TERM.format(role=role, term=term)
    if not passages or passages[0].confidence < policy.min_coverage:
        return refusal(
            say.NOT_IN_BLUEPRINT.format(role=role), "below_threshold", prompt_version=policy.prompt
        )
    wanted = query_stems(retriever, question)
    lines = [intro]
    citations = []
    picked = select_passages(
        passages,
        min_coverage=policy.min_coverage,
        limit=policy.max_passages,
        excerpt=lambda p: _excerpt(p, wanted),
    )
    for passage, text, quote in picked:
        chunk = passage.chunk
        lines.append(cite_chunk(text, chunk))
        citations.append(Citation.of(chunk, quote))
    return local_answer(
        "\n".join(lines), EXTRACTIVE, prompt_version=policy.prompt, citations=tuple(citations)
    )


def query_stems(retriever: Retriever, question: str) -> frozenset[str]:
    """Every stem a question's concepts accept (for picking sentences inside a paragraph)."""
    query = retriever.prepare(question)
    return frozenset(s for c in query.concepts for s in c.stems)


def _keys(text: str) -> set[str]:
    return {key_of(w) for w in words(text)}


def _excerpt(passage: Passage, wanted: frozenset[str]) -> tuple[str, str]:
    """What to show and quote: rows and items whole; the best sentences of a long paragraph."""
    chunk = passage.chunk
    # Rows, items, short paragraphs and labelled run-in lists ("Typical teams …: – A – B") whole.
    if chunk.kind != "paragraph" or len(chunk.text) <= 360 or (chunk.key and len(chunk.text) < 800):
        return chunk.text, chunk.quote
    parts = sentences(chunk.text)
    scored = sorted(
        range(len(parts)),
        key=lambda i: -len(wanted & _keys(parts[i])),
    )
    keep = sorted(scored[:3])
    text = " ".join(parts[i] for i in keep)
    return text, "\n".join(parts[i] for i in keep)


def select_passages(
    passages: Sequence[Passage],
    *,
    min_coverage: float,
    limit: int,
    excerpt: Callable[[Passage], tuple[str, str]],
) -> list[tuple[Passage, str, str]]:
    """The passages an extractive answer quotes (best first), each with its shown text and quote.

    The best passage, then others only when they are relevant on their own: they clear
    ``min_coverage`` and score at least half as well as the best one (a passage far behind
    that shares a loose word with the question is noise). Never the same section and quote
    twice; among equally scored passages, one from a section not cited yet goes first.
    """
    if not passages:
        return []
    best = passages[0]
    pool = [best] + [
        p
        for p in passages[1:]
        if p.score >= EXTRA_SCORE * best.score and p.confidence >= min_coverage
    ]
    picked: list[tuple[Passage, str, str]] = []
    seen: set[tuple[str, str]] = set()
    while pool and len(picked) < limit:
        top = max(p.score for p in pool)
        cited = {p.chunk.section_id for p, _, _ in picked}
        tied = [p for p in pool if top - p.score <= _TIE]
        passage = next((p for p in tied if p.chunk.section_id not in cited), tied[0])
        pool.remove(passage)
        text, quote = excerpt(passage)
        key = (passage.chunk.section_id, " ".join(quote.split()))
        if key not in seen:
            seen.add(key)
            picked.append((passage, text, quote))
    return picked


def cite_chunk(text: str, chunk: Chunk) -> str:
    """``text`` as a quoted line of ``chunk``: ``• text (§6 Goals, … › 30-day goals (…))`` (the
    heading without its ``6)`` prefix)."""
    return say.cite_line(text, chunk.number, re.sub(r"^\d+\)\s*", "", chunk.heading))
