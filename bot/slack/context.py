"""What listeners need, in one object built by the composition root (``bot.app.build_slack``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.services.answers import Answers
from bot.services.catalog import PlanCatalog
from bot.services.checkins import Checkins
from bot.services.clock import Clock
from bot.services.events import EventLedger
from bot.services.growth import GrowthService
from bot.services.onboarding import Onboarding

if TYPE_CHECKING:
    from bot.slack.directory import Directory
    from bot.slack.home import HomePublisher
    from bot.slack.identity import BotIdentity


@dataclass(frozen=True)
class SubcommandCall:
    """A registered subcommand's invocation: what its handler gets from the dispatcher.

    The handler must call ``ack`` itself (within 3 s): with the reply for fast work, or with a
    short "working on it" and then ``respond`` for slow work.
    """

    user_id: str
    text: str
    channel_id: str | None
    ack: Callable[..., Any]
    respond: Callable[..., Any]
    request_id: str
    trigger_id: str | None = None  # the slash command's, for a subcommand that opens a modal


@dataclass(frozen=True)
class Subcommand:
    """A ``/onramp`` subcommand contributed by another module (e.g. ``ask`` from the Q&A work)."""

    name: str
    usage: str  # "{cmd} ask <question>"
    summary: str  # shown in help
    handler: Callable[[SubcommandCall], None]


@dataclass
class SubcommandRegistry:
    """Extra subcommands; the dispatcher looks them up at call time, help lists them."""

    entries: dict[str, Subcommand] = field(default_factory=dict)

    def register(self, subcommand: Subcommand) -> None:
        """Add (or replace) a subcommand."""
        self.entries[subcommand.name] = subcommand

    def get(self, name: str) -> Subcommand | None:
        """The subcommand called ``name``, if registered."""
        return self.entries.get(name)

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self.entries)


@dataclass
class SlackContext:
    """Services, clients and settings the listeners use. Other modules add their own fields."""

    onboarding: Onboarding
    catalog: PlanCatalog
    clock: Clock
    client: WebClient  # the Web API client (retries on 429 and connection errors)
    directory: Directory  # users.info with a cache: people's names and time zones
    identity: BotIdentity  # the bot's own user id (auth.test), and Bolt's authorize
    home: HomePublisher  # builds and publishes App Home views
    signing_secret: str = field(repr=False)
    command: str = "/onramp"
    app_name: str = "Onramp"
    admins: frozenset[str] = frozenset()
    subcommands: SubcommandRegistry = field(default_factory=SubcommandRegistry)
    checkins: Checkins | None = None  # check-in answers (bot.slack.listeners.checkins)
    answers: Answers | None = None  # Q&A (bot.slack.listeners.qa)
    events: EventLedger | None = None  # event ids handled by any process (de-duplication)
    growth: GrowthService | None = None  # evidence and readiness (bot.slack.listeners.growth)
