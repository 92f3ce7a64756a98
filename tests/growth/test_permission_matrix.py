"""The growth permission matrix over every read surface: who sees how much of a hire's evidence.

The hire logs three wins, one per visibility, each on its own rubric dimension, so a viewer's
counts say exactly which they may see. Rules (docs/growth.md, "Who sees what"): the hire sees
all of their own; the manager of record and admins everything but private; mentors only what
is shared with mentors; anyone else nothing. The operator's `--as` is capped at an admin's view.
A review packet holds the manager of record's view for everyone who may pull one (the hire's
preview included); mentors and strangers get none.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.app import SlackRuntime
from bot.cli import load
from bot.config import Settings
from bot.sandbox import SlackDriver, SlackSandbox
from tests.slack.conftest import ADMIN, HIRE, MANAGER, MENTOR, STRANGER, shown

#: (visibility, the dimension its win is tagged with)
WINS = (("private", "communication"), ("manager", "collaboration"), ("mentors", "safety-privacy"))
#: What each viewer may count in Slack, as (communication, collaboration, safety-privacy).
SLACK_SEES = {
    HIRE: (1, 1, 1),
    MANAGER: (0, 1, 1),
    MENTOR: (0, 0, 1),
    ADMIN: (0, 1, 1),
}
#: The CLI's --as never shows more than an admin sees: the hire's own private win is not shown.
#: (Admins are named in the app.yaml the CLI loads; the operator's own view is an admin's, below.)
CLI_SEES = {HIRE: (0, 1, 1), MANAGER: SLACK_SEES[MANAGER], MENTOR: SLACK_SEES[MENTOR]}
REFUSAL = "You can only see plans of people you manage or mentor, or your own."
#: The wins in the packet each viewer's `/onramp packet @hire` uploads (None: refused, no file).
PACKET_HOLDS: dict[str, set[str] | None] = {
    HIRE: {"manager", "mentors"},
    MANAGER: {"manager", "mentors"},
    ADMIN: {"manager", "mentors"},
    MENTOR: None,
    STRANGER: None,
}


@pytest.fixture
def logged(enrolled: SlackDriver) -> SlackDriver:
    """The hire has logged one win at each visibility."""
    for visibility, dimension in WINS:
        text = f"win Win seen by {visibility} tag={dimension} visibility={visibility}"
        assert "Recorded your win" in shown(enrolled.command(text, HIRE))
    return enrolled


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(load(), list(args), env={"DATABASE_URL": settings.database_url})
    return result.exit_code, result.stdout + result.stderr


def _counts(view: dict) -> tuple[int, ...]:
    by_id = {d["id"]: d["evidence"]["count"] for d in view["dimensions"]}
    return tuple(by_id[dimension] for _, dimension in WINS)


@pytest.mark.parametrize("viewer", list(SLACK_SEES), ids=["hire", "manager", "mentor", "admin"])
def test_slash_growth_counts_what_each_viewer_may_see(logged: SlackDriver, viewer: str) -> None:
    """`/onramp growth @hire` counts, per dimension, only the wins the viewer's role allows."""
    text = shown(logged.command(f"growth <@{HIRE}|hana>", viewer))
    counts = tuple(
        int(text.split(f"`{dimension}` — evidence ", 1)[1].split(" ", 1)[0])
        for _, dimension in WINS
    )
    assert counts == SLACK_SEES[viewer]


@pytest.mark.parametrize("viewer", list(CLI_SEES), ids=["hire", "manager", "mentor"])
def test_cli_views_count_and_list_what_each_viewer_may_see(
    logged: SlackDriver, settings: Settings, viewer: str
) -> None:
    """`onramp growth --as` counts and `onramp evidence list --as` lists the same wins."""
    code, out = _cli(settings, "growth", HIRE, "--as", viewer, "--json")
    assert code == 0, out
    assert _counts(json.loads(out)) == CLI_SEES[viewer]
    code, out = _cli(settings, "evidence", "list", HIRE, "--as", viewer, "--json")
    assert code == 0, out
    listed = {e["visibility"] for e in json.loads(out)["evidence"]}
    expected = {v for (v, _), n in zip(WINS, CLI_SEES[viewer], strict=True) if n}
    assert listed == expected


def test_a_stranger_learns_nothing_on_any_surface(logged: SlackDriver, settings: Settings) -> None:
    """Slack, both CLI views and a career question: no count, no text, the same refusal."""
    text = shown(logged.command(f"growth <@{HIRE}|hana>", STRANGER))
    assert REFUSAL in text
    assert "evidence" not in text
    for command in (["growth", HIRE], ["evidence", "list", HIRE]):
        code, out = _cli(settings, *command, "--as", STRANGER, "--json")
        assert code == 1
        assert "Win seen by" not in out
    answer = shown(logged.command("ask How is hana doing on communication?", STRANGER))
    assert "Win seen by" not in answer
    assert "evidence 1" not in answer


def test_the_operator_never_sees_private_evidence(logged: SlackDriver, settings: Settings) -> None:
    """Without --as the operator is an admin: the private win is neither counted nor listed."""
    code, out = _cli(settings, "growth", HIRE, "--json")
    assert code == 0, out
    assert _counts(json.loads(out)) == SLACK_SEES[ADMIN]
    code, out = _cli(settings, "evidence", "list", HIRE)
    assert "Win seen by private" not in out
    assert "Win seen by manager" in out


@pytest.mark.parametrize(
    "viewer", list(PACKET_HOLDS), ids=["hire", "manager", "admin", "mentor", "stranger"]
)
def test_the_review_packet_holds_the_managers_view_or_nothing(
    logged: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, viewer: str
) -> None:
    """`/onramp packet @hire` uploads the manager's view (never the private win, not even to the
    hire) to the hire, the manager and an admin; a mentor or a stranger gets no file."""
    said = shown(logged.command(f"packet <@{HIRE}|hana>", viewer))
    assert runtime.settle()
    holds = PACKET_HOLDS[viewer]
    if holds is None:
        assert sandbox.files() == []
        assert "Win seen by" not in said
        return
    [packet] = sandbox.files(viewer)
    assert {v for v, _ in WINS if f"Win seen by {v}" in packet.text} == holds
