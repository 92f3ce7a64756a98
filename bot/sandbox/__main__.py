"""``python -m bot.sandbox``: run a Slack sandbox by hand and print the settings that point at it.

    python -m bot.sandbox --port 3001 --user U0HIRE:hira:Europe/Berlin --user U0BOSS:bo
    # then, in another shell, with the printed variables exported:
    onramp serve            # Socket Mode against the sandbox, or
    onramp serve --http     # and drive it with bot.sandbox.SlackDriver from a Python shell

Tokens and the signing secret are generated per run unless given (``--bot-token`` …), so a
restarted sandbox can keep the values an already-configured app uses. The values are throwaway
sandbox credentials, which is why printing them is fine here.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from bot.sandbox.server import SlackSandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox",
        description="Run a loopback stand-in for Slack and print the settings that point at it.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3001, help="Web API port (default: 3001)")
    parser.add_argument(
        "--socket-port", type=int, default=0, help="Socket Mode port (default: any free port)"
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME[:TZ]",
        help="add a person, e.g. U0HIRE:hira:Europe/Berlin (repeatable)",
    )
    parser.add_argument("--bot-token", help="use this xoxb- token instead of a generated one")
    parser.add_argument("--app-token", help="use this xapp- token instead of a generated one")
    parser.add_argument("--signing-secret", help="use this signing secret")
    return parser


def _user(spec: str) -> tuple[str, str, str]:
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError(f"--user {spec!r}: write ID:NAME or ID:NAME:TZ, e.g. U0HIRE:hira:UTC")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else "UTC"


def main(argv: Sequence[str] | None = None) -> int:
    """Run until interrupted; exit code 2 for bad arguments."""
    args = _parser().parse_args(argv)
    sandbox = SlackSandbox(
        host=args.host,
        port=args.port,
        socket_port=args.socket_port,
        bot_token=args.bot_token,
        app_token=args.app_token,
        signing_secret=args.signing_secret,
    )
    try:
        for spec in args.user:
            user_id, name, tz = _user(spec)
            sandbox.add_user(user_id, name, tz=tz)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 2
    try:
        sandbox.start()
    except OSError as exc:
        print(  # noqa: T201 - CLI output
            f"error: cannot listen on {args.host}:{args.port} ({exc.strerror}); "
            "pick another --port",
            file=sys.stderr,
        )
        return 2
    done = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    lines = [f"{key}={value}" for key, value in sandbox.env().items()]
    lines.append(f"# Socket Mode: ws://{args.host}:{sandbox.socket_port}/link/")
    lines.append(f"# team {sandbox.team_id}, bot user {sandbox.bot_user_id}; Ctrl-C stops")
    print("\n".join(lines), flush=True)  # noqa: T201 - CLI output
    done.wait()
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
