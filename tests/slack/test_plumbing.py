"""Credentials checks, secret masking, event de-duplication and the people directory."""

from __future__ import annotations

import io
import logging

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient

from bot.config import Settings
from bot.domain.errors import ConfigError
from bot.sandbox import SlackSandbox
from bot.slack.directory import Directory
from bot.slack.logsafety import SecretMasker, install
from bot.slack.middleware import DeduplicateEvents
from bot.slack.settings import slack_credentials


def _settings(**secrets: str) -> Settings:
    values = {k: SecretStr(v) for k, v in secrets.items()}
    return Settings(**values)


def test_credentials_for_http() -> None:
    """HTTP needs the bot token and signing secret; the API URL gets one trailing slash."""
    settings = _settings(slack_bot_token="xoxb-1-abc", slack_signing_secret="s3cr3t-value")
    settings.slack_api_url = "http://127.0.0.1:9/api"
    creds = slack_credentials(settings, socket_mode=False)
    assert creds.api_url == "http://127.0.0.1:9/api/"
    assert "xoxb" not in repr(creds)
    assert "s3cr3t" not in repr(creds)


def test_every_problem_is_reported_at_once() -> None:
    """A missing app token and a malformed API URL are both named."""
    settings = _settings(slack_bot_token="xoxb-1")
    settings.slack_api_url = "slack.com/api"
    with pytest.raises(ConfigError) as caught:
        slack_credentials(settings, socket_mode=True)
    assert "SLACK_APP_TOKEN is not set" in str(caught.value)
    assert "SLACK_API_URL" in str(caught.value)
    assert caught.value.exit_code == 2


def test_masker_hides_tokens_and_secrets() -> None:
    """Slack tokens by pattern and configured secrets by value become [redacted]."""
    masker = SecretMasker(["0123456789abcdef"])
    text = masker.mask("bot xoxb-1-2-abc app xapp-1-A1-x user xoxp-9 secret 0123456789abcdef")
    assert "abc" not in text
    assert "0123456789abcdef" not in text
    assert text.count("[redacted]") == 4


def test_installed_filter_masks_messages_and_tracebacks() -> None:
    """After install, neither log arguments nor exception text leak a token."""
    logger = logging.getLogger("tests.slack.mask")
    logger.propagate = False
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    install(["signing-secret-value"], logger=logger)
    logger.warning("token %s", "xoxb-123-secret")

    def fail() -> None:
        raise RuntimeError("failed with signing-secret-value")

    try:
        fail()
    except RuntimeError:
        logger.exception("boom")
    output = stream.getvalue()
    assert "xoxb-123-secret" not in output
    assert "signing-secret-value" not in output
    assert "[redacted]" in output


class _Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_dedupe_remembers_event_ids_until_they_expire() -> None:
    """An event id is new once; after the TTL it is new again; the memory stays bounded."""
    ticks = _Ticks()
    dedupe = DeduplicateEvents(ttl=60, max_entries=2, monotonic=ticks)
    assert dedupe.first_sight("Ev1")
    assert not dedupe.first_sight("Ev1")
    ticks.now = 61
    assert dedupe.first_sight("Ev1")
    assert dedupe.first_sight("Ev2")
    assert dedupe.first_sight("Ev3")  # evicts the oldest
    assert dedupe.first_sight("Ev1")


def test_directory_caches_and_falls_back(sandbox: SlackSandbox) -> None:
    """users.info is asked once per person; an unknown person falls back to the mention name."""
    sandbox.add_user("U0ANA", "ana", tz="Europe/Madrid")
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url, retry_handlers=[])
    ticks = _Ticks()
    directory = Directory(client=client, monotonic=ticks)
    first = directory.lookup("U0ANA")
    again = directory.lookup("U0ANA")
    assert (first.profile.display_name, first.profile.tz) == ("ana", "Europe/Madrid")
    assert (first.fetched, again.fetched) == (True, False)
    assert len(sandbox.calls("users.info")) == 1
    missing = directory.lookup("U0GHOST", name_hint="ghost")
    assert (missing.found, missing.profile.display_name, missing.profile.tz) == (
        False,
        "ghost",
        None,
    )
