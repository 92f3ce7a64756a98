"""The manifest is generated from what the app registers, and says what Slack needs."""

from __future__ import annotations

import pytest
import yaml

from bot.app import SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack.manifest import EVENT_SUBSCRIPTIONS, WEB_API_SCOPES, build_manifest, manifest_yaml
from tests.slack.conftest import HIRE, MANAGER
from tests.support.processes import ROOT, run_onramp


def _manifest(runtime: SlackRuntime, http_url: str | None = None) -> dict[str, object]:
    document = build_manifest(runtime.app.surface, app_name="Onramp", http_url=http_url)
    parsed = yaml.safe_load(manifest_yaml(document))
    assert parsed == document  # round-trips through YAML
    return parsed  # type: ignore[no-any-return]


def test_socket_mode_manifest(runtime: SlackRuntime) -> None:
    """Without a URL: Socket Mode on, the escaped command, Home and Messages tabs, no URLs."""
    manifest = _manifest(runtime)
    command = manifest["features"]["slash_commands"][0]  # type: ignore[index]
    assert command["command"] == "/onramp"
    assert command["should_escape"] is True
    assert "url" not in command
    assert manifest["features"]["app_home"] == {  # type: ignore[index]
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True  # type: ignore[index]
    assert settings["interactivity"] == {"is_enabled": True}  # type: ignore[index]
    scopes = manifest["oauth_config"]["scopes"]["bot"]  # type: ignore[index]
    assert {"commands", "users:read", "chat:write", "im:write"} <= set(scopes)


def test_http_manifest_sets_request_urls(runtime: SlackRuntime) -> None:
    """With a URL: Socket Mode off and the same URL for the command, events and interactivity."""
    url = "https://onramp.example.com/slack/events"
    manifest = _manifest(runtime, url)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False  # type: ignore[index]
    assert settings["event_subscriptions"]["request_url"] == url  # type: ignore[index]
    assert settings["interactivity"]["request_url"] == url  # type: ignore[index]
    assert manifest["features"]["slash_commands"][0]["url"] == url  # type: ignore[index]


CANDIDATES = [
    {"type": "app_home_opened", "user": HIRE, "tab": "home"},
    {"type": "message", "channel_type": "im", "user": HIRE, "text": "hi", "ts": "1.0"},
    {"type": "app_mention", "user": HIRE, "text": "<@U0ONRAMPBOT> hi", "ts": "1.0"},
    {"type": "assistant_thread_started", "assistant_thread": {"user_id": HIRE}},
    {"type": "reaction_added", "user": HIRE, "reaction": "tada"},
    {"type": "member_joined_channel", "user": HIRE, "channel": "C0X"},
]


@pytest.mark.parametrize("event", CANDIDATES, ids=lambda e: e["type"])
def test_subscribed_events_are_exactly_the_handled_ones(
    slack: SlackDriver, runtime: SlackRuntime, event: dict[str, object]
) -> None:
    """An event type is in the manifest if and only if the Bolt app handles it."""
    handled = slack.event(event).status == 200
    runtime.settle()
    manifest_name = EVENT_SUBSCRIPTIONS.get(str(event["type"]), (str(event["type"]), None))[0]
    subscribed = (
        manifest_name
        in _manifest(runtime)["settings"]["event_subscriptions"][  # type: ignore[index]
            "bot_events"
        ]
    )
    assert handled == subscribed


def test_every_web_api_method_called_has_a_declared_scope(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """Every Web API method the app calls is listed (so its scope is in the manifest)."""
    enrolled.app_home_opened(HIRE)
    enrolled.command("team", MANAGER)
    enrolled.command("mark d30-product-surface done", HIRE)
    runtime.settle()
    called = {c.method for c in sandbox.calls() if c.method != "response_url"}
    assert called
    assert called <= set(WEB_API_SCOPES)


def test_onramp_manifest_command_prints_it() -> None:
    """``onramp manifest`` prints YAML with /onramp and should_escape, and needs no tokens."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    result = run_onramp("manifest", "--http-url", "https://x.example", env=env)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == "/onramp"
    assert command["should_escape"] is True
    assert command["url"] == "https://x.example/slack/events"
