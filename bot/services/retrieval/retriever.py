"""The search itself: prepare a question, ask BM25, re-rank by coverage (and meaning).

:meth:`Retriever.prepare` expands a question into search words and weighted concepts (with
:mod:`~bot.services.retrieval.vocabulary`); :meth:`Retriever.search` asks the FTS5 index
(:mod:`storage.search`) for candidates, joins the semantic scorer's nearest passages when there is
one, and scores each by coverage and the passage's place in the blueprint. Every number it uses is
in :class:`RetrievalTuning`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.blueprint import Blueprint
from bot.domain.chunks import STOP_WORDS, Chunk, chunk_blueprint, heading_text, words
from bot.services.retrieval.english import ZIPF_FLOOR, key_of, zipf, zipf_table
from bot.services.retrieval.questions import (
    FOCUS,
    OPTIONAL_HEADING,
    OPTIONAL_TEXT,
    WANTS_OPTIONAL,
    list_stems,
)
from bot.services.retrieval.vocabulary import (
    EXTRA_STOP_WORDS,
    GENERIC_WEIGHT,
    GENERIC_WORDS,
    NUMBER_WORD,
    NUMBER_WORDS,
    PHRASES,
    SYNONYMS,
)
from bot.services.semantic import SemanticScorer
from storage.search import SearchIndex

_ACRONYM = re.compile(r"([A-Za-z][A-Za-z\- ]{3,60}?)\s+\(([A-Z][A-Za-z]{1,6})\)")


@dataclass(frozen=True)
class RetrievalTuning:
    """Numbers measured on the golden set (see docs/answers.md)."""

    candidates: int = 40
    #: Weight of a word the blueprint never uses: ``rarity_top − zipf`` (its general-English
    #: rarity) clamped to [min_unknown_weight, unknown_word_idf]. "kubernetes" (Zipf 2.3) weighs
    #: the maximum, "ultimately" (4.6) little, "can't" (5.8) the minimum.
    unknown_word_idf: float = 3.0
    min_unknown_weight: float = 0.3
    rarity_top: float = 6.0
    max_word_idf: float = 4.0
    weights: tuple[float, float, float] = (2.0, 3.0, 1.0)
    #: Hybrid with the semantic scorer: passages among the top ``semantic_candidates`` by cosine
    #: join BM25's candidates; score = lexical/1.25 + semantic_weight × cosine. The refusal
    #: confidence is coverage + confidence_cosine × cosine, calibrated at ``hybrid_threshold``
    #: and rescaled so that the answer policy's one threshold (``lexical_threshold``, the
    #: coverage calibration of BM25 alone) applies whichever mode is on.
    semantic_candidates: int = 20
    semantic_weight: float = 3.0
    confidence_cosine: float = 3.0
    hybrid_threshold: float = 0.95
    lexical_threshold: float = 0.45
    #: "Which X …?": a passage whose label names X scores × (1 + focus_label), one whose heading
    #: does × (1 + focus_heading), by the share of X's words they name.
    focus_label: float = 0.2
    focus_heading: float = 0.2
    #: A label that is nothing but X (with "top", "main", "key" …: "Top KPIs", "Main
    #: deliverables") is the blueprint's own list of X: × focus_list instead.
    focus_list: float = 2.2
    #: For a "which X" question, a passage of a section's optional sub-list (Optional,
    #: Context-specific, Good-to-have) scores × optional_factor unless the question asks about
    #: optional things: the core list comes first.
    optional_factor: float = 0.85

    def __post_init__(self) -> None:
        if self.rarity_top - ZIPF_FLOOR < self.unknown_word_idf:
            # Words at or below the floor would weigh less than the cap, but the table has none.
            raise ValueError(
                f"rarity_top − unknown_word_idf must be at least {ZIPF_FLOOR}, the word-rarity "
                "table's floor; lower ZIPF_FLOOR and run `uv run python -m scripts.english_zipf`"
            )


@dataclass(frozen=True)
class Concept:
    """One content word of a question with its alternatives (stems) and IDF weight."""

    word: str
    stems: frozenset[str]
    weight: float
    #: Multi-word alternatives ("60-day" → ("60", "day")): they count only when the whole phrase
    #: appears, in order.
    phrases: frozenset[tuple[str, ...]] = frozenset()


@dataclass(frozen=True)
class Query:
    """A question prepared for search: the words sent to BM25 and the concepts to cover."""

    text: str
    search_words: tuple[str, ...]
    concepts: tuple[Concept, ...]
    search_phrases: tuple[str, ...] = ()
    #: The concepts a "which/what X" question asks for (X), by word.
    focus: tuple[Concept, ...] = ()
    #: The question asks about optional things ("nice to have", "bonus").
    wants_optional: bool = False


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its scores."""

    chunk: Chunk
    score: float
    bm25: float
    coverage: float
    matched: frozenset[str] = field(default_factory=frozenset)
    #: Cosine similarity to the question (0 without a semantic scorer).
    similarity: float = 0.0
    #: What the refusal threshold is compared with: coverage, plus the weighted similarity when
    #: a semantic scorer is on.
    confidence: float = 0.0


