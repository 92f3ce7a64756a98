"""`onramp evidence add|list` and `onramp growth` end to end, on each database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from tests.support.cli import invoke

#: The day the commands run on: Tue 10 Nov 2026, day 7 of a plan begun Mon 2 Nov.
TODAY = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
HIRE, BOSS, MENTOR, STRANGER = "UHIRE", "UBOSS", "UMENTOR", "USTRANGER"


@pytest.fixture(autouse=True)
def _tuesday() -> Iterator[None]:
    """Every command here runs on Tue 10 Nov 2026."""
    with time_machine.travel(TODAY, tick=False):
        yield


def run(url: str, *args: str) -> tuple[int, str, str]:
    """Run one `onramp` command in-process on ``url``; exit code, stdout and stderr."""
    return invoke(*args, env={"DATABASE_URL": url})


@pytest.fixture
def url(database_url: str) -> str:
    """A database on which HIRE is enrolled from 2 Nov, managed by BOSS, mentored by MENTOR."""
    code, _, err = run(
        database_url,
        *("enroll", HIRE, "--plan", "junior-llm-engineer", "--start", "2026-11-02"),
        *("--manager", BOSS, "--mentor", MENTOR),
    )
    assert code == 0, err
    return database_url


def _growth(url: str, *viewer: str) -> dict[str, object]:
    code, out, err = run(url, "growth", HIRE, *viewer, "--json")
    assert code == 0, err
    view = json.loads(out)
    assert isinstance(view, dict)
    return view


def _count(view: dict[str, object], dimension: str = "evaluation-mindset") -> object:
    rows = view["dimensions"]
    assert isinstance(rows, list)
    return next(d["evidence"]["count"] for d in rows if d["id"] == dimension)


def test_cli_evidence_is_counted_on_its_dimension(url: str) -> None:
    """Evidence added with --tag evaluation-mindset is counted there by `onramp growth --json`."""
    assert _count(_growth(url)) == 0
    code, out, err = run(
        url,
        *("evidence", "add", HIRE, "Wrote the regression eval for the RAG bot"),
        *("--tag", "evaluation-mindset", "--link", "https://example.com/pr/1", "--json"),
    )
    assert code == 0, err
    added = json.loads(out)
    assert added["tags"] == ["evaluation-mindset"]
    assert added["visibility"] == "manager"
    assert added["created_at"] == TODAY.isoformat()
    view = _growth(url)
    assert _count(view) == 1
    assert view["user"] == HIRE
    assert view["plan"] == "junior-llm-engineer"
    code, out, _ = run(url, "evidence", "list", HIRE)
    assert "Wrote the regression eval" in out
    assert "[evaluation-mindset]" in out


def test_private_evidence_is_not_listed_or_counted_for_the_manager(url: str) -> None:
    """Private evidence is counted for no one the CLI can look as: not the manager, and not
    even the hire (`--as` never shows more than an admin sees; the hire sees it in Slack)."""
    code, _, err = run(
        url, "evidence", "add", HIRE, "A private win", "--tag", "evaluation-mindset",
        "--visibility", "private",
    )  # fmt: skip
    assert code == 0, err
    assert _count(_growth(url, "--as", HIRE)) == 0
    assert _count(_growth(url, "--as", BOSS)) == 0
    _, out, _ = run(url, "evidence", "list", HIRE, "--as", BOSS, "--json")
    assert json.loads(out)["evidence"] == []
    _, out, _ = run(url, "evidence", "list", HIRE, "--as", HIRE)
    assert "A private win" not in out
    run(url, "evidence", "add", HIRE, "A shared win", "--tag", "evaluation-mindset")
    assert _count(_growth(url, "--as", HIRE)) == 1


@pytest.mark.parametrize("command", ["growth", "evidence list"])
def test_a_stranger_learns_nothing(url: str, command: str) -> None:
    """A stranger is refused (exit 1) in the same words for a hire and for nobody at all."""
    run(url, "evidence", "add", HIRE, "A shared win", "--visibility", "mentors")
    outputs = set()
    for hire in (HIRE, "UNOBODY"):
        code, out, err = run(url, *command.split(), hire, "--as", STRANGER, "--json")
        assert code == 1
        assert out == ""
        outputs.add(err)
    assert outputs == {
        "error: You can only see plans of people you manage or mentor, or your own.\n"
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tag", "evaluation-mindest"), "Did you mean evaluation-mindset"),
        (("--visibility", "everyone"), "use one of: private, manager, mentors"),
        (("--link", "file:///etc/passwd"), "The link must be an http(s) URL"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    url: str, args: tuple[str, ...], message: str
) -> None:
    """A bad tag, visibility or link is a usage error (exit 2) that says what to type instead."""
    code, out, err = run(url, "evidence", "add", HIRE, "A win", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_empty_text_exits_2(url: str) -> None:
    """Evidence without words is refused with exit 2 and says what to write."""
    code, _, err = run(url, "evidence", "add", HIRE, "   ")
    assert (code, err) == (
        2,
        "error: Evidence needs a text: say what happened and why it mattered.\n",
    )


def test_growth_text_shows_the_blueprints_words_and_no_ratings(url: str) -> None:
    """The text view quotes the anchors and criteria, cites their sections and says ratings are
    not recorded yet."""
    code, out, err = run(url, "growth", HIRE)
    assert code == 0, err
    assert "Ratings: none yet" in out
    assert "excellent: Proposes baselines, rubrics, regression tests" in out
    assert "Skills needed for promotion (Junior → Mid)" in out
    assert "Milestones: 0 of" in out
    assert "Next steps:" in out
    assert "(s19.scorecard-dimensions)" in out
