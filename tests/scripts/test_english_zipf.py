"""The shipped word-rarity table is what the generator makes from the pinned wordfreq."""

from __future__ import annotations

import pytest

from bot.services.retrieval import zipf
from scripts.english_zipf import COMMAND, TARGET, build, render


@pytest.fixture(scope="module")
def table() -> dict[str, float]:
    """The table generated in memory (about 3 s: every English entry of wordfreq is read)."""
    return build()


def test_shipped_table_matches_wordfreq(table: dict[str, float]) -> None:
    """Regenerating the table in memory gives the shipped file byte for byte (else: the command
    to run)."""
    shipped = TARGET.read_text(encoding="utf-8")
    expected = render(table)
    if shipped != expected:
        old, new = set(shipped.splitlines()), set(expected.splitlines())
        pytest.fail(
            f"{TARGET.name} is out of date with the installed wordfreq "
            f"({len(old - new)} lines gone, {len(new - old)} new, e.g. {sorted(new ^ old)[:5]}): "
            f"run `{COMMAND}` and commit the result"
        )


def test_table_holds_numbers_by_wordfreq_estimate(table: dict[str, float]) -> None:
    """Numbers, years and number shapes are looked up like words ("45", "2024", "20th", "5pm"),
    while wordfreq's rarer numbers and words stay out."""
    assert {"45", "2024", "20th", "5pm", "can't"} <= table.keys()
    assert not {"99999", "1990s", "kubernetes", "zorblax"} & table.keys()
    assert min(table.values()) > 3.0


def test_retrieval_reads_every_word_back(table: dict[str, float]) -> None:
    """Retrieval's lookup in the shipped file finds every word at its Zipf, and nothing else."""
    assert all(zipf(word) == value for word, value in table.items())
    assert zipf("kubernetes") is None
    assert zipf("") is None
    assert zipf("zzzzzz") is None
