"""Onramp's benchmarks (design §10, docs/benchmarks.md): ``uv run python bench/run.py``.

    uv run python bench/run.py --quick          # about two minutes: a readable table, PASS/MISS
    uv run python bench/run.py --quick --json   # the same figures as one JSON object on stdout
    uv run python bench/run.py                  # the full run (100k tick, 10k fan-out)
    uv run python bench/run.py --plot docs/benchmarks   # also write the PNG plots there

Everything runs against temp directories (removed at the end) and loopback servers; child
processes (``onramp serve``, ``onramp tick``, the bare Bolt app) are stopped on success, failure,
Ctrl-C or SIGTERM. Progress goes to stderr; with ``--json`` stdout holds only the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True  # nothing written into the checkout, not even __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ack, answers, fanout, growth, memory, tick  # noqa: E402 - after sys.path
from bench.common import Workspace, machine, terminate_on_sigterm  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does."""

    ack_requests: int
    tick_sizes: tuple[int, ...]
    fanout_messages: int
    fanout_limit: float
    memory_enrollments: int = 10_000
    #: A manager's team for the readiness view (design §12: a manager with 50 hires).
    growth_hires: int = 50


QUICK = Sizes(ack_requests=800, tick_sizes=(1_000, 10_000), fanout_messages=1_000, fanout_limit=40)
#: Tiny sizes for the test suite (tests/bench): the machinery works; the figures mean nothing.
SMOKE = Sizes(
    ack_requests=100,
    tick_sizes=(50, 500),
    fanout_messages=40,
    fanout_limit=20,
    memory_enrollments=100,
    growth_hires=4,
)
FULL = Sizes(
    ack_requests=3_000,
    tick_sizes=(1_000, 10_000, 100_000),
    fanout_messages=10_000,
    fanout_limit=40,
)


#: The command line, in the order ``--help`` lists it: (flag, ``add_argument`` keywords).
_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--quick", {"action": "store_true", "help": "smaller sizes: under 4 minutes on 2 cores"}),
    (
        "--smoke",
        {
            "action": "store_true",
            "help": "tiny sizes that only prove the machinery works (the test suite uses this)",
        },
    ),
    (
        "--json",
        {"action": "store_true", "help": "print one JSON object on stdout instead of a table"},
    ),
    ("--plot", {"type": Path, "metavar": "DIR", "help": "write tick.png and ack.png into DIR"}),
    (
        "--only",
        {
            "metavar": "NAMES",
            "help": "comma-separated subset: ack,ack_claude,tick,fanout,answers,memory,growth "
            "(default: all)",
        },
    ),
    (
        "--strict",
        {"action": "store_true", "help": "exit with status 1 when any target is missed"},
    ),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Measure Onramp against the targets of design §10."
    )
    for flag, options in _OPTIONS:
        parser.add_argument(flag, **options)
    return parser


