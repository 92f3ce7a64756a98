"""Several processes on one database: two `onramp tick` processes started together send every
due check-in exactly once (claims are FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on
SQLite); the outbox and Slack's own record agree."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox import SlackSandbox
from bot.services.catalog import PlanCatalog
from bot.services.clock import ManualClock
from bot.services.onboarding import Onboarding
from storage import outbox as repo
from storage.engine import Database, open_database
from storage.migrate import upgrade
from storage.models import Enrollment
from tests.hardening.conftest import checkin_messages, enroll_crowd, wired_engine
from tests.support.processes import (
    ONRAMP,
    ROOT,
    Output,
    base_env,
    free_port,
    slack_env,
    start_serve,
)

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
    enroll_crowd(onboarding, sandbox, prefix="U0P", count=HIRES, start=date(2026, 11, 3))
    sandbox.slow("chat.postMessage", 0.01)  # long enough for the two to overlap
    env = {**base_env(tmp_path, database_url), **slack_env(sandbox)}
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


def test_sigterm_during_sends_leaves_no_row_sending_and_the_rest_go_out_later(
    catalog: PlanCatalog, sandbox: SlackSandbox, tmp_path: Path
) -> None:
    """`onramp serve` stopped by SIGTERM while a tick is posting (Slack slowed down): the
    message in flight finishes, the rows it had claimed go back to `pending`, none is left
    `sending`; a later tick sends the rest, and nothing is posted twice."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db = open_database(url)
    upgrade(db)
    now = datetime.now(UTC)
    onboarding = Onboarding(
        db=db, catalog=catalog, clock=ManualClock(now), admins=frozenset(), default_tz="UTC"
    )
    enroll_crowd(
        onboarding, sandbox, prefix="U0S", count=HIRES, start=now.date() + timedelta(days=30)
    )
    with db.transaction() as session:
        enrollments = session.exec(select(Enrollment)).all()
        repo.insert_new(
            session=session,
            rows=[
                repo.NewRow(
                    key=f"welcome:{e.id}:start",
                    kind="welcome",
                    recipient_id=e.hire_id,
                    due_at=now - timedelta(minutes=1),
                    payload={},
                    enrollment_id=e.id,
                )
                for e in enrollments
            ],
            now=now,
        )
    sandbox.slow("chat.postMessage", 0.2)
    env = {**base_env(tmp_path, url), **slack_env(sandbox), "ONRAMP_LOG_FORMAT": "json"}
    process = start_serve(env, free_port())
    assert process.stdout is not None
    output = Output(process.stdout)
    deadline = time.monotonic() + 60
    posts = 0
    while posts < 3:  # until the tick is posting (woken by each log line, or every 0.1 s)
        assert time.monotonic() < deadline, output.text()
        output.next_line(timeout=0.1)
        posts = len(sandbox.calls("chat.postMessage"))
    signalled = datetime.now(UTC).isoformat()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, output.text()
    output.join()
    process.stdout.close()
    with db.read() as session:
        states = Counter(row.state for row in repo.rows_where(session=session, kinds=["welcome"]))
    assert states[repo.SENDING] == 0
    assert states[repo.PENDING] > 0, f"signalled at {signalled}:\n" + "".join(output.seen[-6:])
    assert "released for the next tick" in output.text()
    sandbox.clear_faults()
    _, checkins = wired_engine(db, catalog, ManualClock(datetime.now(UTC)), sandbox)
    checkins.send_due()
    with db.read() as session:
        rows = repo.rows_where(session=session, kinds=["welcome"])
    assert {row.state for row in rows} == {repo.SENT}
    posted = Counter(str(m.event_payload["key"]) for m in checkin_messages(sandbox))
    assert all(posted[row.key] == 1 for row in rows)
    db.dispose()
