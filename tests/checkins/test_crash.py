"""A sender killed between posting and recording: the restart finds the post, never doubles it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import text

from storage import outbox as repo
from tests.conftest import ROOT
from tests.support.checkins import Rig
from tests.support.people import HIRE
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait up to 30 s until ``condition`` holds; fail naming ``what`` if it never does."""
    assert eventually(condition, timeout=30.0, every=0.02), f"timed out waiting for {what}"


def _the_welcome_was_sent_once(rig: Rig) -> None:
    """The hire has one message, and the welcome's row says it was sent as that message."""
    assert len(rig.sent(HIRE)) == 1
    [row] = rig.rows(kinds=["welcome"])
    assert row.state == "sent"
    assert row.ts == rig.sent(HIRE)[0].ts


def test_killed_between_post_and_record_then_restarted(rig: Rig, database_url: str) -> None:
    """SIGKILL after Slack has the message but before the row says so: one message, row sent."""
    sandbox, db = rig.sandbox, rig.db
    rig.enroll(start=date(2026, 11, 2), tz="UTC", mentors=())
    # Slack takes a moment over the post: time to stand between the child and its database.
    sandbox.faults.slow("chat.postMessage", 1.5, times=1)
    env = {
        **os.environ,
        **sandbox.env(),
        "DATABASE_URL": database_url,
        "ONRAMP_PLANS_DIR": str(ROOT / "plans"),
    }
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "tick",
            "--now",
            "2026-11-02T09:31:00Z",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:

        def claimed() -> bool:
            with db.read() as session:
                return bool(repo.rows_where(session=session, states=["sending"]))

        wait_for(claimed, "the child to claim the welcome")
        # The child renews its claim right before posting; once the (slow) post is in flight,
        # hold the rows it must update to record the send (SQLite: the write lock).
        wait_for(lambda: sandbox.in_flight > 0, "the child's post to reach Slack")
        with db.transaction() as session:
            session.execute(text("UPDATE outbox SET attempts = attempts WHERE state = 'sending'"))
            wait_for(lambda: len(sandbox.bot_messages(HIRE)) == 1, "the child's post")
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            session.rollback()
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    [row] = rig.rows(kinds=["welcome"])
    assert row.state == "sending"

    report = rig.run("2026-11-02T09:45:00")  # the claim's lease has run out
    assert [p.key for p in report.reconciled] == ["welcome:1:start"]
    _the_welcome_was_sent_once(rig)


def test_connection_lost_after_slack_posted_is_not_posted_twice(rig: Rig) -> None:
    """Slack posts but the answer never arrives: the history lookup finds it; no second post."""
    rig.enroll(start=date(2026, 11, 2), tz="UTC", mentors=())
    rig.sandbox.faults.reset("chat.postMessage", times=1, processed=True)
    rig.run("2026-11-02T09:31:00")
    _the_welcome_was_sent_once(rig)
