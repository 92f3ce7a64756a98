"""The composition root: the only place that reads settings and builds long-lived objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.config import Settings
from bot.services.answers import AnswerModel, AnswerPolicy, Answers, Prices
from bot.services.answers.guard import GuardedModel
from bot.services.catalog import PlanCatalog
from bot.services.checkins import Checkins, NudgeObserver
from bot.services.clock import Clock, SystemClock
from bot.services.events import EventLedger
from bot.services.growth import GrowthService
from bot.services.onboarding import Onboarding
from bot.services.prompts import PromptLibrary
from storage.engine import Database, open_database
from storage.migrate import current_revision, head_revision, upgrade


@dataclass
class Container:
    """Everything a process needs, wired once."""

    settings: Settings
    db: Database
    catalog: PlanCatalog
    clock: Clock
    onboarding: Onboarding
    checkins: Checkins
    answers: Answers
    growth: GrowthService
    events: EventLedger | None = None  # Slack event ids handled (shared by processes)

    def close(self) -> None:
        """Stop Claude's threads (a call in flight ends with its timeout); release connections."""
        if isinstance(self.answers.model, GuardedModel):
            self.answers.model.close()
        self.db.dispose()


def ensure_schema(db: Database) -> bool:
    """Upgrade the database to the newest migration when it is behind; True if it was."""
    if current_revision(db) == head_revision(db):
        return False
    upgrade(db)
    return True


