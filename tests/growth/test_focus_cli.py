"""`onramp focus add|list|update|gaps` end to end, on each database, after a revealed round.

The round is rated on the app's ManualClock; each command runs in-process at that instant
(``time_machine``), so the dates it checks are the same on any day the suite runs.
"""

from __future__ import annotations

import json

import pytest
import time_machine

from bot.services.onboarding import Onboarding
from tests.support.checkins import Rig
from tests.support.cli import invoke
from tests.support.people import HIRE


def run(rig: Rig, database_url: str, *args: str) -> tuple[int, str, str]:
    """Run one `onramp` command at the rig's instant; exit code, stdout and stderr."""
    with time_machine.travel(rig.clock.now(), tick=False):
        return invoke(*args, env={"DATABASE_URL": database_url})


def test_add_list_update_and_readiness_from_the_cli(
    revealed: Rig, database_url: str, onboarding: Onboarding
) -> None:
    """`focus gaps` lists the round's gaps with the next level's anchor; `focus add` stores an
    item; `focus update` records progress; `focus list --json` and `growth --json` show it."""
    code, out, err = run(revealed, database_url, "focus", "gaps", HIRE, "--json")
    assert code == 0, err
    gaps = json.loads(out)
    assert gaps["round"] == "90d"
    assert {g["dimension"] for g in gaps["gaps"]} == {"communication", "evaluation-mindset"}
    code, out, err = run(revealed, database_url, "focus", "gaps", HIRE)
    assert code == 0, err
    assert "“Understandable but not crisp”" in out
    code, out, err = run(
        revealed,
        database_url,
        *("focus", "add", HIRE, "Evaluation mindset", "Baselines before changes"),
        *("--action", "Write a baseline for the ranker", "--action", "Add a regression test"),
        *("--due", "2027-03-15"),
    )
    assert (code, err) == (0, "")
    assert "Added focus item #1" in out
    code, out, err = run(
        revealed, database_url, "focus", "update", "1", "--note", "Baseline merged"
    )
    assert code == 0, err
    code, out, err = run(revealed, database_url, "focus", "list", HIRE, "--json")
    assert code == 0, err
    [item] = json.loads(out)["focus"]
    assert item["actions"] == ["Write a baseline for the ranker", "Add a regression test"]
    assert (item["status"], item["stalled"]) == ("open", False)
    assert item["last_update"]["note"] == "Baseline merged"
    code, out, err = run(revealed, database_url, "growth", HIRE, "--json")
    assert code == 0, err
    [shown] = json.loads(out)["focus"]
    assert (shown["id"], shown["due"]) == (1, "2027-03-15")
    code, out, _ = run(revealed, database_url, "growth", HIRE)
    assert "#1 Baselines before changes [evaluation-mindset] — due 2027-03-15" in out
    assert "Baseline merged" in out


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("add", HIRE, "charisma", "T", "--action", "a", "--due", "2027-03-15"), 2, "rubric"),
        (("add", HIRE, "communication", "T", "--due", "2027-03-15"), 2, "1 to 5 actions"),
        (("add", HIRE, "communication", "T", "--action", "a", "--due", "2027-01-31"), 2, "future"),
        (("add", HIRE, "communication", "T", "--action", "a", "--due", "soon"), 2, "not a date"),
        (("update", "42", "--note", "x"), 1, "no focus item #42"),
        (("update", "1", "--status", "finished"), 2, "open, done or dropped"),
        (("list", "U0NOBODY"), 1, "no Onramp plan"),
    ],
    ids=["dimension", "no-action", "past-due", "bad-date", "unknown-id", "status", "no-plan"],
)
def test_bad_input_exits_with_a_clear_message_and_no_traceback(
    revealed: Rig, database_url: str, args: tuple[str, ...], code: int, words: str
) -> None:
    """Each refusal exits 1 (no such thing) or 2 (fix the command) with one line saying why."""
    run(
        revealed,
        database_url,
        *("focus", "add", HIRE, "communication", "T", "--action", "a", "--due", "2027-03-15"),
    )
    got, out, err = run(revealed, database_url, "focus", *args)
    assert (got, out) == (code, "")
    assert words in err
    assert "Traceback" not in err
