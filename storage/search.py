"""A BM25 index of blueprint passages: SQLite FTS5 in an in-memory database.

FTS5 ships with Python's ``sqlite3`` (no server, no extra package). One index per plan is built when
the plan is first asked about; searching it takes well under a millisecond. User text never reaches
``MATCH`` as syntax: callers pass terms, each of which is reduced to letters and digits and quoted
here, so ``NEAR``, ``*``, column filters and unbalanced quotes in a question are just words.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.chunks import Chunk

_SAFE_TERM = re.compile(r"[^0-9A-Za-z\u00C0-\uFFFF]+")

#: Column weights for ``bm25()``: heading path, the passage's own label, its body.
DEFAULT_WEIGHTS = (2.0, 3.0, 1.0)


_SECTION_NUMBER = re.compile(r"(^|› )\d+\)\s*")


def _heading_words(heading: str) -> str:
    # Section numbers are addresses, not words: "18 months" must not match "18) AI …".
    return _SECTION_NUMBER.sub(r"\1", heading)


@dataclass(frozen=True)
class Hit:
    """A chunk (by position in the indexed list) and its BM25 relevance (higher is better)."""

    index: int
    score: float


def quote_terms(terms: Iterable[str], phrases: Iterable[str] = ()) -> str:
    """An FTS5 query that ORs the given terms, each quoted so nothing in it is syntax.

    Each of ``phrases`` ("60 day") becomes one quoted FTS5 phrase: it matches only when its words
    appear together, in order.
    """
    parts: list[str] = []
    for term in terms:
        for piece in _SAFE_TERM.split(term):
            if piece:
                parts.append(f'"{piece}"')
    for phrase in phrases:
        pieces = [p for p in _SAFE_TERM.split(phrase) if p]
        if pieces:
            parts.append('"' + " ".join(pieces) + '"')
    return " OR ".join(dict.fromkeys(parts))


class SearchIndex:
    """Passages in an FTS5 table (Porter stemming) searched with weighted BM25.

    Safe to share between threads: a lock serializes access to the one connection.
    """

    def __init__(
        self, chunks: Sequence[Chunk], *, weights: tuple[float, float, float] = DEFAULT_WEIGHTS
    ) -> None:
        self.chunks = list(chunks)
        self.weights = weights
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE passage USING fts5("
            "heading, key, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        self._db.executemany(
            "INSERT INTO passage (rowid, heading, key, body) VALUES (?, ?, ?, ?)",
            [(i, _heading_words(c.heading), c.key, c.body) for i, c in enumerate(self.chunks)],
        )
        self._db.commit()

    def search(
        self, terms: Iterable[str], *, phrases: Iterable[str] = (), limit: int = 20
    ) -> list[Hit]:
        """The best ``limit`` passages containing any of ``terms`` or ``phrases``, best first."""
        query = quote_terms(terms, phrases)
        if not query:
            return []
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, bm25(passage, ?, ?, ?) AS rank FROM passage "
                "WHERE passage MATCH ? ORDER BY rank LIMIT ?",
                (*self.weights, query, limit),
            ).fetchall()
        # FTS5's bm25() is negative, more negative is better; flip it so higher is better.
        return [Hit(index=int(rowid), score=-float(rank)) for rowid, rank in rows]

    def close(self) -> None:
        """Release the in-memory database."""
        with self._lock:
            self._db.close()


__all__ = ["DEFAULT_WEIGHTS", "Hit", "SearchIndex", "quote_terms"]
