"""Cut a parsed blueprint into retrievable passages along the document's own structure.

A passage ("chunk") is one paragraph, one list item together with its nested items and
continuation lines, or one table row together with its table's header. Every chunk knows the
section it came from (id, top-level number, heading path) and carries ``quote``: the blueprint's
own words, each line of which appears verbatim in the section text, so a citation can always be
checked against the source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.blueprint import Blueprint, Section

_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+\.)\s+(.*)$")
_TABLE_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])|\s+–\s+(?=[A-Z])")
_LEAD = re.compile(r"^(.*?)(?:\s+\(|:|\s+–\s+|$)")


class ChunkKind(StrEnum):
    """What kind of block a chunk is."""

    PARAGRAPH = "paragraph"
    ITEM = "item"
    ROW = "row"


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage of a blueprint section.

    ``key`` is the passage's own label (a table row's first cell, a list item's lead-in);
    ``body`` is what the index searches besides heading and key (for a row: "header: cell" pairs);
    ``text`` is how an answer shows it; ``quote`` holds the exact source lines.
    """

    id: str
    section_id: str
    number: int
    heading: str
    kind: ChunkKind
    key: str
    body: str
    text: str
    quote: str


def _cells(row: str) -> list[str]:
    inner = row.strip()
    inner = inner.removeprefix("|").removesuffix("|")
    return [c.strip().replace("\\|", "|") for c in _UNESCAPED_PIPE.split(inner)]


def _blocks(text: str) -> Iterator[tuple[ChunkKind, list[str]]]:
    """Group a section's lines into paragraphs, top-level list items and table rows."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.lstrip().startswith("|"):
            table: list[str] = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                table.append(lines[i])
                i += 1
            yield ChunkKind.ROW, table
            continue
        match = _ITEM.match(line)
        if match:
            indent = len(match.group(1))
            item = [line]
            i += 1
            while i < len(lines) and lines[i].strip():
                nested = _ITEM.match(lines[i])
                deeper = len(lines[i]) - len(lines[i].lstrip()) > indent
                if nested and not deeper:
                    break
                if not nested and not deeper:
                    break
                item.append(lines[i])
                i += 1
            yield ChunkKind.ITEM, item
            continue
        paragraph = [line]
        i += 1
        while (
            i < len(lines)
            and lines[i].strip()
            and not _ITEM.match(lines[i])
            and not lines[i].lstrip().startswith("|")
        ):
            paragraph.append(lines[i])
            i += 1
        yield ChunkKind.PARAGRAPH, paragraph


def _strip_marker(line: str) -> str:
    match = _ITEM.match(line)
    return (match.group(2) if match else line).strip()


def _lead(text: str) -> str:
    match = _LEAD.match(text)
    return (match.group(1) if match else text).strip()


def _section_chunks(section: Section) -> Iterator[Chunk]:
    serial = 0

    def make(kind: ChunkKind, key: str, body: str, text: str, quote: str) -> Chunk:
        nonlocal serial
        serial += 1
        return Chunk(
            id=f"{section.id}#{serial}",
            section_id=section.id,
            number=section.number,
            heading=section.path,
            kind=kind,
            key=key,
            body=body,
            text=text,
            quote=quote,
        )

    lead_in = ""  # a paragraph ending in ":" introduces the list after it
    for kind, lines in _blocks(section.text):
        if kind is not ChunkKind.ITEM:
            lead_in = ""
        if kind is ChunkKind.ROW:
            rows = [r for r in lines if not _TABLE_SEPARATOR.match(r.strip())]
            header, data = _cells(rows[0]), rows[1:]
            for row in data:
                cells = _cells(row)
                pairs = [f"{h}: {c}" for h, c in zip(header[1:], cells[1:], strict=False) if c]
                text = f"{cells[0]} — " + "; ".join(pairs) if pairs else cells[0]
                quote = row.strip().removeprefix("|").removesuffix("|").strip()
                yield make(kind, cells[0], "\n".join(pairs), text, quote)
        elif kind is ChunkKind.ITEM:
            parts = [_strip_marker(line) for line in lines]
            head, rest = parts[0], parts[1:]
            text = head if not rest else head + " " + "; ".join(rest)
            body = "\n".join([lead_in, *parts]) if lead_in else "\n".join(parts)
            yield make(kind, _lead(head), body, text, "\n".join(parts))
        else:
            paragraph = " ".join(line.strip() for line in lines)
            if paragraph.endswith(":") and len(paragraph) < 200:
                # Not a passage of its own: it is context for the list items that follow.
                lead_in = paragraph
                continue
            quote = "\n".join(line.strip() for line in lines)
            label, colon, _ = paragraph.partition(":")
            key = label.strip() if colon and len(label) <= 80 else ""
            yield make(kind, key, paragraph, paragraph, quote)


def chunk_blueprint(blueprint: Blueprint) -> list[Chunk]:
    """Every passage of every section, in document order."""
    return [chunk for section in blueprint.sections for chunk in _section_chunks(section)]


_SECTION_NUMBER = re.compile(r"(^|› )\d+\)\s*")


def heading_text(heading: str) -> str:
    """A heading path without its section numbers ("18) AI …" must not match "18 months")."""
    return _SECTION_NUMBER.sub(r"\1", heading)


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a set (for word lists kept as prose)."""
    return frozenset(text.split())


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: The shape of a word :func:`words` yields; scripts/english_zipf.py builds its table from it.
WORD = _WORD

#: Words that carry no meaning for retrieval: function words and the ways people ask questions.
STOP_WORDS = word_set(
    """
    a about above after again all also am an and any are as at be been before being below between
    both but by can could did do does doing done during each else ever few for from further get
    gets getting give given go goes going got had has have having he her here hers him his how
    however i i'd i'll i'm i've if in into is isn't it it's its itself just know let like look
    looking many may me might mine more most much must my myself need needs no nor not now of off
    often on once one only or other our ours out over own please really said say says see seem
    shall she should show since so some such tell than thank thanks that that's the their theirs
    them then there these they thing things this those though through to too under until up upon
    us use used using usually very want was way we well were what what's whats when where where's
    which while who who's whom whose why will with within without would yes yet you you'd you're
    your yours typically typical exactly kind sort anything something someone anyone everyone
    expected expect supposed hey hi hello okay ok
    can't cannot don't doesn't didn't won't wouldn't shouldn't couldn't isn't aren't wasn't
    weren't haven't hasn't hadn't mustn't needn't
    """
)


def stem(word: str) -> str:
    """A light English stemmer (plurals, -ing, -ed, -ation) for matching question words to text.

    Deliberately gentle: it only has to map a question's word and the blueprint's word to the same
    key; the full-text index does its own Porter stemming for ranking.
    """
    w = word.lower()
    if len(w) <= 3 or w.isdigit():
        return w
    for suffix, repl in (
        ("ations", "at"),
        ("ation", "at"),
        ("ities", "ity"),
        ("ments", ""),
        ("ment", ""),
        ("ions", ""),
        ("ion", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters and digits; ``p95`` and ``30`` stay whole)."""
    return _WORD.findall(text.lower().replace("’", "'"))


def terms(text: str) -> list[str]:
    """Stemmed content words of ``text``, stop-words removed, in order (duplicates kept)."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def sentences(text: str) -> list[str]:
    """Split prose into sentences (and the blueprint's " – " run-in list entries)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


__all__ = [
    "STOP_WORDS",
    "Chunk",
    "ChunkKind",
    "chunk_blueprint",
    "heading_text",
    "sentences",
    "stem",
    "terms",
    "words",
]
