"""Settings: ``app.yaml`` for what is not secret, the environment for secrets and overrides.

One typed class, validated once by :func:`load_settings` (never at import time), loud about what
is wrong and how to fix it. Precedence: environment variables, then ``app.yaml``, then defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.domain.errors import ConfigError
from bot.domain.offsets import Offset
from bot.domain.plan import check_rounds, format_loc
from bot.domain.schedule import Rules, cadence_problems

DEFAULT_CONFIG = Path("app.yaml")

#: Keys that must never be written in app.yaml (they come from the environment only).
SECRET_KEYS = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "anthropic_api_key": "ANTHROPIC_API_KEY",
    "api_key": "ANTHROPIC_API_KEY",
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlackSettings(_Section):
    """Non-secret Slack settings (tokens come from the environment)."""

    api_url: str | None = Field(
        default=None, description="Web API base URL, e.g. https://slack.com/api/ (SLACK_API_URL)."
    )
    command: str = Field(default="/onramp", pattern=r"^/[a-z0-9_\-]{1,31}$")
    app_name: str = Field(default="Onramp", min_length=1, max_length=35)


class CheckinSettings(_Section):
    """Workspace defaults for check-ins; a plan's ``checkins`` section overrides them."""

    send_time: time = Field(default=time(9, 30), description="Local time check-ins go out.")
    weekly_pulse_until: str = "90d"
    pulse_every_weeks_after: int = Field(default=2, ge=1, le=8)
    pulse_until: str = "12mo"
    review_heads_up_working_days: int = Field(default=3, ge=0, le=15)
    reminder_after_working_days: int = Field(default=2, ge=1, le=15)
    mentor_nudge_after_silent_working_days: int = Field(default=5, ge=1, le=30)
    escalate_after_working_days: int = Field(default=7, ge=1, le=30)
    growth_rounds: list[str] = Field(
        default_factory=lambda: ["90d", "6mo", "12mo"],
        min_length=1,
        max_length=12,
        description="Growth check-ins (blind self and manager ratings) at these offsets.",
    )
    growth_every_after: str | None = Field(
        default="3mo", description="After the last listed round, one every this long (null: none)."
    )
    growth_round_closes_after_working_days: int = Field(default=10, ge=2, le=30)
    growth_reminder_after_working_days: int = Field(default=3, ge=1, le=15)
    growth_mentor: bool = Field(default=False, description="Ask mentors to rate as well.")
    focus_stalled_after_working_days: int = Field(
        default=15,
        ge=1,
        le=60,
        description="An open growth-plan focus item with no update for this many working days "
        "(or past its due date) nudges the hire's mentors once.",
    )
    after_plan_pulse_every: str | None = Field(
        default="1mo",
        description="After pulse_until, while the enrollment is active, a pulse every this long "
        "(null: none); growth rounds go on every growth_every_after.",
    )
    holiday_country: str | None = Field(
        default=None,
        description="ISO country for public holidays (e.g. US, DE) when unset per person.",
    )

    @field_validator("growth_rounds")
    @classmethod
    def _rounds(cls, value: list[str]) -> list[str]:
        check_rounds([Offset.parse(v) for v in value])
        return value

    @field_validator("growth_every_after", "after_plan_pulse_every")
    @classmethod
    def _every(cls, value: str | None) -> str | None:
        if value is not None:
            Offset.parse(value)
        return value

    @model_validator(mode="after")
    def _repeatable(self) -> CheckinSettings:
        problems = cadence_problems(self.rules())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def rules(self) -> Rules:
        """These defaults as the check-in engine's rules (a plan's ``checkins:`` overrides them)."""
        return Rules.of(**self.model_dump(exclude={"holiday_country"}))


class PriceSettings(_Section):
    """USD per million tokens, for the cost estimate recorded with every answer."""

    input: float = Field(default=3.0, ge=0)
    output: float = Field(default=15.0, ge=0)
    cache_read: float = Field(default=0.3, ge=0)
    cache_write: float = Field(default=3.75, ge=0)


class AnthropicSettings(_Section):
    """Claude settings (the key is ANTHROPIC_API_KEY)."""

    model: str = "claude-sonnet-4-6"
    max_tokens: int = Field(default=800, ge=64, le=8192)
    timeout_seconds: float = Field(default=8.0, gt=0, le=600)
    max_retries: int = Field(default=1, ge=0, le=10)
    connect_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    deadline_seconds: float = Field(
        default=10.0, gt=0, le=600, description="Longest a question waits for Claude in all."
    )
    retry_after_cap_seconds: float = Field(
        default=2.0, ge=0, le=60, description="Longest retry-after honoured before falling back."
    )
    workers: int = Field(default=4, ge=1, le=64, description="Claude calls at once.")
    queue: int = Field(default=16, ge=0, le=1000, description="Questions waiting for a worker.")
    base_url: str | None = None
    prices: PriceSettings = Field(default_factory=PriceSettings)


class AnswerSettings(_Section):
    """How role questions are answered."""

    backend: Literal["auto", "extractive", "anthropic"] = "auto"
    prompt: str = Field(default="answer@v1", pattern=r"^[a-z0-9_\-]+@v\d+$")
    qa_retention_days: int = Field(default=180, ge=1)
    cache_size: int = Field(default=256, ge=0, le=100_000, description="Answers kept in memory.")


class EvalThresholds(_Section):
    """Minimums an ``onramp eval`` run must reach; ``null`` switches one off."""

    recall_at_1: float | None = Field(default=0.75, ge=0, le=1)
    recall_at_3: float | None = Field(default=0.85, ge=0, le=1)
    citation_precision: float | None = Field(default=0.60, ge=0, le=1)
    fact_coverage: float | None = Field(default=0.70, ge=0, le=1)
    refusal_accuracy: float | None = Field(default=0.90, ge=0, le=1)
    injection_pass_rate: float | None = Field(default=0.90, ge=0, le=1)
    personal_accuracy: float | None = Field(default=0.90, ge=0, le=1)


