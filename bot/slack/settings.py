"""Slack credentials checked once at start-up: every problem names the variable and where to
get it. Nothing here is ever logged or shown with its value."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from bot.config import Settings
from bot.domain.errors import ConfigError

DEFAULT_API_URL = "https://slack.com/api/"

#: What to tell the operator, by problem; each names the variable and where to get it.
FIXES: dict[str, str] = {
    "bot_token_missing": (
        "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from your app's "
        "OAuth & Permissions page (install the app to your workspace first) and export it."
    ),
    "bot_token_malformed": (
        "SLACK_BOT_TOKEN is not a bot token (it should start with xoxb-): copy the Bot User OAuth "
        "Token from your app's OAuth & Permissions page, not a user (xoxp-) or app-level token."
    ),
    "app_token_missing": (
        "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) with the "
        "connections:write scope; create one on your app's Basic Information page under "
        "App-Level Tokens. (Or run `onramp serve --http` to receive requests over HTTP instead.)"
    ),
    "app_token_malformed": (
        "SLACK_APP_TOKEN is not an app-level token (it should start with xapp-): create one on "
        "your app's Basic Information page under App-Level Tokens, scope connections:write."
    ),
    "signing_secret_missing": (
        "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it; copy the "
        "Signing Secret from your app's Basic Information page (App Credentials) and export it."
    ),
    "signing_secret_malformed": (
        "SLACK_SIGNING_SECRET contains spaces or is too short: copy the Signing Secret again from "
        "your app's Basic Information page (App Credentials)."
    ),
    "api_url_malformed": (
        "SLACK_API_URL (or slack.api_url in app.yaml) is not an http(s) URL: use the Web API base, "
        "e.g. https://slack.com/api/, or unset it to use Slack's."
    ),
}


@dataclass(frozen=True)
class SlackCredentials:
    """Validated tokens and endpoints; values never appear in ``repr``."""

    bot_token: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL

    @property
    def secrets(self) -> list[str]:
        """Every secret value, for the log masker."""
        return [s for s in (self.bot_token, self.app_token, self.signing_secret) if s]

    @classmethod
    def offline(cls, api_url: str | None = None) -> SlackCredentials:
        """Placeholders for building the app without talking to Slack (``onramp manifest``)."""
        return cls(
            bot_token="xoxb-offline",  # noqa: S106 - a placeholder, never sent anywhere
            signing_secret="offline",  # noqa: S106
            api_url=normalize_api_url(api_url) if api_url else DEFAULT_API_URL,
        )


def normalize_api_url(url: str) -> str:
    """The Web API base with one trailing slash (WebClient joins method names onto it)."""
    return url.rstrip("/") + "/"


def slack_credentials(settings: Settings, *, socket_mode: bool) -> SlackCredentials:
    """Read and check the Slack settings for a transport; raise one :class:`ConfigError` that
    lists every problem."""
    problems: list[str] = []
    bot = settings.slack_bot_token.get_secret_value().strip() if settings.slack_bot_token else ""
    app = settings.slack_app_token.get_secret_value().strip() if settings.slack_app_token else ""
    secret = (
        settings.slack_signing_secret.get_secret_value().strip()
        if settings.slack_signing_secret
        else ""
    )
    if not bot:
        problems.append(FIXES["bot_token_missing"])
    elif not bot.startswith("xoxb-"):
        problems.append(FIXES["bot_token_malformed"])
    if socket_mode:
        if not app:
            problems.append(FIXES["app_token_missing"])
        elif not app.startswith("xapp-"):
            problems.append(FIXES["app_token_malformed"])
    elif not secret:
        problems.append(FIXES["signing_secret_missing"])
    elif len(secret) < 8 or any(c.isspace() for c in secret):
        problems.append(FIXES["signing_secret_malformed"])
    api_url = settings.web_api_url or DEFAULT_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append(FIXES["api_url_malformed"])
    if problems:
        raise ConfigError("\n".join(problems))
    return SlackCredentials(
        bot_token=bot,
        app_token=app or None,
        signing_secret=secret,
        api_url=normalize_api_url(api_url),
    )
