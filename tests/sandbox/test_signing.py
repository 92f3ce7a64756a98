"""Request signing: the sandbox's signatures are the ones slack_sdk's verifier accepts."""

from __future__ import annotations

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import signature, signed_headers

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_800_000_000


def _verifier(secret: str = SECRET) -> SignatureVerifier:
    return SignatureVerifier(secret, clock=_Frozen(NOW))


def test_signed_headers_pass_slack_sdks_verifier():
    """The headers the driver sends are accepted by slack_sdk's SignatureVerifier."""
    body = b"command=%2Fonramp&text=help"
    assert _verifier().is_valid_request(body, signed_headers(SECRET, NOW, body))


def test_signature_matches_slacks_documented_example():
    """The signature of Slack's documented example request is the documented value."""
    # From Slack's "Verifying requests from Slack" guide.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
        b"&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
        b"%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert signature(SECRET, 1531420618, body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


@pytest.mark.parametrize(
    ("secret", "timestamp", "tamper"),
    [
        ("another-secret", NOW, False),  # forged: signed with the wrong secret
        (SECRET, NOW - 600, False),  # stale: ten minutes old
        (SECRET, NOW, True),  # body changed after signing
    ],
)
def test_forged_stale_or_tampered_requests_are_rejected(secret: str, timestamp: int, tamper: bool):
    """slack_sdk's verifier rejects a wrong secret, a 10-minute-old timestamp or a changed body."""
    body = b"text=help"
    headers = signed_headers(secret, timestamp, body)
    sent = body + b"&text=enroll" if tamper else body
    assert not _verifier().is_valid_request(sent, headers)


class _Frozen:
    """A fixed clock for SignatureVerifier (it checks the 5-minute window against it)."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now
