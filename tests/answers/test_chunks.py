"""Chunking follows the blueprint's structure, and every quote is the blueprint's own words."""

from __future__ import annotations

from bot.domain.blueprint import parse_blueprint
from bot.domain.chunks import ChunkKind, chunk_blueprint
from bot.domain.plan import LoadedPlan

SAMPLE = """# Role

## 1) Summary

First paragraph. Second sentence.

Teams include:
- Product
  - Design partners
- Security

| Metric | Target |
|---|---|
| Latency p95 | <5s |
"""


def test_every_quote_line_is_verbatim_in_its_section(plan: LoadedPlan) -> None:
    """Each line of each chunk's quote appears exactly in the section it cites."""
    for chunk in chunk_blueprint(plan.blueprint):
        section = plan.blueprint.get(chunk.section_id)
        assert section is not None
        for line in chunk.quote.split("\n"):
            assert line in section.text, (chunk.id, line)


def test_every_section_with_text_yields_chunks(plan: LoadedPlan) -> None:
    """No section's text is lost: all 20 top-level sections have passages."""
    numbers = {c.number for c in chunk_blueprint(plan.blueprint)}
    assert numbers == set(range(1, 21))


def test_table_rows_keep_their_header_and_items_their_children() -> None:
    """A row is read with its column names; a list item keeps its nested items and lead-in."""
    chunks = chunk_blueprint(parse_blueprint(SAMPLE))
    kinds = [c.kind for c in chunks]
    assert kinds == [ChunkKind.PARAGRAPH, ChunkKind.ITEM, ChunkKind.ITEM, ChunkKind.ROW]
    product, row = chunks[1], chunks[3]
    assert product.quote == "Product\nDesign partners"
    assert "Teams include:" in product.body
    assert row.key == "Latency p95"
    assert row.text == "Latency p95 — Target: <5s"
    assert row.quote == "Latency p95 | <5s"
    assert all(c.section_id == "s1" and c.heading == "1) Summary" for c in chunks)
