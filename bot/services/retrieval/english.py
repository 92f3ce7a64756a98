"""What retrieval knows of English words: their stems (Porter) and their rarity (Zipf).

:func:`key_of` is the matching key of a word, the same stem FTS5's ``porter`` tokenizer indexes;
:func:`zipf` reads how common a word is from the table shipped beside the services
(``bot/services/english_zipf.txt``), so a word the blueprint never uses weighs by its rarity.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Callable
from importlib import resources

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type information


@functools.cache
def _porter() -> Callable[[str], str]:
    # The same Porter algorithm as FTS5's ``porter`` tokenizer, so the index and the coverage
    # re-rank agree on what a word's stem is.
    stem_word: Callable[[str], str] = Stemmer.Stemmer("porter").stemWord
    return stem_word


@functools.lru_cache(maxsize=8192)
def key_of(word: str) -> str:
    """The matching key of a word: its Porter stem ("performer" and "performance" → "perform",
    "interviewers" and "interviews" → "interview")."""
    w = word.lower()
    return w if w.isdigit() else _porter()(w)


#: The word-rarity table shipped in ``bot/services/``: ``word zipf`` lines (``#`` comments), every
#: word a question can contain whose Zipf frequency in English (wordfreq) is above ZIPF_FLOOR.
#: Regenerate it with ``uv run python -m scripts.english_zipf``.
ZIPF_FILE = "english_zipf.txt"
#: Rarer words than this weigh the cap whatever their frequency (``rarity_top − ZIPF_FLOOR`` ≥
#: ``unknown_word_idf``), so the table leaves them out.
ZIPF_FLOOR = 3.0


class ZipfTable:
    """The word-rarity table, kept as the file's text and searched in place.

    Held as a dict it took 5 MB of a server's memory; as text (0.4 MB) plus where each line
    starts, a lookup is a binary search over the lines, which the file keeps in word order.
    """

    def __init__(self, text: str) -> None:
        first = 0
        while text.startswith("#", first):  # the comment lines at the top
            first = text.index("\n", first) + 1
        self._text = text[first:]
        self._starts = array("I", [0])
        self._starts.extend(m.end() for m in re.finditer("\n", self._text))
        self._starts.pop()  # where the line after the last one would start

    def _word_at(self, start: int) -> str:
        return self._text[start : self._text.index(" ", start)]

    def __len__(self) -> int:
        return len(self._starts)

    def get(self, word: str) -> float | None:
        """The Zipf frequency of ``word``, or None when it is not listed."""
        i = bisect.bisect_left(self._starts, word, key=self._word_at)
        if i == len(self._starts) or self._word_at(self._starts[i]) != word:
            return None
        value = self._starts[i] + len(word) + 1
        return float(self._text[value : self._text.index("\n", value)])


@functools.cache
def zipf_table() -> ZipfTable:
    """The word-rarity table, read once (~10 ms) and kept."""
    return ZipfTable(
        resources.files("bot.services").joinpath(ZIPF_FILE).read_text(encoding="utf-8")
    )


def zipf(word: str) -> float | None:
    """How common ``word`` is in general English (Zipf scale: 7 "the" … 1 very rare), when
    above :data:`ZIPF_FLOOR`; ``None`` for rarer and unknown words."""
    return zipf_table().get(word)
