"""Several processes on one database: two `onramp tick` processes started together send every
due check-in exactly once (claims are FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on
SQLite); the outbox and Slack's own record agree."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bot.sandbox import SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding, Profile
from storage import outbox as repo
from storage.engine import Database
from tests.hardening.conftest import MANAGER, MENTOR, checkin_messages

ROOT = Path(__file__).resolve().parents[2]
ONRAMP = str(Path(sys.executable).parent / "onramp")
HIRES = 40

pytestmark = pytest.mark.slow


def test_two_tick_processes_on_one_database_send_each_check_in_once(
    database_url: str,
    db: Database,
    catalog: PlanCatalog,
    clock: ManualClock,
    sandbox: SlackSandbox,
    tmp_path: Path,
) -> None:
    """With 40 hires' welcomes and the digests due, two tick processes racing over the same
    outbox post each message once between them, and every row ends `sent`."""
    onboarding = Onboarding(
        db=db, catalog=catalog, clock=clock, admins=frozenset(), default_tz="UTC"
    )
    for user_id in (MANAGER, MENTOR):
        sandbox.add_user(user_id, user_id.lower(), tz="UTC")
    for index in range(HIRES):
        user_id = f"U0P{index:04d}"
        sandbox.add_user(user_id, f"hire{index}", tz="UTC")
        onboarding.enroll(
            actor=Actor.cli(),
            hire=Profile(user_id=user_id, tz="UTC"),
            plan_id="junior-llm-engineer",
            start=date(2026, 11, 3),
            manager=MANAGER,
            mentors=[MENTOR],
        )
    sandbox.slow("chat.postMessage", 0.01)  # long enough for the two to overlap
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_API_URL": sandbox.api_url,
    }
    command = [ONRAMP, "tick", "--now", "2026-11-03T12:00:00Z", "--json"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    posted = Counter(str(m.event_payload["key"]) for m in checkin_messages(sandbox))
    with db.read() as session:
        rows = repo.rows_where(session=session)
    sent = {row.key for row in rows if row.state == repo.SENT}
    assert len(sent) >= HIRES
    assert {row.state for row in rows} <= {repo.SENT, repo.SKIPPED}
    assert set(posted) == sent
    assert max(posted.values()) == 1
