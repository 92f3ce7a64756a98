"""What every benchmark shares: a temp workspace, child processes that always die, percentiles.

Nothing here writes into the checkout: databases, configs and logs go to a temp directory that
is removed at the end. Child processes run in their own process group and are killed (SIGTERM,
then SIGKILL) when the run ends, fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = ROOT / "plans"
PROMPTS_DIR = ROOT / "prompts"
#: Environment variables a child must not inherit (they would point it elsewhere).
SCRUBBED = (
    "DATABASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0–100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Latencies:
    """Wall times of calls, in milliseconds, and their nearest-rank percentiles."""

    latencies_ms: list[float]

    @property
    def p50_ms(self) -> float:
        """Median latency."""
        return percentile(self.latencies_ms, 50)

    @property
    def p95_ms(self) -> float:
        """95th percentile latency."""
        return percentile(self.latencies_ms, 95)

    @property
    def p99_ms(self) -> float:
        """99th percentile latency."""
        return percentile(self.latencies_ms, 99)

    def summary(self) -> str:
        """``p50 … ms, p95 … ms``, for the run's log."""
        return f"p50 {self.p50_ms:.2f} ms, p95 {self.p95_ms:.2f} ms"

    def figures(self, prefix: str) -> dict[str, float]:
        """``{prefix}_p50_ms`` and ``{prefix}_p95_ms``, rounded to microseconds."""
        return {
            f"{prefix}_p50_ms": round(self.p50_ms, 3),
            f"{prefix}_p95_ms": round(self.p95_ms, 3),
        }


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def machine() -> dict[str, Any]:
    """Cores, memory, Python and SQLite versions, OS: where the figures came from."""
    memory_mb = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = round(int(line.split()[1]) / 1024)
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": memory_mb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
        # Other work on the machine skews timings: say how busy it was when the run started.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def rss_mb(pid: int) -> float:
    """Resident memory of a process (``VmRSS`` in /proc/PID/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def wait_http(url: str, *, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers 200; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Child:
    """A child process in its own process group, with its output in a log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    _handle: IO[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def output(self) -> str:
        """What the child wrote to stdout and stderr so far."""
        self._handle.flush()
        return self.log.read_text(errors="replace")

    def kill9(self) -> None:
        """``kill -9`` the whole process group: no clean-up, no finally blocks."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited after ``timeout`` seconds."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._handle.close()


class Workspace:
    """A temp directory holding configs, databases and logs, and every child process started.

    Use as a context manager: on exit (normal, exception or Ctrl-C) every child is stopped and
    the directory removed.
    """

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="onramp-bench-")
        self.path = Path(self._tmp.name)
        self.children: list[Child] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every child still running, then remove the directory."""
        with self._lock:
            children, self.children = self.children, []
        for child in reversed(children):
            child.stop(timeout=5)
        self._tmp.cleanup()

    def database_url(self, name: str) -> str:
        """A SQLite URL for a new file in the workspace."""
        return f"sqlite:///{self.path / name}.db"

    def config(self, name: str, *, database_url: str, **extra: Any) -> Path:
        """Write an ``app.yaml`` (plans and prompts from the checkout, everything else here)."""
        data: dict[str, Any] = {
            "database_url": database_url,
            "plans_dir": str(PLANS_DIR),
            "prompts_dir": str(PROMPTS_DIR),
            "log_level": "WARNING",
            **extra,
        }
        path = self.path / f"{name}.yaml"
        # JSON is YAML: no dependency on how a YAML library quotes things.
        path.write_text(json.dumps(data, indent=2))
        return path

    def env(self, database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for a child: ours minus anything pointing elsewhere, plus ``extra``."""
        env = {k: v for k, v in os.environ.items() if k.upper() not in SCRUBBED}
        env = {k: v for k, v in env.items() if not k.upper().startswith("ONRAMP_")}
        env["DATABASE_URL"] = database_url
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing written into the checkout
        env.update(extra or {})
        return env

    def spawn(self, name: str, argv: Sequence[str], *, env: Mapping[str, str]) -> Child:
        """Start ``argv`` in its own process group (cwd: the workspace), output to a log."""
        log = self.path / f"{name}.log"
        handle = log.open("ab")
        process = subprocess.Popen(
            list(argv),
            cwd=self.path,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: killpg reaches its children too
        )
        child = Child(name=name, process=process, log=log, _handle=handle)
        with self._lock:
            self.children.append(child)
        return child

    def forget(self, child: Child) -> None:
        """Stop ``child`` now and drop it from the clean-up list."""
        child.stop()
        with self._lock:
            if child in self.children:
                self.children.remove(child)


def onramp(*args: str) -> list[str]:
    """argv for the ``onramp`` console script of this environment."""
    script = Path(sys.executable).with_name("onramp")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from bot.cli import main; main()", *args]


def onramp_http(port: int, config: Path) -> list[str]:
    """argv for ``onramp serve`` over HTTP on loopback ``port`` with the settings ``config``."""
    return onramp(
        "serve", "--http", "--host", "127.0.0.1", "--port", str(port), "--config", str(config)
    )


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """SIGTERM raises SystemExit and SIGINT KeyboardInterrupt for the duration (even when the
    shell started us with SIGINT ignored), so ``finally`` blocks stop the children."""

    def raise_exit(_signum: int, _frame: object) -> None:
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, raise_exit)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
