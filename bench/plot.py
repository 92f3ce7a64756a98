"""PNG plots for docs/benchmarks.md: the tick's scaling curve and the ack latency distribution.

Only ``bench/run.py --plot DIR`` calls this (matplotlib is a dev dependency, imported here only).
"""

from __future__ import annotations

from pathlib import Path

from bench.ack import AckResult
from bench.tick import TickResult


def tick_curve(result: TickResult, path: Path) -> None:
    """Seconds per tick against active enrollments (log–log), with the linear reference."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(result.steady)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    ax.plot(sizes, [result.steady[n] for n in sizes], "o-", label="steady tick (headline)")
    if result.quiet:
        ax.plot(sizes, [result.quiet[n] for n in sizes], "d-", label="a quiet minute (nothing due)")
    ax.plot(sizes, [result.restart[n] for n in sizes], "s--", label="first tick after a restart")
    ax.plot(sizes, [result.cold[n] for n in sizes], "^:", label="first tick ever (empty outbox)")
    base = sizes[0]
    ax.plot(
        sizes,
        [result.steady[base] * n / base for n in sizes],
        color="grey",
        linewidth=0.8,
        label="linear growth from the smallest steady tick",
    )
    ax.axhline(1.0, color="red", linewidth=0.8, linestyle="-.", label="target at 100k: 1 s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("active enrollments")
    ax.set_ylabel("seconds to derive and enqueue")
    ax.set_title("Check-in tick cost (SQLite)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def ack_distribution(result: AckResult, path: Path) -> None:
    """Cumulative distribution of ack latency, Onramp against the bare Bolt app."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for name, series in (("onramp serve --http", result.onramp), ("bare Bolt app", result.bare)):
        values = sorted(series.latencies_ms)
        share = [(i + 1) / len(values) for i in range(len(values))]
        ax.plot(values, share, label=f"{name} (p99 {series.p99_ms:.1f} ms)")
    ax.set_xscale("log")
    ax.set_xlabel("ms from scheduled send to HTTP response")
    ax.set_ylabel("share of requests")
    ax.set_title(f"Slash command ack latency at {result.rate:.0f} requests/s (open loop)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
