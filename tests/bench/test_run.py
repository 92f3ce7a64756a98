"""bench/run.py's machinery on tiny sizes: the JSON contract, exactly-once fan-out, clean-up.

No timing is asserted here (timings belong in bench/ and docs/benchmarks.md); only the shape of
the output and what must hold at any speed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bench.common import percentile
from bench.run import SMOKE, table, verdicts
from tests.support.processes import finish

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "ack_p50_ms",
    "ack_p99_ms",
    "ack_ratio_vs_bare_bolt",
    "tick_seconds",
    "fanout_ratio_of_limit",
    "fanout_duplicates",
    "fanout_lost",
    "answer_p50_ms",
    "answer_p95_ms",
    "recall_at_3",
    "rss_mb",
    "growth_readiness_p95_ms",
    "growth_packet_p95_ms",
}


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention ``text`` (our temp dir)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


@pytest.mark.slow
def test_smoke_run_prints_the_json_contract_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """--smoke --json prints every required key, sends each check-in once (kill -9 included),
    and leaves no temp files or child processes behind."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = finish(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--json"],
        cwd=tmp_path,
        env=env,
        timeout=240,
    )
    log = done.stderr[-3000:]  # the run's progress lines: shown if an assertion fails
    assert done.returncode == 0, log
    figures = json.loads(done.stdout)
    assert figures.keys() >= REQUIRED, log
    assert set(figures["tick_seconds"]) == {str(n) for n in SMOKE.tick_sizes}
    assert figures["ack_errors"] == 0, log
    assert figures["ack_requests_each"] == SMOKE.ack_requests
    assert figures["fanout_duplicates"] == 0, log
    assert figures["fanout_lost"] == 0, log
    assert figures["fanout"]["sent"] == SMOKE.fanout_messages, log
    assert figures["fanout_kill"]["killed_after_posts"] >= SMOKE.fanout_messages // 2, log
    assert figures["fanout_kill"]["outbox_states"] == {"sent": SMOKE.fanout_messages}, log
    assert figures["answer_questions"] > 0
    assert 0.0 <= figures["recall_at_3"] <= 1.0
    assert figures["rss_tick_seen"] is True, log
    assert figures["rss_mb"] > 0
    assert figures["rss_encoder_loaded"] is True, log
    assert figures["rss_after_answers_mb"] > 0
    assert all(plan["plan"] for plan in figures["tick_query_plans"])
    assert figures["growth_hires"] == SMOKE.growth_hires
    assert figures["growth_evidence"] > 0
    assert list(tmp_path.iterdir()) == []
    assert _processes_mentioning(str(tmp_path)) == []


def test_percentile_is_nearest_rank() -> None:
    """p50 of 1..10 is 5, p99 of 1..100 is 99, p100 is the maximum, none is 0."""
    assert percentile([float(n) for n in range(10, 0, -1)], 50) == 5
    assert percentile([float(n) for n in range(1, 101)], 99) == 99
    assert percentile([3.0, 1.0, 2.0], 100) == 3
    assert percentile([], 99) == 0


def test_verdicts_mark_a_missed_target() -> None:
    """A ratio over 1.5x and a lost message are MISS; the rest PASS, in the table too."""
    figures = {
        "ack_p99_ms": 40.0,
        "bare_p99_ms": 20.0,
        "ack_ratio_vs_bare_bolt": 2.0,
        "ack_errors": 0,
        "fanout_ratio_of_limit": 0.95,
        "fanout": {"sent": 100, "seconds": 1.0},
        "fanout_duplicates": 0,
        "fanout_lost": 1,
        "answer_p95_ms": 3.0,
        "answer_p50_ms": 1.0,
        "recall_at_3": 0.9,
    }
    rows = {what: ok for what, _, _, ok in verdicts(figures, SMOKE)}
    assert rows["ack p99 vs bare Bolt"] is False
    assert rows["fan-out exactly once (kill -9 incl.)"] is False
    assert rows["fan-out rate"] is True
    assert rows["offline answer p95"] is True
    text = table(verdicts(figures, SMOKE))
    assert text.count("MISS") == 2
