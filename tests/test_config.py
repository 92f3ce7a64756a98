"""Settings: app.yaml, environment overrides, and loud, helpful refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build
from bot.config import load_settings
from bot.domain.errors import ConfigError
from bot.services.answers import Prices

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_app_yaml_loads() -> None:
    """The repository's app.yaml is valid and points at the shipped plans."""
    settings = load_settings(ROOT / "app.yaml")
    assert settings.plans_dir == ROOT / "plans"
    assert settings.checkins.send_time.hour == 9


def test_environment_outranks_app_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL and SLACK_API_URL from the environment win over app.yaml."""
    path = _write(tmp_path, "database_url: sqlite:///file.db\nslack:\n  api_url: http://a/\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/onramp")
    monkeypatch.setenv("SLACK_API_URL", "http://b/api/")
    settings = load_settings(path)
    assert settings.database_url == "postgresql://db/onramp"
    assert settings.web_api_url == "http://b/api/"


def test_a_missing_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ./app.yaml Onramp runs on defaults (SQLite file, UTC, plans/ beside the config)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'onramp.db'}"
    assert settings.default_timezone == "UTC"


def test_a_named_file_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    """A settings file someone named (--config, ONRAMP_CONFIG) and that is missing is refused."""
    with pytest.raises(ConfigError) as excinfo:
        load_settings(tmp_path / "absent.yaml")
    assert "absent.yaml: no such settings file; check the path given to --config" in str(
        excinfo.value
    )
    with pytest.raises(ConfigError, match="is a folder; name the settings file"):
        load_settings(tmp_path)


@pytest.mark.parametrize("name", ["plans_dir", "prompts_dir"])
def test_a_named_folder_that_is_not_there_is_an_error(tmp_path: Path, name: str) -> None:
    """plans_dir or prompts_dir naming a folder that doesn't exist stops start-up, naming it."""
    with pytest.raises(ConfigError) as excinfo:
        load_settings(_write(tmp_path, f"{name}: /nonexistent/onramp\n"))
    assert f"{name}: /nonexistent/onramp is not a folder" in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("slack_bot_token: xoxb-1", "set the environment variable SLACK_BOT_TOKEN instead"),
        ("anthropic:\n  api_key: sk-ant-x", "set the environment variable ANTHROPIC_API_KEY"),
        ("default_timezone: Mars/Olympus", "is not an IANA time zone"),
        ("databse_url: x", "databse_url: unknown setting"),
        ("checkins:\n  send_time: noon", "checkins.send_time"),
        ("admins: [", "not valid YAML"),
        ("- just\n- a list", "must be a mapping"),
        (
            "checkins:\n  pulse_until: 365d",
            "after_plan_pulse_every (1mo) counts in months or years (mo, y) but pulse_until",
        ),
        ("checkins:\n  growth_every_after: 13w", "growth_every_after (13w) counts in days"),
    ],
)
def test_bad_settings_name_the_key_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    """A wrong, misspelled or secret setting stops start-up with a message naming it."""
    with pytest.raises(ConfigError) as excinfo:
        load_settings(_write(tmp_path, text))
    assert message in str(excinfo.value)
    assert "xoxb-1" not in str(excinfo.value)
    assert "sk-ant-x" not in str(excinfo.value)


def test_a_relative_sqlite_file_sits_beside_app_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative SQLite path in app.yaml is resolved against the file, not the working dir."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(ROOT)
    settings = load_settings(_write(tmp_path, "database_url: sqlite:///data/onramp.db\n"))
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'onramp.db'}"


def test_database_url_from_the_environment_is_taken_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DATABASE_URL is used exactly as set (relative to the working directory, as usual)."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///here.db")
    assert load_settings(_write(tmp_path, "")).database_url == "sqlite:///here.db"


def test_configured_prices_are_the_rates_answers_are_costed_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """anthropic.prices in app.yaml reach the answer service's policy, every rate."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    text = (
        f"database_url: sqlite:///{tmp_path / 'onramp.db'}\nplans_dir: {ROOT / 'plans'}\n"
        f"prompts_dir: {ROOT / 'prompts'}\nanthropic:\n  prices:\n"
        "    input: 1.5\n    output: 7.0\n    cache_read: 0.1\n    cache_write: 2.25\n"
    )
    container = build(load_settings(_write(tmp_path, text)))
    try:
        assert container.answers.policy.prices == Prices(
            input=1.5, output=7.0, cache_read=0.1, cache_write=2.25
        )
    finally:
        container.close()
