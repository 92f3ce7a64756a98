"""bench/memory.py's second figure: a server that has answered questions, on a tiny database.

Only what must hold at any size is asserted (no memory figures): the questions reach the server
as Slack would send them and are all answered, through the semantic path.
"""

from __future__ import annotations

import pytest

from bench import memory
from bench.common import Workspace


@pytest.mark.slow
@pytest.mark.usefixtures("real_clock")
def test_the_memory_run_reads_a_server_that_answered_every_question_with_the_encoder() -> None:
    """`onramp serve` answers every question DM'd to it by signed Events API deliveries, loads
    the sentence encoder doing so, and both memory figures are read from it."""
    lines: list[str] = []
    with Workspace() as workspace:
        result = memory.run(workspace, enrollments=20, log=lines.append)
    assert result.tick_seen, lines
    assert result.answers == len(memory.QUESTIONS), lines
    assert result.encoder_loaded, lines
    assert result.rss_mb > 0
    assert result.rss_after_answers_mb > 0