class EvalSettings(_Section):
    """How ``onramp eval`` judges a run of a golden set (see docs/evaluation.md)."""

    backend: Literal["auto", "extractive", "anthropic"] = Field(
        default="extractive", description="Backend when --backend is not given (free, offline)."
    )
    thresholds: EvalThresholds = Field(default_factory=EvalThresholds)
    max_latency_p95_ms: float | None = Field(default=None, gt=0)
    max_cost_usd: float | None = Field(default=None, ge=0)
    regression_tolerance: float = Field(
        default=0.02, ge=0, le=1, description="How far a rate may drop below the baseline."
    )
    baseline: str = Field(
        default="plans/{plan}/eval-baseline.{backend}.json",
        description="The baseline used when --baseline is not given ({plan}, {backend}).",
    )


class Settings(BaseSettings):
    """Everything Onramp can be told. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="ONRAMP_", extra="forbid", case_sensitive=False, populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite:///onramp.db",
        validation_alias=AliasChoices("database_url", "DATABASE_URL"),
    )
    plans_dir: Path = Path("plans")
    prompts_dir: Path = Path("prompts")
    admins: list[str] = Field(default_factory=list, description="Slack user ids with full rights.")
    default_timezone: str = "UTC"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    slack: SlackSettings = Field(default_factory=SlackSettings)
    checkins: CheckinSettings = Field(default_factory=CheckinSettings)
    anthropic: AnthropicSettings = Field(default_factory=AnthropicSettings)
    answers: AnswerSettings = Field(default_factory=AnswerSettings)
    eval: EvalSettings = Field(default_factory=EvalSettings)

    # Secrets: environment only.
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET")
    )
    slack_api_url: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_API_URL"))
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL")
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone; use a name like 'Europe/Berlin' or 'UTC'"
            ) from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment outranks app.yaml (passed in as init values).
        return (env_settings, init_settings)

    @property
    def web_api_url(self) -> str | None:
        """The Slack Web API base URL: SLACK_API_URL, else app.yaml, else Slack's default."""
        return self.slack_api_url or self.slack.api_url

    @property
    def model_base_url(self) -> str | None:
        """The Anthropic base URL: ANTHROPIC_BASE_URL, else app.yaml."""
        return self.anthropic_base_url or self.anthropic.base_url


def _find_secrets(data: Any, path: tuple[str, ...] = ()) -> list[str]:
    found: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            name = str(key).lower()
            if name in SECRET_KEYS:
                found.append(
                    f"{'.'.join((*path, str(key)))}: secrets don't belong in app.yaml; remove it "
                    f"and set the environment variable {SECRET_KEYS[name]} instead"
                )
            found.extend(_find_secrets(value, (*path, str(key))))
    return found


def read_config_file(path: Path, *, required: bool = False) -> dict[str, Any]:
    """Read ``app.yaml``; anything malformed is a ConfigError.

    A missing file means defaults, unless it was named (``required``: ``--config``,
    ``ONRAMP_CONFIG``): a file someone named and that isn't there is a typo, not "no settings".
    """
    if not path.exists():
        if required:
            raise ConfigError(
                f"{path}: no such settings file; check the path given to --config or "
                "ONRAMP_CONFIG, or leave both out to use ./app.yaml"
            )
        return {}
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; name the settings file in it (app.yaml)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: must be a mapping of settings (key: value), not {type(data).__name__}"
        )
    secrets = _find_secrets(data)
    if secrets:
        raise ConfigError("\n".join(f"{path}: {s}" for s in secrets))
    return data


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate settings; raise :class:`ConfigError` naming each bad key and its fix."""
    config_path = path or DEFAULT_CONFIG
    data = read_config_file(config_path, required=config_path != DEFAULT_CONFIG)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = format_loc(error["loc"])
            env_hint = ""
            if error["loc"] and str(error["loc"][0]).isupper():
                env_hint = " (from the environment)"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = (
                    "unknown setting; remove it or fix its spelling (see docs/configuration.md)"
                )
            problems.append(f"{config_path}: {where}{env_hint}: {message}")
        raise ConfigError("\n".join(problems)) from None
    base = config_path.parent
    if not settings.plans_dir.is_absolute():
        settings.plans_dir = base / settings.plans_dir
    if not settings.prompts_dir.is_absolute():
        settings.prompts_dir = base / settings.prompts_dir
    from_env = {key.upper() for key in os.environ}
    for name in ("plans_dir", "prompts_dir"):
        folder: Path = getattr(settings, name)
        named = name in data or f"ONRAMP_{name.upper()}" in from_env
        # A folder the settings name must exist; the defaults may be absent (e.g. `manifest`).
        if named and not folder.is_dir():
            raise ConfigError(
                f"{config_path}: {name}: {folder} is not a folder; fix the path (relative "
                f"paths are read from the settings file's folder) or remove {name} for the "
                "default"
            )
    if not any(name.upper() == "DATABASE_URL" for name in os.environ):
        # Like plans_dir, a relative SQLite file named in app.yaml sits beside app.yaml, so the
        # same config reaches the same database from any working directory.
        settings.database_url = _beside(settings.database_url, base)
    return settings


def _beside(url: str, base: Path) -> str:
    """``sqlite:///name.db`` → ``sqlite:////abs/base/name.db``; other URLs unchanged."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.startswith("sqlite:////"):
        return url
    path = url.removeprefix(prefix)
    if not path or path.startswith(":memory:") or path.startswith("file:"):
        return url
    return prefix + str((base / path).resolve())