def build(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> Container:
    """Wire the services for ``settings`` (and bring the schema up to date unless told not to)."""
    db = open_database(settings.database_url)
    if migrate:
        ensure_schema(db)
    catalog = PlanCatalog(settings.plans_dir)
    clock = clock or SystemClock()
    token = settings.slack_bot_token
    onboarding = Onboarding(
        db=db,
        catalog=catalog,
        clock=clock,
        admins=frozenset(settings.admins),
        default_tz=settings.default_timezone,
        holiday_country=settings.checkins.holiday_country,
        # The CLI greets hires it enrolls only when it can reach Slack (build_slack: always).
        greet_hires=bool(token and token.get_secret_value().strip()),
    )
    checkins = Checkins(
        db=db,
        catalog=catalog,
        clock=clock,
        onboarding=onboarding,
        defaults=settings.checkins.rules(),
        default_tz=settings.default_timezone,
    )
    onboarding.observers.append(NudgeObserver(checkins))
    answers = build_answers(settings, db=db, catalog=catalog, onboarding=onboarding, clock=clock)
    return Container(
        settings=settings,
        db=db,
        catalog=catalog,
        clock=clock,
        onboarding=onboarding,
        checkins=checkins,
        answers=answers,
        growth=GrowthService(
            db=db, catalog=catalog, clock=clock, admins=frozenset(settings.admins)
        ),
        events=EventLedger(db=db, clock=clock),
    )


def build_answers(
    settings: Settings, *, db: Database, catalog: PlanCatalog, onboarding: Onboarding, clock: Clock
) -> Answers:
    """The answer service; with a Claude backend when ANTHROPIC_API_KEY is set."""
    model: AnswerModel | None = None
    if settings.anthropic_api_key is not None:
        # Imported here: the SDK is only loaded by processes that will call it.
        from bot.llm.anthropic_backend import AnthropicModel, build_client
        from bot.llm.errors import ClaudeFailure

        claude = settings.anthropic
        client = build_client(
            api_key=settings.anthropic_api_key.get_secret_value(),
            base_url=settings.model_base_url,
            timeout=min(claude.timeout_seconds, claude.deadline_seconds),
            connect_timeout=claude.connect_timeout_seconds,
            max_retries=0,  # AnthropicModel retries, capping retry-after (bot.llm.errors)
        )
        inner = AnthropicModel(
            client=client,
            model=claude.model,
            max_tokens=claude.max_tokens,
            retries=claude.max_retries,
            retry_after_cap=claude.retry_after_cap_seconds,
        )
        health = inner.health
        model = GuardedModel(
            inner,
            workers=claude.workers,
            queue=claude.queue,
            deadline=claude.deadline_seconds,
            on_failure=lambda kind, detail: health.failed(
                ClaudeFailure("transient", kind, None, None, detail)
            ),
        )
    # numpy, the tokenizer and the weights load only in processes that answer questions.
    from bot.llm.encoder import load_encoder

    policy = AnswerPolicy(
        backend=settings.answers.backend,
        prompt=settings.answers.prompt,
        app_name=settings.slack.app_name,
        cache_size=settings.answers.cache_size,
        retention_days=settings.answers.qa_retention_days,
        # The settings section has exactly the rates of Prices (validated, extra keys refused).
        prices=Prices(**settings.anthropic.prices.model_dump()),
    )
    return Answers(
        db=db,
        catalog=catalog,
        onboarding=onboarding,
        prompts=PromptLibrary(settings.prompts_dir),
        clock=clock,
        model=model,
        policy=policy,
        encoder=load_encoder(),
    )


def database_ok(db: Database) -> bool:
    """Whether the database answers a trivial query (for ``/healthz``)."""
    from sqlalchemy import text

    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def claude_model(answers: Answers | None) -> Any | None:
    """The Anthropic backend behind the answer service's guard (``None`` without a key)."""
    model = None if answers is None else answers.model
    return getattr(model, "inner", model)


def check_claude(answers: Answers | None) -> Any | None:
    """At start-up: whether the model id and the key work (``client.models.retrieve``); the
    :class:`~bot.llm.errors.ClaudeFailure` when not, ``None`` when fine or Claude is off."""
    model = claude_model(answers)
    if answers is None or model is None or not hasattr(model, "client"):
        return None
    if answers.backend_for() != "anthropic":
        return None  # a key is set but answers.backend is extractive: Claude is never asked
    from bot.llm.errors import check_model

    return check_model(model.client, model.model)


def health_report(
    db: Database,
    scheduler: SchedulerHealth | None = None,
    claude: Callable[[], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``/healthz``: the database answers and (in ``onramp serve``) the scheduler is running.

    ``ok`` is false (HTTP 503) when either is down; a failed last tick is reported but is not
    fatal on its own (the next tick retries), so a Slack outage doesn't restart the process.
    """
    database = database_ok(db)
    report: dict[str, Any] = {"ok": database, "database": database}
    if scheduler is not None:
        state = scheduler.health()
        report["scheduler"] = state
        report["ok"] = database and bool(state.get("running"))
    if claude is not None:
        # Reported, never fatal: the offline answers go on, and a restart would not fix a key.
        report["claude"] = claude()
    return report


class SchedulerHealth(Protocol):
    """Anything that reports a scheduler's state (``bot.jobs.scheduler.CheckinScheduler``)."""

    def health(self) -> dict[str, Any]:
        """JSON-ready state with at least ``running``."""
        ...


if TYPE_CHECKING:
    from bot.slack.app import OnrampApp
    from bot.slack.context import SlackContext
    from bot.slack.home import HomeRefresher
    from bot.slack.settings import SlackCredentials


@dataclass
class SlackRuntime:
    """The Bolt app and what it was built from; ``close`` stops its background work."""

    app: OnrampApp
    context: SlackContext
    credentials: SlackCredentials
    refresher: HomeRefresher

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait for listeners still running after their ack, then for Home refreshes."""
        answers = self.context.answers
        model = None if answers is None else answers.model
        return (
            self.app.pool.drain(timeout)
            and (not isinstance(model, GuardedModel) or model.drain(timeout))
            and self.app.pool.drain(timeout)
            and self.refresher.drain(timeout)
        )

    def close(self) -> None:
        """Finish work in flight (listeners, Home refreshes) and stop their threads."""
        self.settle()
        self.app.pool.shutdown(wait=True)
        self.refresher.close()


def build_slack(container: Container, credentials: SlackCredentials) -> SlackRuntime:
    """Wire the Slack adapter onto a container: Web API clients, context, Bolt app, observers."""
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
    )

    from bot.slack.app import build_app
    from bot.slack.context import SlackContext
    from bot.slack.directory import Directory
    from bot.slack.home import HomePublisher, HomeRefresher
    from bot.slack.identity import BotIdentity

    client = WebClient(
        token=credentials.bot_token,
        base_url=credentials.api_url,
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )
    # users.info runs before a slash command's ack: fail fast, fall back to what we know.
    lookups = WebClient(
        token=credentials.bot_token, base_url=credentials.api_url, timeout=2, retry_handlers=[]
    )
    slack = container.settings.slack
    publisher = HomePublisher(
        onboarding=container.onboarding,
        client=client,
        clock=container.clock,
        command=slack.command,
        growth=container.growth,
    )
    refresher = HomeRefresher(publisher=publisher, onboarding=container.onboarding)
    container.onboarding.observers.append(refresher)
    container.onboarding.greet_hires = True  # hires enrolled from Slack hear about it there
    context = SlackContext(
        onboarding=container.onboarding,
        catalog=container.catalog,
        clock=container.clock,
        client=client,
        directory=Directory(client=lookups),
        identity=BotIdentity(client=client, token=credentials.bot_token),
        home=publisher,
        signing_secret=credentials.signing_secret,
        command=slack.command,
        app_name=slack.app_name,
        admins=frozenset(container.settings.admins),
        checkins=container.checkins,
        answers=container.answers,
        events=container.events,
        growth=container.growth,
    )
    return SlackRuntime(
        app=build_app(context), context=context, credentials=credentials, refresher=refresher
    )
