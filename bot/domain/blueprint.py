"""Turn a Markdown role blueprint into addressable sections.

A blueprint is Markdown with one ``#`` title, ``## N) Title`` for each numbered section and ``###``
for the sub-parts of a section. Every section gets a stable id that citations and plan ``source``
fields point at: ``s6`` for section 6 and ``s6.30-day-goals`` for its sub-part
"30-day goals (onboarding and foundation)" (the parenthetical is dropped so that rewording a
qualifier does not break references).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from bot.domain.errors import PlanError

_NUMBERED = re.compile(r"^(\d+)\)\s+(.+)$")
_PAREN = re.compile(r"\s*\([^)]*\)")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class Section:
    """One heading of the blueprint and the text directly under it (up to the next heading)."""

    id: str
    number: int
    level: int
    title: str
    path: str
    text: str
    start_line: int
    end_line: int
    parent_id: str | None = None


@dataclass(frozen=True)
class Blueprint:
    """A parsed blueprint: its title and its sections in document order."""

    title: str
    sections: tuple[Section, ...]
    source_name: str = "blueprint.md"
    _by_id: dict[str, Section] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({s.id: s for s in self.sections})

    def get(self, section_id: str) -> Section | None:
        """The section with this id, or ``None``."""
        return self._by_id.get(section_id)

    def __contains__(self, section_id: object) -> bool:
        return section_id in self._by_id

    @property
    def ids(self) -> list[str]:
        """Every section id, in document order."""
        return [s.id for s in self.sections]

    def suggest(self, section_id: str) -> str | None:
        """The closest existing id to a mistyped one, for "did you mean" messages."""
        close = difflib.get_close_matches(section_id, self.ids, n=1, cutoff=0.5)
        return close[0] if close else None

    def children(self, section_id: str) -> list[Section]:
        """The sub-parts of a top-level section, in order."""
        return [s for s in self.sections if s.parent_id == section_id]

    def full_text(self, section_id: str) -> str:
        """A section's own text followed by the text of all its sub-parts."""
        section = self._by_id[section_id]
        parts = [section.text, *(c.text for c in self.children(section_id))]
        return "\n\n".join(p for p in parts if p)


def slugify(heading: str) -> str:
    """The id fragment for a heading: parentheticals and punctuation dropped, lower-case, dashed."""
    without_qualifier = _PAREN.sub("", heading).strip().rstrip(":")
    return _NON_SLUG.sub("-", without_qualifier.lower()).strip("-") or "part"


_Head = tuple[int, int, str, str | None, str, int]


def _scan_headings(lines: list[str], source_name: str) -> tuple[str, list[_Head], list[str]]:
    """Find the title and every ``##``/``###`` heading, with the problems in their numbering."""
    title = ""
    problems: list[str] = []
    # Each head is: level, number, heading, parent id, id, heading line.
    heads: list[_Head] = []
    current_top: tuple[int, str, str] | None = None  # number, id, heading
    used_child_ids: set[str] = set()
    in_fence = False
    for lineno, raw in enumerate(lines, start=1):
        if raw.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence:
            continue
        if raw.startswith("# ") and not title:
            title = raw[2:].strip()
        elif raw.startswith("## "):
            heading = raw[3:].strip()
            match = _NUMBERED.match(heading)
            if not match:
                problems.append(
                    f"{source_name}:{lineno}: section heading {heading!r} must start with its "
                    "number, like '## 6) Goals, Objectives, and Milestones'"
                )
                continue
            number = int(match.group(1))
            expected = current_top[0] + 1 if current_top else 1
            if number != expected:
                problems.append(
                    f"{source_name}:{lineno}: section {number} follows section {expected - 1}; "
                    f"number the sections 1, 2, 3 … in order (expected {expected})"
                )
            section_id = f"s{number}"
            current_top = (number, section_id, heading)
            used_child_ids = set()
            heads.append((2, number, heading, None, section_id, lineno))
        elif raw.startswith("### "):
            heading = raw[4:].strip()
            if current_top is None:
                problems.append(
                    f"{source_name}:{lineno}: sub-part {heading!r} comes before the first "
                    "'## 1) …' section; put it under a numbered section"
                )
                continue
            base = f"{current_top[1]}.{slugify(heading)}"
            section_id, n = base, 2
            while section_id in used_child_ids:
                section_id, n = f"{base}-{n}", n + 1
            used_child_ids.add(section_id)
            heads.append((3, current_top[0], heading, current_top[1], section_id, lineno))
    if not title:
        problems.append(f"{source_name}:1: the blueprint needs a '# Title' line")
    if not heads and not problems:
        problems.append(f"{source_name}:1: no '## 1) …' sections found")
    return title, heads, problems


def parse_blueprint(markdown: str, *, source_name: str = "blueprint.md") -> Blueprint:
    """Parse blueprint Markdown; raise :class:`PlanError` naming the line of any fault."""
    lines = markdown.splitlines()
    title, heads, problems = _scan_headings(lines, source_name)
    if problems:
        raise PlanError(problems)

    top_titles = {h[4]: h[2] for h in heads if h[0] == 2}
    sections: list[Section] = []
    for index, (level, number, heading, parent_id, section_id, head_line) in enumerate(heads):
        end = heads[index + 1][5] - 1 if index + 1 < len(heads) else len(lines)
        body_lines = lines[head_line:end]
        while body_lines and not body_lines[-1].strip():
            body_lines.pop()
            end -= 1
        text = "\n".join(body_lines).strip("\n")
        path = heading if parent_id is None else f"{top_titles[parent_id]}{PATH_SEPARATOR}{heading}"
        sections.append(
            Section(
                id=section_id,
                number=number,
                level=level,
                title=heading,
                path=path,
                text=text,
                start_line=head_line,
                end_line=max(end, head_line),
                parent_id=parent_id,
            )
        )
    return Blueprint(title=title, sections=tuple(sections), source_name=source_name)
