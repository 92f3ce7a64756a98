"""The baseline for ack latency: a Bolt app whose one listener only acks, served exactly as
``onramp serve --http`` serves Onramp (``bot.slack.server.serve_http``: waitress, same thread
count, same WSGI wrapper and ``/healthz``).

Run as ``python bench/bare_bolt.py PORT`` with ``SLACK_SIGNING_SECRET``, ``SLACK_BOT_TOKEN`` and
``SLACK_API_URL`` (the sandbox) in the environment.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """Serve the bare app on 127.0.0.1:PORT until SIGTERM."""
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from bot.slack.server import serve_http

    logging.basicConfig(level=logging.WARNING)
    port = int(sys.argv[1])
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        process_before_response=False,
    )

    @app.command("/onramp")
    def only_ack(ack: Ack) -> None:
        ack()

    serve_http(app, host="127.0.0.1", port=port, health=lambda: True)


if __name__ == "__main__":
    main()
