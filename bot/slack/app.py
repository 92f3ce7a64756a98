"""The one composition function for the Bolt app: :func:`build_app`.

Transport choice: Onramp is a long-running server (Socket Mode or a WSGI server), not a FaaS
function, so ``process_before_response`` is off: Bolt returns the ack to Slack as soon as the
listener calls ``ack()`` and the rest of the listener runs on Bolt's thread pool. (Lazy
listeners exist for FaaS, where the process may freeze once the response is sent.) Slash
commands put their reply in the ack itself, so the reply arrives with the 200.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from bot.services.pools import TrackedPool
from bot.slack import listeners, middleware
from bot.slack.context import SlackContext
from bot.slack.payloads import request_kind

log = logging.getLogger("onramp.slack")

LISTENER_THREADS = 16


@dataclass
class Surface:
    """What the app registered with Bolt: the manifest is generated from this."""

    commands: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    shortcuts: list[dict[str, str]] = field(default_factory=list)
    assistant: bool = False

    def add_event(self, name: str) -> None:
        """Record an event type once."""
        if name not in self.events:
            self.events.append(name)


class ListenerPool(TrackedPool):
    """Bolt's listener threads, tracked so shutdown (and tests) can wait for work in flight.

    With ``process_before_response`` off, a listener keeps running after its ack; draining
    this pool is how ``onramp serve`` finishes that work before it exits.
    """

    def __init__(self, max_workers: int = LISTENER_THREADS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="onramp-listener")


class OnrampApp(App):
    """A Bolt :class:`~slack_bolt.App` that records what it listens to (see :class:`Surface`)."""

    def __init__(self, *, pool: ListenerPool, **kwargs: Any) -> None:
        super().__init__(listener_executor=pool, **kwargs)
        self.surface = Surface()
        self.pool = pool

    def command(
        self,
        command: str | re.Pattern[str],
        matchers: Sequence[Callable[..., bool]] | None = None,
        middleware: Sequence[Callable[..., Any] | Middleware] | None = None,
    ) -> Callable[..., Callable[..., BoltResponse | None] | None]:
        """Register a slash command listener (and record the command)."""
        if isinstance(command, str) and command not in self.surface.commands:
            self.surface.commands.append(command)
        return super().command(command, matchers, middleware)

    def event(
        self,
        event: Any,
        matchers: Sequence[Callable[..., bool]] | None = None,
        middleware: Sequence[Callable[..., Any] | Middleware] | None = None,
    ) -> Callable[..., Callable[..., BoltResponse | None] | None]:
        """Register an Events API listener (and record the event type)."""
        name = event.get("type") if isinstance(event, dict) else event
        if isinstance(name, str):
            self.surface.add_event(name)
        return super().event(event, matchers, middleware)

    def message(
        self,
        keyword: str | re.Pattern[str] = "",
        matchers: Sequence[Callable[..., bool]] | None = None,
        middleware: Sequence[Callable[..., Any] | Middleware] | None = None,
    ) -> Callable[..., Callable[..., BoltResponse | None] | None]:
        """Register a message listener (recorded as the ``message`` event)."""
        self.surface.add_event("message")
        return super().message(keyword, matchers, middleware)

    def assistant(self, assistant: Any) -> Callable[..., Any] | None:
        """Register Slack's assistant side panel (its thread events and DMs)."""
        self.surface.assistant = True
        for name in ("assistant_thread_started", "assistant_thread_context_changed", "message"):
            self.surface.add_event(name)
        return super().assistant(assistant)


def build_app(ctx: SlackContext) -> OnrampApp:
    """The Bolt app with Onramp's middleware and listeners; no network call happens here."""
    # Bolt copies this client per request and sets the token that ``authorize`` returns; giving
    # it no token of its own avoids Bolt's "token will be ignored" warning.
    template = WebClient(
        base_url=ctx.client.base_url,
        timeout=ctx.client.timeout,
        retry_handlers=ctx.client.retry_handlers,
        logger=ctx.client.logger,
    )
    app = OnrampApp(
        name=ctx.app_name,
        client=template,
        signing_secret=ctx.signing_secret,
        authorize=ctx.identity.bolt_authorize(),
        process_before_response=False,
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
        url_verification_enabled=True,
        ssl_check_enabled=True,
        pool=ListenerPool(),
        logger=logging.getLogger("onramp.slack.bolt"),
    )
    middleware.install(app, directory=ctx.directory, onboarding=ctx.onboarding, ledger=ctx.events)
    listeners.register_all(app, ctx)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Listeners turn expected failures into replies; this is the last resort. The body is
        # not logged: it can hold message text and personal data.
        kind, detail = request_kind(body)
        log.error("unhandled error in %s %s", kind, detail, exc_info=error)

    return app
