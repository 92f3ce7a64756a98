"""The Markdown blueprint keeps the captured web page's wording unchanged.

`plans/junior-llm-engineer/blueprint.md` is a hand-made Markdown rendering of part of a web
page capture. Only Markdown syntax may be added: every word and punctuation mark of the
blueprint must appear, in order, with nothing added and nothing dropped.
"""

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).parents[3] / "shared" / "blueprint" / "junior-llm-engineer.source.txt"
BLUEPRINT = Path(__file__).parents[2] / "plans" / "junior-llm-engineer" / "blueprint.md"

TITLE = "Junior LLM Engineer: Role Blueprint, Responsibilities, Skills, KPIs, and Career Path"
FIRST_LINE_AFTER = "Find Trusted Cardiac Hospitals"
CONTEXT_WORDS = 10

_LIST_NUMBER = re.compile(r"^(\s*)(\d+)\.\s+")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_MD_TABLE_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _source_slice() -> list[str]:
    """Return the blueprint lines of the capture, from the title to the first ad after it."""
    if not SOURCE.exists():
        pytest.skip(f"source capture not available at {SOURCE}")
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    start = lines.index(TITLE)
    end = lines.index(FIRST_LINE_AFTER, start)
    return lines[start:end]


def _source_words(lines: list[str]) -> list[str]:
    """Drop the capture's bullet glyphs and list numbering, then split into words."""
    words: list[str] = []
    for line in lines:
        text = line.strip()
        if text.startswith("•"):
            text = text[1:]
        text = _LIST_NUMBER.sub("", text)
        words.extend(text.split())
    return words


def _table_cells(line: str) -> list[str]:
    """Split a Markdown table row into its cell texts, with escaped pipes restored."""
    inner = line.strip()
    inner = inner.removeprefix("|").removesuffix("|")
    return [cell.strip().replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(inner)]


def _markdown_words(text: str) -> list[str]:
    """Strip Markdown syntax (headings, list markers, table pipes, escapes), then split."""
    words: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            if _MD_TABLE_SEPARATOR.match(stripped):
                continue
            words.extend(" ".join(_table_cells(stripped)).split())
            continue
        stripped = _MD_HEADING.sub("", stripped)
        stripped = _MD_BULLET.sub("", stripped)
        stripped = _LIST_NUMBER.sub("", stripped)
        words.extend(_MD_ESCAPE.sub(r"\1", stripped).split())
    return words


def _first_difference(expected: list[str], actual: list[str]) -> str:
    """Describe where two word sequences first differ, with context on each side."""
    position = next(
        (i for i, (e, a) in enumerate(zip(expected, actual, strict=False)) if e != a),
        min(len(expected), len(actual)),
    )
    lo = max(0, position - CONTEXT_WORDS)
    hi = position + CONTEXT_WORDS + 1
    return (
        f"first difference at word {position} "
        f"(source has {len(expected)} words, Markdown has {len(actual)})\n"
        f"  source:   … {' '.join(expected[lo:position])} >>> {' '.join(expected[position:hi])}\n"
        f"  markdown: … {' '.join(actual[lo:position])} >>> {' '.join(actual[position:hi])}"
    )


def _blueprint_text() -> str:
    """Read the Markdown blueprint."""
    return BLUEPRINT.read_text(encoding="utf-8")


def _markdown_table_after(text: str, heading: str) -> list[list[str]]:
    """Return the rows (header first, separator dropped) of the first table after a heading."""
    lines = text.splitlines()
    start = lines.index(heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            if not _MD_TABLE_SEPARATOR.match(line.strip()):
                rows.append(_table_cells(line))
        elif rows or line.startswith("## "):
            break
    return rows


def test_markdown_keeps_every_source_word_in_order() -> None:
    """The blueprint's words, minus Markdown syntax, equal the captured source's words."""
    expected = _source_words(_source_slice())
    actual = _markdown_words(_blueprint_text())
    assert actual == expected, _first_difference(expected, actual)


def test_ordered_list_numbers_match_the_source() -> None:
    """Ordered-list items carry the same numbers, in the same order, as in the source."""
    source_numbers = [m.group(2) for m in map(_LIST_NUMBER.match, _source_slice()) if m]
    markdown_lines = _blueprint_text().splitlines()
    markdown_numbers = [m.group(2) for m in map(_LIST_NUMBER.match, markdown_lines) if m]
    assert markdown_numbers == source_numbers


def test_first_line_is_the_title_heading() -> None:
    """The file opens with the blueprint title as its only level-1 heading."""
    lines = _blueprint_text().splitlines()
    assert lines[0] == f"# {TITLE}"
    assert [line for line in lines if line.startswith("# ")] == [f"# {TITLE}"]


def test_has_twenty_numbered_sections_in_order() -> None:
    """Exactly 20 `## ` headings exist, numbered 1) to 20) in order."""
    headings = [line for line in _blueprint_text().splitlines() if line.startswith("## ")]
    matches = [re.match(r"## (\d+)\) \S", heading) for heading in headings]
    numbers = [int(m.group(1)) if m else None for m in matches]
    assert numbers == list(range(1, 21)), headings


def test_kpi_table_has_25_rows_of_5_cells() -> None:
    """The section 7 KPI table has the 5-column header and 25 data rows of 5 cells each."""
    rows = _markdown_table_after(_blueprint_text(), "## 7) KPIs and Productivity Metrics")
    header, data = rows[0], rows[1:]
    assert header == [
        "Metric name",
        "What it measures",
        "Why it matters",
        "Example target/benchmark",
        "Frequency",
    ]
    assert len(data) == 25
    assert all(len(row) == 5 and all(row) for row in data), data
    assert data[0] == [
        "PR throughput (LLM domain)",
        "Number of merged PRs tied to LLM features/components",
        "Indicates delivery capacity; should not incentivize shallow changes",
        "4–10 meaningful PRs/month depending on scope",
        "Weekly/Monthly",
    ]


def test_page_ads_and_comment_widget_are_left_out() -> None:
    """No hospital ads, course promos, or comment-widget text from the page capture appear."""
    text = _blueprint_text()
    for ad in ("Cosmetic", "Cardiac", "DevOpsSchool", "Certification Courses"):
        assert ad.lower() not in text.lower(), ad
    # "review comments" (section 9) is genuine blueprint text, so match the widget, not the word.
    assert not re.search(r"\bcomment\b", text, flags=re.IGNORECASE)
    for widget in ("0 Comments", "View all comments", "Inline Feedbacks", "Notify of"):
        assert widget not in text, widget