def _acronyms(chunks: Sequence[Chunk]) -> dict[str, tuple[str, ...]]:
    """``large language model (LLM)`` → {"llm": (large, language, model), and the reverse}."""
    found: dict[str, tuple[str, ...]] = {}
    for chunk in chunks:
        for long, short in _ACRONYM.findall(f"{chunk.key}\n{chunk.body}"):
            long_words = [w for w in words(long) if w not in STOP_WORDS]
            initials = "".join(w[0] for w in long_words[-len(short) :])
            if initials.lower() == short.lower():
                key = short.lower()
                found[key] = tuple(long_words[-len(short) :])
    return found


class Retriever:
    """Search one blueprint's passages. Build once per plan; thread-safe."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        *,
        tuning: RetrievalTuning | None = None,
        semantic: SemanticScorer | None = None,
    ) -> None:
        self.tuning = tuning or RetrievalTuning()
        self.chunks = list(chunks)
        self.semantic = semantic
        self.index = SearchIndex(self.chunks, weights=self.tuning.weights)
        sequences = [
            [key_of(w) for w in words(f"{heading_text(c.heading)} {c.key} {c.body}")]
            for c in self.chunks
        ]
        self._stems = [frozenset(seq) for seq in sequences]
        self._label_stems = [frozenset(key_of(w) for w in words(c.key)) for c in self.chunks]
        self._heading_stems = [
            frozenset(key_of(w) for w in words(heading_text(c.heading))) for c in self.chunks
        ]
        self._optional = [
            bool(OPTIONAL_HEADING.search(c.heading) or OPTIONAL_TEXT.search(f"{c.key} {c.text}"))
            for c in self.chunks
        ]
        self._sequences = [f" {' '.join(seq)} " for seq in sequences]
        df: Counter[str] = Counter()
        for stems in self._stems:
            df.update(stems)
        n = len(self.chunks)
        self._idf = {s: math.log((n + 1) / (count + 0.5)) for s, count in df.items()}
        # Synonyms are keyed by stem, so "toggle" finds the entry for "toggles".
        self._synonyms: dict[str, tuple[str, ...]] = {}
        for word, alternatives in SYNONYMS.items():
            key = key_of(word)
            self._synonyms[key] = tuple(
                dict.fromkeys((*self._synonyms.get(key, ()), *alternatives))
            )
        acronyms = _acronyms(self.chunks)
        self._acronym_keys = frozenset(key_of(short) for short in acronyms)
        for short, long in acronyms.items():
            key = key_of(short)
            self._synonyms[key] = (*self._synonyms.get(key, ()), *long)
        self._phrases = [(re.compile(p, re.I), r) for p, r in PHRASES]
        zipf_table()  # read now (~10 ms), not on the first question
        if self.semantic is not None:
            self.semantic.warm()

    @classmethod
    def for_blueprint(
        cls,
        blueprint: Blueprint,
        *,
        tuning: RetrievalTuning | None = None,
        semantic: SemanticScorer | None = None,
    ) -> Retriever:
        """A retriever over every passage of ``blueprint``."""
        return cls(chunk_blueprint(blueprint), tuning=tuning, semantic=semantic)

    def idf(self, stem_: str) -> float:
        """Inverse document frequency of a stem among the passages, capped (unknown: the tuning
        value). The cap keeps one rare word from outweighing the rest of the question."""
        if stem_ not in self._idf:
            return self.tuning.unknown_word_idf
        return min(self._idf[stem_], self.tuning.max_word_idf)

    def mentions(self, term: str) -> list[int]:
        """The passages that use ``term`` (every word, in order, any form of each)."""
        sequence = " ".join(key_of(w) for w in words(term))
        return [i for i, seq in enumerate(self._sequences) if f" {sequence} " in seq]

    def defines(self, term: str) -> bool:
        """Whether the blueprint says what ``term`` is: spells it out as an acronym ("large
        language model (LLM)"), has a passage, heading or table cell named for it ("Story cycle
        time", "pgvector"), or a sentence "TERM is/means/refers to …"."""
        keys = tuple(key_of(w) for w in words(term))
        if len(keys) == 1 and keys[0] in self._acronym_keys:
            return True
        for chunk in self.chunks:
            names = [chunk.key, chunk.heading.rsplit("›", 1)[-1]]
            if chunk.kind == "row":  # a tool named in a cell: its row says what it is for
                names += re.split(r"[|;/\n]|: ", chunk.body)
            for name in names:
                bare = re.sub(r"\([^)]*\)", " ", name)
                if tuple(key_of(w) for w in words(bare)) == keys:
                    return True
            pattern = re.escape(term) + r"\s+(is|are|means|refers to|stands for)\b"
            if re.search(pattern, chunk.text, re.IGNORECASE):
                return True
        return False

    def knows(self, word: str) -> bool:
        """Whether the blueprint uses ``word`` (any form of it: "pipelines" for "pipeline")."""
        return key_of(word) in self._idf

    def unknown_weight(self, word: str) -> float:
        """The weight of a word the blueprint never uses: high when it is rare in English too
        (probably what the question is about), low when it is everyday filler."""
        t = self.tuning
        frequency = zipf(word)
        if frequency is None:
            return t.unknown_word_idf
        return min(t.unknown_word_idf, max(t.min_unknown_weight, t.rarity_top - frequency))

    def prepare(self, question: str) -> Query:
        """Expand ``question`` into search words and weighted concepts."""
        text = NUMBER_WORD.sub(lambda m: NUMBER_WORDS[m.group(0).lower()], question)
        stop = STOP_WORDS | EXTRA_STOP_WORDS
        additions: list[tuple[str, list[str]]] = []
        for pattern, replacement in self._phrases:
            found = [m.group(0) for m in pattern.finditer(text)]
            if found:
                # The phrase is one concept: the blueprint's words for it plus its own
                # meaningful words ("take-home" keeps "home"), not several loose words.
                own = [
                    w for f in found for w in words(f) if w not in stop and w not in GENERIC_WORDS
                ]
                additions.append((replacement, own))
                text = pattern.sub(" ", text)
        concepts: list[Concept] = []
        search: list[str] = []
        search_phrases: list[str] = []
        seen: set[str] = set()
        for replacement, own in additions:
            singles = list(own)
            phrases: set[tuple[str, ...]] = set()
            for token in replacement.split():
                token_words = words(token)
                if len(token_words) > 1:
                    # "60-day" is one phrase: "day" alone must not count (nor be searched).
                    phrases.add(tuple(key_of(w) for w in token_words))
                    search_phrases.append(" ".join(token_words))
                elif token_words and token_words[0] not in stop:
                    singles.append(token_words[0])
            stems = frozenset(key_of(w) for w in singles)
            search.extend(singles)
            phrase_stems = {s for p in phrases for s in p}
            if (stems or phrases) and not (stems | phrase_stems) <= seen:
                seen |= stems | phrase_stems
                weights = [self.idf(s) for s in stems] + [
                    max(self.idf(s) for s in p) for p in phrases
                ]
                concepts.append(Concept(replacement, stems, max(weights), frozenset(phrases)))
        for word in words(text):
            if word in stop:
                continue
            base = key_of(word)
            if base in seen:
                continue
            alternatives = self._synonyms.get(base, ())
            stems = frozenset({base, *(key_of(a) for w in alternatives for a in words(w))})
            seen |= stems
            if word not in GENERIC_WORDS:
                # Everyday words only add noise to BM25; they still count in coverage.
                search.append(word)
            search.extend(w for a in alternatives for w in words(a))
            known = [self.idf(s) for s in stems if s in self._idf]
            # A word the blueprint never uses counts against coverage by its rarity in English:
            # "kubernetes" is probably what the question is about, "ultimately" is not.
            weight = max(known) if known else self.unknown_weight(word)
            if word in GENERIC_WORDS:
                weight = min(weight, GENERIC_WEIGHT)
            concepts.append(Concept(word, stems, weight))
        focus_match = FOCUS.search(question)
        focus_words = set(words(focus_match.group("focus"))) if focus_match else set()
        question_words = set(words(question))
        return Query(
            text=question,
            search_words=tuple(search),
            concepts=tuple(concepts),
            search_phrases=tuple(dict.fromkeys(search_phrases)),
            focus=tuple(c for c in concepts if c.word in focus_words),
            wants_optional=bool(question_words & WANTS_OPTIONAL),
        )

    def _contains(self, concept: Concept, index: int) -> bool:
        if concept.stems & self._stems[index]:
            return True
        sequence = self._sequences[index]
        return any(f" {' '.join(p)} " in sequence for p in concept.phrases)

    def coverage(self, query: Query, index: int) -> tuple[float, frozenset[str]]:
        """IDF-weighted share of the question's concepts that passage ``index`` contains."""
        total = sum(c.weight for c in query.concepts)
        if total <= 0:
            return 0.0, frozenset()
        matched = [c for c in query.concepts if self._contains(c, index)]
        return sum(c.weight for c in matched) / total, frozenset(c.word for c in matched)

    def _prior(self, query: Query, index: int) -> float:
        """How much the passage's place in the blueprint suits the question (the ranking only;
        refusal confidence is left alone): for a "which X" question, a list named for X goes
        up and an optional sub-list goes down unless optional things are asked about."""
        t = self.tuning
        factor = 1.0
        if query.focus:
            total = sum(c.weight for c in query.focus)
            label = sum(c.weight for c in query.focus if c.stems & self._label_stems[index])
            heading = sum(c.weight for c in query.focus if c.stems & self._heading_stems[index])
            factor += (t.focus_label * label + t.focus_heading * heading) / total
            named = self._label_stems[index] - list_stems()
            focus_stems = frozenset().union(*(c.stems for c in query.focus))
            if label == total and named and named <= focus_stems:
                factor = t.focus_list
        if query.focus and self._optional[index] and not query.wants_optional:
            factor *= t.optional_factor
        return factor

    def search(self, question: str | Query, *, limit: int = 5) -> list[Passage]:
        """The best passages for ``question``, best first (empty when nothing matches)."""
        query = question if isinstance(question, Query) else self.prepare(question)
        t = self.tuning
        hits = self.index.search(
            query.search_words, phrases=query.search_phrases, limit=t.candidates
        )
        bm25 = {h.index: h.score for h in hits}
        similarity: list[float] | None = None
        if self.semantic is not None:
            scores = self.semantic.scores(query.text)
            similarity = [float(x) for x in scores]
            ranked = sorted(range(len(similarity)), key=lambda i: -similarity[i])
            for i in ranked[: t.semantic_candidates]:
                bm25.setdefault(i, 0.0)
        if not bm25:
            return []
        top = max(bm25.values()) or 1.0
        passages = []
        for index, raw in bm25.items():
            cover, matched = self.coverage(query, index)
            lexical = (raw / top) * (0.25 + cover)
            if similarity is None:
                score, cosine, confidence = lexical, 0.0, cover
            else:
                cosine = similarity[index]
                score = lexical / 1.25 + t.semantic_weight * cosine
                raw_confidence = cover + t.confidence_cosine * cosine
                confidence = raw_confidence * t.lexical_threshold / t.hybrid_threshold
            score *= self._prior(query, index)
            passages.append(
                Passage(self.chunks[index], score, raw, cover, matched, cosine, confidence)
            )
        passages.sort(key=lambda p: -p.score)
        return passages[:limit]
