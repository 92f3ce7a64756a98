"""`onramp serve` (Socket Mode or HTTP) and `onramp manifest`."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlparse

import typer

from bot.cli.core import ConfigOption, app, errors, fail
from bot.config import DEFAULT_CONFIG, Settings, load_settings

if TYPE_CHECKING:
    from bot.app import Container

log = logging.getLogger("onramp.serve")

REFUSED_TOKEN_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}


class LogFormatChoice(StrEnum):
    """``--log-format``: one line of text, or one JSON object, per record."""

    TEXT = "text"
    JSON = "json"


def _configure_logging(settings: Settings, secrets: list[str], log_format: str) -> None:
    from bot import logging_setup

    if settings.anthropic_api_key is not None:
        secrets = [*secrets, settings.anthropic_api_key.get_secret_value()]
    logging_setup.configure(
        level=settings.log_level, fmt="json" if log_format == "json" else "text", secrets=secrets
    )


def _check_claude(container: Container, settings: Settings) -> None:
    """Ask the Messages API whether the model id and the key work: a configuration problem
    (404, 401, 403) stops ``serve`` naming the setting to fix (exit 2); a passing one (Claude
    busy or unreachable) only warns — the offline answers cover it."""
    from bot.app import check_claude

    failure = check_claude(container.answers)
    if failure is None:
        if container.answers is not None and container.answers.model is not None:
            log.info("Claude answers with %s", settings.anthropic.model)
        return
    if failure.kind == "configuration":
        container.close()
        fix = failure.setting or "the anthropic settings in app.yaml"
        where = " in app.yaml" if failure.setting == "anthropic.model" else ""
        raise fail(
            f"Claude refused the configuration at start-up: {failure.detail} "
            f"({failure.error}, HTTP {failure.status}, request id {failure.request_id}); "
            f"fix `{fix}`{where}, or unset ANTHROPIC_API_KEY to answer offline",
            2,
        )
    log.warning(
        "Claude could not be checked at start-up (%s, %s, request id %s); answering offline "
        "until it comes back",
        failure.detail,
        failure.error,
        failure.request_id,
    )


def claude_health(container: Container) -> Callable[[], dict[str, Any]] | None:
    """``/healthz``'s ``claude`` field: the last Claude error kind (``None`` without Claude)."""
    from bot.app import claude_model

    model = claude_model(container.answers)
    health = getattr(model, "health", None)
    return None if health is None else health.report


@app.command()
def serve(
    http: Annotated[
        bool, typer.Option("--http", help="Receive requests over HTTP instead of Socket Mode.")
    ] = False,
    port: Annotated[
        int, typer.Option("--port", envvar="PORT", min=1, max=65535, help="HTTP port.")
    ] = 3000,
    host: Annotated[
        str, typer.Option("--host", help="HTTP interface to bind (all by default).")
    ] = "0.0.0.0",  # noqa: S104 - Slack (or its TLS proxy) must reach it  # nosec B104
    config: ConfigOption = DEFAULT_CONFIG,
    log_format: Annotated[
        LogFormatChoice,
        typer.Option(
            "--log-format",
            envvar="ONRAMP_LOG_FORMAT",
            help="Log lines as text or JSON objects (secrets and personal data are redacted).",
        ),
    ] = LogFormatChoice.TEXT,
) -> None:
    """Run the bot: Socket Mode (SLACK_APP_TOKEN) or, with --http, /slack/events and /healthz."""
    from bot.app import build, build_slack, health_report
    from bot.slack import server
    from bot.slack.settings import slack_credentials

    with errors():
        settings = load_settings(config)
        credentials = slack_credentials(settings, socket_mode=not http)
    _configure_logging(settings, credentials.secrets, log_format)
    with errors():
        container = build(settings)  # migrates the database first (idempotent)
    _check_claude(container, settings)
    runtime = build_slack(container, credentials)
    from bot.cli.checkins import start_checkins

    listening = None
    if http:  # bind first: a port in use stops here, before the scheduler sends anything
        with errors():
            try:
                listening = server.listen_http(
                    runtime.app,
                    host=host,
                    port=port,
                    health=lambda: health_report(
                        container.db, checkin_jobs, claude=claude_health(container)
                    ),
                )
            except Exception:
                runtime.close()
                container.close()
                raise

    # Everything built so far lives as long as the process: keep it out of the collector's full
    # passes, which otherwise stall every request for ~90 ms (docs/benchmarks.md, ack latency).
    gc.freeze()
    checkin_jobs = start_checkins(container, settings)
    try:
        me = runtime.context.identity.resolve()
        error = runtime.context.identity.last_error
        if me is None and error in REFUSED_TOKEN_ERRORS:
            raise fail(
                f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again "
                "from your app's OAuth & Permissions page (reinstall the app if it was revoked)",
                2,
            )
        if me is not None:
            log.info("signed in to Slack as @%s (%s)", me.user, me.bot_user_id)
        if listening is not None:
            server.run_http(listening)
        else:
            assert credentials.app_token is not None  # noqa: S101 - checked for Socket Mode
            server.serve_socket_mode(
                runtime.app, app_token=credentials.app_token, web_client=runtime.context.client
            )
    finally:
        checkin_jobs.stop()
        runtime.close()
        container.close()


@app.command()
def manifest(
    http_url: Annotated[
        str | None,
        typer.Option(
            "--http-url",
            metavar="URL",
            help="Public URL of /slack/events for HTTP mode; without it, Socket Mode.",
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Print the Slack app manifest (YAML) for what this build of Onramp registers."""
    from bot.app import build, build_slack
    from bot.slack.manifest import build_manifest, manifest_yaml
    from bot.slack.server import EVENTS_PATH
    from bot.slack.settings import SlackCredentials

    url = None
    if http_url is not None:
        parsed = urlparse(http_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise fail(
                f"--http-url {http_url!r} is not a URL; give the public https:// address Slack "
                f"will post to, e.g. https://onramp.example.com{EVENTS_PATH}",
                2,
            )
        url = http_url if parsed.path not in ("", "/") else http_url.rstrip("/") + EVENTS_PATH
    with errors():
        settings = load_settings(config)
        container = build(settings, migrate=False)  # builds the app offline: no database use
    runtime = build_slack(container, SlackCredentials.offline())
    try:
        document = build_manifest(
            runtime.app.surface, app_name=settings.slack.app_name, http_url=url
        )
        typer.echo(manifest_yaml(document), nl=False)
    finally:
        runtime.close()
        container.close()
