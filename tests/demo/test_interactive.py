"""`onramp demo --interactive`: the same world driven line by line from stdin (a pipe here)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.demo.conftest import Run, run_demo


def play(tmp_path: Path, *lines: str) -> Run:
    """``onramp demo --interactive`` fed ``lines`` through a pipe; the session must exit 0."""
    run = run_demo(tmp_path, "--interactive", stdin="\n".join(lines) + "\n")
    assert run.code == 0, run.out + run.err
    return run


def test_the_briefs_script_runs_and_exits_zero(tmp_path: Path) -> None:
    """as marco → /onramp team → advance 7d → quit: each step answers, the run exits 0, clean."""
    run = play(tmp_path, "as marco", "/onramp team", "advance 7d", "quit")
    assert not run.missing(
        "marco › /onramp team",  # piped lines are echoed after the prompt
        "only Marco sees this",
        "You don't manage anyone on Onramp yet",
        "⏱ Fri 06 Nov 2026",  # a week after the opening Friday
        "Bye.",
    )
    assert list(run.cwd.iterdir()) == []
    assert list(run.tmp.iterdir()) == []


def test_a_whole_loop_enroll_check_in_click_nudge(tmp_path: Path) -> None:
    """Enroll, let the first pulse come, click At risk as Ana: the mentor's nudge follows."""
    run = play(
        tmp_path,
        "/onramp enroll @ana mentor=@priya start=2026-11-02",
        "/onramp team",
        "advance 10d",
        "as ana",
        'click "At risk"',
        'click "Add a note"',
        "note Waiting on VPN access",
        "home",
        'pick "In progress" for "dev environment"',
        "What are the 60-day goals?",
        "quit",
    )
    assert not run.missing(
        "Enrolled @Ana on Junior LLM Engineer",
        "Your team (1)",
        "Welcome aboard, Ana!",
        "Weekly check-in · week 1",
        "✓ Recorded ⚠️ At risk",
        "📝 Waiting on VPN access",
        "Ana's App Home",
        "Ana's App Home updated",
    )
    out = run.out
    after_click = out.split("clicks [ ⚠️ At risk ]", 1)[1]
    assert "Onramp → Priya · DM" in after_click
    assert "Your mentee needs a hand" in after_click
    assert "[ ◐ In progress ▾ ]" in out.split("Ana's App Home updated", 1)[1]
    assert "§6" in out.split("“What are the 60-day goals?”", 1)[1]


def test_mistakes_get_a_clear_message_and_the_session_goes_on(tmp_path: Path) -> None:
    """Unknown persona, missing button, bad amount, no menu, no modal: each is explained."""
    run = play(
        tmp_path,
        "as bob",
        'click "Launch"',
        "advance 2x",
        "advance",
        "pick Done",
        "note hello",
        "/enroll @ana",
        'click "unbalanced',
        "help",
        "who",
        "now",
    )
    assert not run.missing(
        "✗ There is nobody called 'bob' here; pick one of: ana (new hire)",
        "✗ No button labelled 'Launch'",
        "✗ advance needs an amount like 7d, 2h, 30m or 1w (got '2x')",
        "✗ advance AMOUNT — e.g. advance 7d",
        "✗ There is no menu to pick from",
        "✗ You have no modal open",
        "✗ /enroll is not a command here; slash commands start with /onramp",
        "✗ Unbalanced quotes",
        "What you can do",
        "Bye.",  # the end of input ends the session like quit
    )
    assert "Priya Nair" in run.out.split("marco › who", 1)[1]
    assert "GMT" in run.out.split("marco › now", 1)[1]
    assert "Traceback" not in run.out + run.err


def test_a_dm_that_starts_with_a_command_word_is_still_a_dm(tmp_path: Path) -> None:
    """ "who is my mentor?" and "as a new hire, what…" go to the bot, not to the REPL."""
    run = play(tmp_path, "as ana", "who is my mentor?", "say advance my career how?", "quit")
    assert "✎ “who is my mentor?”" in run.out
    assert "✎ “advance my career how?”" in run.out
    assert len(re.findall(r"^  💬 Onramp → Ana · DM", run.out, flags=re.MULTILINE)) == 2
