"""Tags for a piece of evidence: what a plan offers, and which of it a win's text is about.

The evidence modal offers every tag of the hire's plan, grouped (rubric dimensions, skills,
promotion criteria, milestones), with the best matches for the win's text pre-selected. The
matches come from the answer retriever (:class:`~bot.services.retrieval.Retriever`: BM25 with
the blueprint's vocabulary, then a coverage re-rank), run over one passage per tag made of the
tag's title and the blueprint's words for it (a dimension's level anchors, a skill's or
criterion's detail, a milestone's detail). It is offline and deterministic: the same text and
plan always give the same suggestions, and nothing leaves the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.chunks import Chunk, ChunkKind
from bot.domain.plan import LoadedPlan
from bot.services.retrieval import Retriever

#: How many tags are suggested at most: a win is usually about one or two things.
SUGGESTED = 3
#: The share of a win's (weighted) words a tag must cover to be suggested: below it, a tag that
#: shares one common word with the win ("built") is noise, not a suggestion.
MIN_COVERAGE = 0.2
#: Slack shows at most 100 options in a menu; milestones are cut first (plan order) to fit.
MAX_OPTIONS = 100


class TagKind(StrEnum):
    """The groups of tags, in the order the modal shows them."""

    DIMENSION = "dimension"
    SKILL = "skill"
    CRITERION = "criterion"
    MILESTONE = "milestone"


@dataclass(frozen=True)
class Tag:
    """One id evidence may be tagged with, its title and what the blueprint says about it."""

    id: str
    title: str
    kind: TagKind
    words: str = ""


def plan_tags(loaded: LoadedPlan, *, limit: int = MAX_OPTIONS) -> list[Tag]:
    """Every tag of the plan, grouped by kind in plan order, at most ``limit`` (milestones are
    the ones left out of a plan with more, from the last)."""
    growth = loaded.plan.growth
    tags = [
        *(
            Tag(d.id, d.title, TagKind.DIMENSION, " ".join(level.anchor for level in d.levels))
            for d in growth.rubric
        ),
        *(Tag(s.id, s.title, TagKind.SKILL, s.detail or "") for s in growth.skills),
        *(
            Tag(c.id, c.title, TagKind.CRITERION, " ".join([c.detail, *c.includes]))
            for c in growth.promotion
        ),
        *(
            Tag(m.id, m.title, TagKind.MILESTONE, m.detail or "")
            for p in loaded.plan.phases
            for m in p.milestones
        ),
    ]
    return tags[:limit]


def _passages(tags: list[Tag]) -> Iterator[Chunk]:
    for tag in tags:
        yield Chunk(
            id=tag.id,
            section_id=tag.id,
            number=0,
            heading="",  # the kind is not a word of the win: it must not match
            kind=ChunkKind.ITEM,
            key=tag.title,
            body=tag.words,
            text=tag.title,
            quote=tag.words,
        )


class TagSuggester:
    """Suggests a plan's tags for a win's text; builds one small index per plan version, once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._retrievers: dict[tuple[str, str], tuple[Retriever, dict[str, Tag]]] = {}

    def _retriever(self, loaded: LoadedPlan) -> tuple[Retriever, dict[str, Tag]]:
        key = (loaded.plan.id, loaded.content_hash)
        with self._lock:
            if key not in self._retrievers:
                tags = plan_tags(loaded)
                self._retrievers[key] = (
                    Retriever(list(_passages(tags))),
                    {t.id: t for t in tags},
                )
            return self._retrievers[key]

    def suggest(self, loaded: LoadedPlan, text: str, *, limit: int = SUGGESTED) -> list[Tag]:
        """The plan's tags that ``text`` is most about, best first (none for an empty text or
        one that shares too little with any tag)."""
        if not text.strip():
            return []
        retriever, by_id = self._retriever(loaded)
        passages = retriever.search(text, limit=limit * 3)
        found = [by_id[p.chunk.id] for p in passages if p.coverage >= MIN_COVERAGE]
        return found[:limit]
