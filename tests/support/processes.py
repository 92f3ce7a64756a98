"""`onramp` as an operator runs it: real subprocesses from the repository root, their output read
line by line on a thread, environments without the developer's shell, and free loopback ports."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from bench.common import free_port
from bot.sandbox import SlackSandbox
from tests.support import travel

# free_port is the benchmarks' own, re-exported: the tests that start servers take it from here.
__all__ = [
    "ONRAMP",
    "ROOT",
    "Output",
    "base_env",
    "finish",
    "free_port",
    "run_onramp",
    "slack_env",
    "start_serve",
]

ROOT = Path(__file__).resolve().parents[2]
#: The console script installed beside the running interpreter.
ONRAMP = str(Path(sys.executable).parent / "onramp")


def base_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    """A minimal environment: system PATH, ``home`` as HOME, and a database (default: a SQLite
    file in ``home``)."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "DATABASE_URL": database_url or f"sqlite:///{home / 'serve.db'}",
    }


def slack_env(sandbox: SlackSandbox) -> dict[str, str]:
    """The variables that point `onramp` at the sandbox in HTTP mode."""
    return {
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": sandbox.signing_secret,
        "SLACK_API_URL": sandbox.api_url,
    }


def finish(
    command: list[str], *, env: dict[str, str], cwd: Path = ROOT, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` from ``cwd`` to completion (at most ``timeout`` seconds), capturing
    stdout and stderr as text; the exit code is the caller's to assert."""
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_onramp(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``onramp ARGS`` to completion (at most a minute), capturing stdout and stderr."""
    command, env = travel.child_command([ONRAMP, *args], env)
    return finish(command, env=env)


def start_serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    """Start ``onramp serve --http`` on 127.0.0.1:``port``, stderr merged into stdout."""
    command, env = travel.child_command(
        [ONRAMP, "serve", "--http", "--host", "127.0.0.1", "--port", str(port)], env
    )
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


class Output:
    """A stream read on a daemon thread: ``seen`` holds every line so far, in order, and
    :meth:`next_line` waits for the next one (so a test wakes on output instead of sleeping)."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.seen.append(line)
            self._lines.put(line)

    def next_line(self, timeout: float) -> str | None:
        """The next line, or ``None`` when none came within ``timeout`` seconds."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def text(self) -> str:
        """Everything read so far."""
        return "".join(self.seen)

    def join(self, timeout: float = 10) -> None:
        """Wait for the stream to end (the process has exited)."""
        self._thread.join(timeout=timeout)
