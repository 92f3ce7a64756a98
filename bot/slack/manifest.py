"""The Slack app manifest, generated from what the Bolt app registers (so it cannot drift).

Events and shortcuts come from the app's recorded :class:`~bot.slack.app.Surface`; bot scopes
from those events, the slash command and shortcuts, and the Web API methods Onramp calls
(:data:`WEB_API_SCOPES`).
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.slack.app import Surface

#: Every Web API method Onramp calls (its own listeners, check-ins, Q&A) → the bot scope it
#: needs (``None``: none beyond the bot token). A test checks that each method the app calls
#: against the sandbox is listed here.
WEB_API_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "apps.connections.open": None,  # app-level token (connections:write), not a bot scope
    "users.info": "users:read",  # names and time zones
    "views.publish": None,
    "views.open": None,
    "views.update": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.getPermalink": None,  # the "Log as evidence" shortcut keeps the message's link
    "conversations.open": "im:write",  # opening the DM for check-ins
    "conversations.history": "im:history",  # reconciling sent check-ins against the DM
    # /onramp packet uploads the review packet to the requester's DM (files_upload_v2).
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "assistant.threads.setStatus": "assistant:write",
    "assistant.threads.setSuggestedPrompts": "assistant:write",
    "assistant.threads.setTitle": "assistant:write",
}

#: What a listener's event type is called in the manifest, and the scope it needs.
#: The bot reads messages only in its DMs, so a ``message`` listener means ``message.im``.
EVENT_SUBSCRIPTIONS: dict[str, tuple[str, str | None]] = {
    "app_home_opened": ("app_home_opened", None),
    "message": ("message.im", "im:history"),
    "app_mention": ("app_mention", "app_mentions:read"),
    "assistant_thread_started": ("assistant_thread_started", "assistant:write"),
    "assistant_thread_context_changed": ("assistant_thread_context_changed", "assistant:write"),
}

DESCRIPTION = "Carries a new hire from day 1 to month 12: plans, check-ins, progress, answers."
LONG_DESCRIPTION = (
    "Onramp turns a role blueprint into a living onboarding plan inside Slack. New hires see "
    "their 30/60/90-day and 6/12-month milestones on the Home tab and answer short check-ins in "
    "DMs; managers enroll hires and follow progress with /onramp; mentors get nudges when a "
    "mentee is blocked or quiet; anyone can ask questions about the role and get answers "
    "grounded in the blueprint, with sources."
)
COMMAND_DESCRIPTION = "Onboarding plans and progress"


def usage_hint() -> str:
    """The slash command's usage hint (Slack shows it while typing; ≤1000 characters)."""
    return "help | me | progress @user | team | enroll @user [plan=ID] [start=YYYY-MM-DD] …"


def bot_scopes(surface: Surface, methods: dict[str, str | None] = WEB_API_SCOPES) -> list[str]:
    """Scopes for the commands, the subscribed events and the Web API methods, sorted."""
    scopes = {s for s in methods.values() if s}
    if surface.commands or surface.shortcuts:
        scopes.add("commands")  # slash commands and shortcuts alike
    for event in surface.events:
        scope = EVENT_SUBSCRIPTIONS.get(event, (event, None))[1]
        if scope:
            scopes.add(scope)
    if not surface.assistant:
        scopes.discard("assistant:write")
    return sorted(scopes)


def bot_events(surface: Surface) -> list[str]:
    """Manifest event names for the listeners the app registered, sorted."""
    return sorted({EVENT_SUBSCRIPTIONS.get(e, (e, None))[0] for e in surface.events})


def build_manifest(
    surface: Surface, *, app_name: str, http_url: str | None = None
) -> dict[str, Any]:
    """The manifest as a dict: Socket Mode unless ``http_url`` (…/slack/events) is given."""
    commands = []
    for command in surface.commands:
        entry: dict[str, Any] = {
            "command": command,
            "description": COMMAND_DESCRIPTION,
            "usage_hint": usage_hint(),
            "should_escape": True,
        }
        if http_url:
            entry["url"] = http_url
        commands.append(entry)
    features: dict[str, Any] = {
        "app_home": {
            "home_tab_enabled": True,
            "messages_tab_enabled": True,
            "messages_tab_read_only_enabled": False,
        },
        "bot_user": {"display_name": app_name, "always_online": True},
    }
    if commands:
        features["slash_commands"] = commands
    if surface.shortcuts:
        features["shortcuts"] = [dict(shortcut) for shortcut in surface.shortcuts]
    if surface.assistant:
        features["assistant_view"] = {
            "assistant_description": "Ask about your role, your plan and what's next."
        }
    events: dict[str, Any] = {"bot_events": bot_events(surface)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if http_url:
        events["request_url"] = http_url
        interactivity["request_url"] = http_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": app_name,
            "description": DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "background_color": "#1d3557",
        },
        "features": features,
        "oauth_config": {"scopes": {"bot": bot_scopes(surface)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": http_url is None,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(manifest: dict[str, Any]) -> str:
    """The manifest as YAML, keys in the order Slack's editor shows them."""
    header = f"# Slack app manifest for {manifest['display_information']['name']}, generated by "
    header += (
        "`onramp manifest`.\n# Create the app at https://api.slack.com/apps → From a manifest.\n"
    )
    return header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
