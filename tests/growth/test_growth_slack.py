"""``/onramp win``, ``/onramp growth`` and ``/onramp paths`` through the real Bolt app over HTTP."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli import load
from bot.config import Settings
from bot.sandbox import SlackDriver
from tests.slack.conftest import ADMIN, HIRE, MANAGER, MENTOR, PERSONAS, STRANGER, shown

REFUSAL = "You can only see plans of people you manage or mentor, or your own."


def _growth_json(settings: Settings, user: str, viewer: str) -> dict:
    result = CliRunner().invoke(
        load(),
        ["growth", user, "--as", viewer, "--json"],
        env={"DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _evidence(settings: Settings) -> list[dict]:
    """Every non-private piece of evidence of the hire, as the operator lists it."""
    result = CliRunner().invoke(
        load(), ["evidence", "list", HIRE, "--json"], env={"DATABASE_URL": settings.database_url}
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["evidence"]


def _count(view: dict, dimension: str) -> int:
    return next(d for d in view["dimensions"] if d["id"] == dimension)["evidence"]["count"]


def test_a_win_is_recorded_and_counted_on_its_tag(enrolled: SlackDriver) -> None:
    """`/onramp win … tag=ID` records evidence the hire's `/onramp growth` counts on that tag."""
    text = shown(
        enrolled.command(
            "win Shipped the eval harness that caught a regression tag=evaluation-mindset", HIRE
        )
    )
    assert "Recorded your win #1 (`evaluation-mindset`)" in text
    assert "you and your manager can see it" in text
    view = shown(enrolled.command("growth", HIRE))
    assert "• *Evaluation mindset* `evaluation-mindset` — evidence 1 (0 corroborated)" in view
    assert "• *Collaboration* `collaboration` — evidence 0" in view
    assert "%" not in view


def test_a_win_counts_in_the_cli_readiness_json(enrolled: SlackDriver, settings: Settings) -> None:
    """Evidence from Slack is counted on its dimension in `onramp growth USER --json`."""
    enrolled.command("win Wrote the incident runbook tag=communication,safety-privacy", HIRE)
    view = _growth_json(settings, HIRE, MANAGER)
    assert _count(view, "communication") == 1
    assert _count(view, "safety-privacy") == 1
    assert _count(view, "collaboration") == 0


def test_a_private_win_is_not_counted_for_the_manager(
    enrolled: SlackDriver, settings: Settings
) -> None:
    """A win marked private counts for the hire but not in their manager's view."""
    enrolled.command("win Finished the privacy course tag=safety-privacy visibility=private", HIRE)
    assert "`safety-privacy` — evidence 1" in shown(enrolled.command("growth", HIRE))
    assert _count(_growth_json(settings, HIRE, MANAGER), "safety-privacy") == 0
    manager_view = shown(enrolled.command(f"growth <@{HIRE}|hana>", MANAGER))
    assert "`safety-privacy` — evidence 0" in manager_view


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_growth_of_a_hire_is_shown_only_to_those_who_may_see_it(
    enrolled: SlackDriver, persona: str
) -> None:
    """Hire, manager, mentor and admins see the hire's growth; anyone else learns nothing."""
    enrolled.command("win Paired on a retrieval fix tag=collaboration", HIRE)
    text = shown(enrolled.command(f"growth <@{HIRE}|hana>", PERSONAS[persona]))
    if PERSONAS[persona] in (HIRE, MANAGER, MENTOR, ADMIN):
        assert "Evaluation mindset" in text
    else:
        assert REFUSAL in text
        assert "Evaluation mindset" not in text
        assert "evidence" not in text


def test_a_stranger_cannot_log_a_win_for_someone_else(
    enrolled: SlackDriver, settings: Settings
) -> None:
    """`win … for=@hire` by someone who is not the hire's manager is refused and stores nothing."""
    text = shown(enrolled.command(f"win They did great for=<@{HIRE}|hana>", STRANGER))
    assert "You can only record evidence of your own growth or of people you manage." in text
    assert "hana" not in text
    assert _evidence(settings) == []


def test_a_manager_logs_a_win_for_their_hire(enrolled: SlackDriver) -> None:
    """The manager of record may log a win for their hire with `for=@hire`."""
    text = shown(
        enrolled.command(f"win Led the demo for=<@{HIRE}|hana> tag=communication", MANAGER)
    )
    assert f"for <@{HIRE}>" in text
    assert f"<@{HIRE}> and their manager can see it" in text
    assert "`communication` — evidence 1" in shown(enrolled.command("growth", HIRE))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("win", "Say what happened and why it mattered"),
        ("win tag=evaluation-mindset", "Say what happened and why it mattered"),
        ("win Did it tag=evaluaton-mindset", "Did you mean evaluation-mindset"),
        ("win Did it visibility=public", "is not a visibility"),
        ("win Did it link=ftp://x", "must be an http(s) URL"),
        ("growth @hana @mina", "Name one person"),
        ("growth hana", "Pick the person from the autocomplete"),
        ("win Did it for=hana", "Pick the person from the autocomplete"),
    ],
    ids=[
        "empty",
        "only-options",
        "unknown-tag",
        "bad-visibility",
        "bad-link",
        "two",
        "typed",
        "typed-for",
    ],
)
def test_bad_input_gets_a_clear_reply_and_stores_nothing(
    enrolled: SlackDriver, settings: Settings, words: str, expected: str
) -> None:
    """Wrong input to win or growth is answered with what was wrong; no evidence is stored."""
    delivery = enrolled.command(words, HIRE)
    assert delivery.status == 200
    assert expected in shown(delivery)
    assert "Traceback" not in shown(delivery)
    assert _evidence(settings) == []


def test_paths_lists_next_and_adjacent_roles_in_the_blueprints_words(
    enrolled: SlackDriver,
) -> None:
    """`/onramp paths` lists the plan's next roles before adjacent ones, quoted and cited."""
    text = shown(enrolled.command("paths", STRANGER))
    assert "LLM Engineer (Mid-level)" in text
    assert text.index("Next step") < text.index("Adjacent path")
    assert "Owns features end-to-end" in text
    assert "15) Career Path and Progression" in text


def test_help_lists_the_growth_subcommands(enrolled: SlackDriver) -> None:
    """`/onramp help` lists win, growth and paths with their usage lines."""
    text = shown(enrolled.command("help", HIRE))
    for usage in ("/onramp win <what happened>", "/onramp growth [@user]", "/onramp paths"):
        assert usage in text


def test_slacks_escapes_are_undone_before_the_win_is_stored(
    enrolled: SlackDriver, settings: Settings
) -> None:
    """`&amp;` from Slack is stored as `&`, in the text and in a link's query string."""
    enrolled.command("win Shipped R&amp;D notes link=<https://x.example/pr?a=1&amp;b=2>", HIRE)
    (stored,) = _evidence(settings)
    assert stored["text"] == "Shipped R&D notes"
    assert stored["link"] == "https://x.example/pr?a=1&b=2"