def _rounded(values: dict[int, float]) -> dict[str, float]:
    return {str(n): round(s, 3) for n, s in sorted(values.items())}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(sizes: Sizes, only: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the selected benchmarks; return (the JSON figures, the raw results for plots)."""
    figures: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    with terminate_on_sigterm(), Workspace() as workspace:
        if "ack" in only:
            result = ack.run(workspace, requests=sizes.ack_requests, log=_log)
            raw["ack"] = result
            figures.update(
                ack_p50_ms=round(result.onramp.p50_ms, 2),
                ack_p99_ms=round(result.onramp.p99_ms, 2),
                ack_ratio_vs_bare_bolt=round(result.ratio, 3),
                bare_p50_ms=round(result.bare.p50_ms, 2),
                bare_p99_ms=round(result.bare.p99_ms, 2),
                ack_requests_each=result.requests,
                ack_rate_per_second=result.rate,
                ack_errors=result.onramp.errors + result.bare.errors,
            )
        if "ack_claude" in only:
            slow = ack.run(workspace, requests=sizes.ack_requests, log=_log, claude_seconds=10.0)
            figures.update(
                ack_slow_claude_p50_ms=round(slow.onramp.p50_ms, 2),
                ack_slow_claude_p99_ms=round(slow.onramp.p99_ms, 2),
                ack_slow_claude_bare_p99_ms=round(slow.bare.p99_ms, 2),
                ack_slow_claude_ratio_vs_bare_bolt=round(slow.ratio, 3),
                ack_slow_claude_errors=slow.onramp.errors + slow.bare.errors,
            )
        if "tick" in only:
            ticks = tick.run(workspace, list(sizes.tick_sizes), log=_log)
            raw["tick"] = ticks
            figures.update(
                tick_seconds={str(n): round(s, 4) for n, s in sorted(ticks.steady.items())},
                tick_growth_vs_linear=round(ticks.growth(), 3),
                tick_new_rows={str(n): v for n, v in sorted(ticks.inserted.items())},
                tick_quiet_seconds=_rounded(ticks.quiet),
                tick_restart_seconds=_rounded(ticks.restart),
                tick_cold_seconds=_rounded(ticks.cold),
                tick_cold_rows={str(n): v for n, v in sorted(ticks.cold_inserted.items())},
                tick_query_plans=ticks.plans,
            )
        if "fanout" in only:
            # The same fan-out twice: left to finish, then killed mid-send and reconciled.
            plain, killed = (
                fanout.run(
                    workspace,
                    messages=sizes.fanout_messages,
                    limit=sizes.fanout_limit,
                    kill=kill,
                    log=_log,
                )
                for kill in (False, True)
            )
            figures.update(
                fanout_ratio_of_limit=round(plain.ratio, 3),
                fanout_duplicates=plain.duplicates + killed.duplicates,
                fanout_lost=plain.lost + killed.lost,
                fanout=plain.as_json(),
                fanout_kill=killed.as_json(),
            )
        if "answers" in only:
            result_a = answers.run(workspace)
            _log(
                f"answers: {len(result_a.latencies_ms)} questions, {result_a.summary()}, "
                f"recall@3 {result_a.recall_at_3:.3f}"
            )
            figures.update(
                result_a.figures("answer"),
                recall_at_3=result_a.recall_at_3,
                answer_questions=len(result_a.latencies_ms),
                recall_cases=result_a.judged,
            )
        if "memory" in only:
            result_m = memory.run(workspace, enrollments=sizes.memory_enrollments, log=_log)
            figures.update(
                rss_mb=round(result_m.rss_mb, 1),
                rss_peak_mb=round(result_m.peak_mb, 1),
                rss_enrollments=result_m.enrollments,
                rss_tick_seen=result_m.tick_seen,
                rss_after_answers_mb=round(result_m.rss_after_answers_mb, 1),
                rss_after_answers_peak_mb=round(result_m.peak_after_answers_mb, 1),
                rss_answers=result_m.answers,
                rss_encoder_loaded=result_m.encoder_loaded,
            )
        if "growth" in only:
            result_g = growth.run(workspace, hires=sizes.growth_hires)
            _log(
                f"growth: readiness of {result_g.hires} hires ({result_g.evidence} evidence), "
                f"{result_g.summary()}"
            )
            figures.update(
                result_g.figures("growth_readiness"),
                growth_team_ms=round(result_g.team_ms, 1),
                growth_hires=result_g.hires,
                growth_evidence=result_g.evidence,
            )
            if result_g.packet_ms is not None:
                _log(f"growth: review packet (build + HTML), {result_g.packet_ms.summary()}")
                figures.update(result_g.packet_ms.figures("growth_packet"))
            if result_g.prep_ms is not None:
                _log(f"growth: 1:1 prep DM (compose + blocks), {result_g.prep_ms.summary()}")
                figures.update(result_g.prep_ms.figures("growth_prep"))
    return figures, raw


def verdicts(figures: dict[str, Any], sizes: Sizes) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) for every target the figures cover."""
    rows: list[tuple[str, str, str, bool]] = []
    if "ack_p99_ms" in figures:
        rows.append(
            (
                "ack p99 vs bare Bolt",
                f"{figures['ack_p99_ms']:.1f} ms vs {figures['bare_p99_ms']:.1f} ms "
                f"= {figures['ack_ratio_vs_bare_bolt']:.2f}x",
                "<= 1.5x",
                figures["ack_ratio_vs_bare_bolt"] <= 1.5,
            )
        )
        rows.append(
            (
                "ack p99 (Slack's limit: 3 s)",
                f"{figures['ack_p99_ms']:.1f} ms, {figures['ack_errors']} errors",
                "< 3000 ms, 0 errors",
                figures["ack_p99_ms"] < 3000 and figures["ack_errors"] == 0,
            )
        )
    if "ack_slow_claude_p99_ms" in figures:
        rows.append(
            (
                "ack p99, 20 questions on a 10 s Claude",
                f"{figures['ack_slow_claude_p99_ms']:.1f} ms vs bare "
                f"{figures['ack_slow_claude_bare_p99_ms']:.1f} ms "
                f"= {figures['ack_slow_claude_ratio_vs_bare_bolt']:.2f}x, "
                f"{figures['ack_slow_claude_errors']} errors",
                "<= 1.5x, 0 errors",
                figures["ack_slow_claude_ratio_vs_bare_bolt"] <= 1.5
                and figures["ack_slow_claude_errors"] == 0,
            )
        )
    if "tick_seconds" in figures:
        seconds = figures["tick_seconds"]
        shown = ", ".join(f"{int(n):,}: {s:.3f} s" for n, s in seconds.items())
        rows.append(
            (
                "tick growth",
                f"{shown} (x{figures['tick_growth_vs_linear']:.2f} of linear)",
                "linear or better",
                figures["tick_growth_vs_linear"] <= 1.0,
            )
        )
        if "100000" in seconds:
            rows.append(
                ("tick at 100k", f"{seconds['100000']:.3f} s", "< 1 s", seconds["100000"] < 1.0)
            )
    if "fanout_ratio_of_limit" in figures:
        rows.append(
            (
                "fan-out rate",
                f"{figures['fanout']['sent']:,} posts in {figures['fanout']['seconds']:.1f} s at "
                f"{sizes.fanout_limit:g}/s max = {figures['fanout_ratio_of_limit']:.2f} of allowed",
                ">= 0.90",
                figures["fanout_ratio_of_limit"] >= 0.9,
            )
        )
        rows.append(
            (
                "fan-out exactly once (kill -9 incl.)",
                f"{figures['fanout_duplicates']} duplicates, {figures['fanout_lost']} lost",
                "0 and 0",
                figures["fanout_duplicates"] == 0 and figures["fanout_lost"] == 0,
            )
        )
    if "answer_p95_ms" in figures:
        rows.append(
            (
                "offline answer p95",
                f"{figures['answer_p95_ms']:.2f} ms (p50 {figures['answer_p50_ms']:.2f} ms)",
                "<= 50 ms",
                figures["answer_p95_ms"] <= 50,
            )
        )
        rows.append(("retrieval recall@3", f"{figures['recall_at_3']:.3f}", "(reported)", True))
    if "rss_mb" in figures:
        rows.append(
            (
                f"RSS, serve + {figures['rss_enrollments']:,} enrollments",
                f"{figures['rss_mb']:.0f} MB (peak {figures['rss_peak_mb']:.0f} MB)",
                "<= 200 MB",
                figures["rss_mb"] <= 200,
            )
        )
    if "rss_after_answers_mb" in figures:
        # The figure is a server holding the encoder only if every question got an answer and the
        # log shows the encoder loading.
        asked = len(memory.QUESTIONS)
        loaded = figures["rss_encoder_loaded"]
        rows.append(
            (
                f"RSS, the same after {figures['rss_answers']} answers",
                f"{figures['rss_after_answers_mb']:.0f} MB "
                f"(peak {figures['rss_after_answers_peak_mb']:.0f} MB)"
                f"{'' if loaded else ', encoder not loaded'}",
                f"<= 200 MB, {asked} of {asked} answered, encoder loaded",
                figures["rss_after_answers_mb"] <= 200
                and figures["rss_answers"] == asked
                and loaded,
            )
        )
    if "growth_readiness_p95_ms" in figures:
        rows.append(
            (
                f"readiness, manager of {figures['growth_hires']} hires",
                f"p95 {figures['growth_readiness_p95_ms']:.2f} ms a hire, "
                f"{figures['growth_team_ms']:.0f} ms the team "
                f"({figures['growth_evidence']:,} evidence)",
                "p95 <= 50 ms a hire",
                figures["growth_readiness_p95_ms"] <= 50,
            )
        )
    return rows


def table(rows: list[tuple[str, str, str, bool]]) -> str:
    """The verdicts as an aligned text table."""
    header = ("measure", "result", "target", "")
    lines = [header, *((w, m, t, "PASS" if ok else "MISS") for w, m, t, ok in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    out = []
    for index, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run, print, and optionally plot."""
    args = _parser().parse_args(argv)
    sizes = SMOKE if args.smoke else QUICK if args.quick else FULL
    names = {"ack", "ack_claude", "tick", "fanout", "answers", "memory", "growth"}
    only = names if not args.only else {n.strip() for n in args.only.split(",")}
    unknown = only - names
    if unknown:
        _parser().error(f"--only: unknown {', '.join(sorted(unknown))}; use {', '.join(names)}")
    started = time.monotonic()
    try:
        figures, raw = measure(sizes, only)
    except KeyboardInterrupt:
        _log("interrupted: every server and sender was stopped, the temp files removed")
        return 130
    figures["elapsed_seconds"] = round(time.monotonic() - started, 1)
    figures["quick"] = args.quick
    figures["smoke"] = args.smoke
    figures["machine"] = machine()
    rows = verdicts(figures, sizes)
    figures["passed"] = {what: ok for what, _, _, ok in rows}
    if args.plot is not None:
        from bench import plot

        args.plot.mkdir(parents=True, exist_ok=True)
        if "tick" in raw:
            plot.tick_curve(raw["tick"], args.plot / "tick.png")
        if "ack" in raw:
            plot.ack_distribution(raw["ack"], args.plot / "ack.png")
        _log(f"plots written to {args.plot}")
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        m = figures["machine"]
        print(
            f"Onramp benchmarks ({'smoke' if args.smoke else 'quick' if args.quick else 'full'}) "
            f"on {m['cores']} cores, "
            f"{m['memory_mb']} MB, Python {m['python']}, SQLite {m['sqlite']}: "
            f"{figures['elapsed_seconds']:.0f} s\n"
        )
        print(table(rows))
    return 1 if args.strict and not all(ok for *_, ok in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
