"""Slack's request signing (v0): what Slack sends and what the app verifies.

``X-Slack-Signature: v0=HMAC-SHA256(signing_secret, "v0:{timestamp}:{body}")`` and
``X-Slack-Request-Timestamp: {timestamp}``. Written from Slack's documentation rather than taken
from ``slack_sdk`` so the tests cross-check the two.
"""

from __future__ import annotations

import hashlib
import hmac

VERSION = "v0"


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Slack-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The two headers Slack adds to every request it sends to an app."""
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(secret, timestamp, body),
    }
