"""Security at the edges: signed requests only, retried events handled once across processes,
no secret or personal data in any log line, no broadcast mention in anything the bot posts."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot import logging_setup
from bot.app import Container, build, build_slack
from bot.config import Settings
from bot.llm.fake_api import FakeMessagesAPI
from bot.sandbox import SlackDriver, SlackSandbox
from bot.sandbox.signing import signed_headers
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.slack.server import wsgi_app
from bot.slack.settings import SlackCredentials
from tests.hardening.conftest import (
    HIRE,
    MANAGER,
    MENTOR,
    Ticking,
    answer_pulse,
    checkin_messages,
    enroll_hire,
    snapshot,
)
from tests.support.claude import claude_model
from tests.support.loopback import serve_wsgi

ANTHROPIC_KEY = "sk-ant-api03-hardening-" + "k" * 40
BROADCAST = re.compile(r"<!(channel|here|everyone|subteam)", re.I)
INJECTIONS = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0DEVS|@devs>", "@channel"]


# --- signatures -----------------------------------------------------------------------------


def test_forged_stale_and_replayed_requests_are_refused_and_write_nothing(
    slack: SlackDriver, sandbox: SlackSandbox, container: Container
) -> None:
    """A wrong secret, a timestamp older than five minutes, and a captured body replayed with a
    fresh timestamp but its old signature all get 401, and nothing is written."""
    before = snapshot(container.db)
    text = f"enroll <@{HIRE}|hana>"
    assert slack.signed_with(secret="0" * 32).command(text, MANAGER).status == 401
    stale = int(time.time()) - 6 * 60
    assert slack.signed_with(timestamp=stale).command(text, MANAGER).status == 401
    body = b"token=x&team_id=T0SANDBOX&user_id=U0MANAGER&command=%2Fonramp&text=team"
    old = int(time.time()) - 60
    captured = signed_headers(sandbox.signing_secret, old, body)
    replay = {**captured, "X-Slack-Request-Timestamp": str(int(time.time()))}
    assert slack.post(body, "application/x-www-form-urlencoded", headers=replay).status == 401
    unsigned = {"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""}
    assert slack.post(body, "application/x-www-form-urlencoded", headers=unsigned).status == 401
    assert snapshot(container.db) == before


# --- retried events, two processes ------------------------------------------------------------


@pytest.fixture
def second_url(
    settings: Settings, clock: ManualClock, credentials: SlackCredentials, container: Container
) -> Iterator[tuple[str, Any]]:
    """A second process's app (its own container and Bolt app) on the same database file,
    served on its own loopback port."""
    other = build(settings, clock=clock)
    runtime = build_slack(other, credentials)
    with serve_wsgi(wsgi_app(runtime.app, health=lambda: True)) as base:
        yield f"{base}/slack/events", runtime
    runtime.close()
    other.close()


def test_the_same_event_reaching_two_processes_is_handled_once(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: Any, second_url: tuple[str, Any]
) -> None:
    """Slack's retry of an event that lands on the other process is dropped there: the shared
    ``slack_event`` table, not each process's memory, decides (one Home publish, not two)."""
    url, second = second_url
    enroll_hire(slack)
    assert runtime.settle()
    sandbox.clear()
    event = {
        "type": "app_home_opened",
        "user": HIRE,
        "channel": sandbox.dm_channel(HIRE),
        "tab": "home",
    }
    assert slack.event(event, event_id="Ev0HARDENING1").status == 200
    assert runtime.settle()
    other = SlackDriver(sandbox=sandbox, events_url=url)
    retried = other.event(event, event_id="Ev0HARDENING1", retry_num=1, retry_reason="timeout")
    assert retried.status == 200
    assert second.settle()
    assert len(sandbox.calls("views.publish")) == 1
    # A new event id is handled by either process.
    assert other.event(event, event_id="Ev0HARDENING2").status == 200
    assert second.settle()
    assert len(sandbox.calls("views.publish")) == 2


# --- logs -----------------------------------------------------------------------------------


@pytest.fixture
def captured_logs(sandbox: SlackSandbox) -> Iterator[io.StringIO]:
    """Every record of every logger at DEBUG (slack_bolt, slack_sdk, urllib3, httpx, anthropic
    included), written the way `onramp serve --log-format json` writes them."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    logging_setup.configure(
        level="DEBUG",
        fmt="json",
        secrets=[sandbox.bot_token, sandbox.app_token, sandbox.signing_secret, ANTHROPIC_KEY],
        stream=stream,
    )
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    logging.captureWarnings(False)


def test_no_token_key_secret_or_personal_data_reaches_the_logs(
    captured_logs: io.StringIO,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    ticking: Ticking,
    container: Container,
    runtime: Any,
) -> None:
    """A real flow — commands (one with a forged signature, which makes Bolt log the raw body),
    check-ins sent and answered, a Claude answer with a key — logged at DEBUG by every library,
    leaves no token, signing secret, API key, verification token, e-mail or phone number."""
    email, phone = "jane.doe@example.com", "+1 415 555 0100"
    enroll_hire(slack)
    slack.command("help", HIRE)
    slack.signed_with(secret="f" * 32).command(f"team {email}", MANAGER)
    ticking.run(8)
    answer_pulse(slack, HIRE, checkin_messages(sandbox, "pulse")[-1], "at_risk", f"call {phone}")
    assert runtime.settle()
    with FakeMessagesAPI() as fake:
        claude = container.answers.rebind(
            db=container.db, onboarding=container.onboarding, clock=ticking.clock
        )
        claude.model = claude_model(fake, api_key=ANTHROPIC_KEY, retries=0, max_tokens=200)
        answer = claude.ask(question=f"What are the 30-day goals? Mail me at {email}")
        assert answer.backend == "anthropic"
        assert fake.requests[0].headers.get("x-api-key") or fake.requests[0].headers.get(
            "authorization"
        )
    logs = captured_logs.getvalue()
    assert "Invalid request signature detected" in logs  # Bolt did log the forged body
    assert "onramp_outbox" in logs or "chat.postMessage" in logs  # slack_sdk's DEBUG lines
    for secret in (
        sandbox.bot_token,
        sandbox.app_token,
        sandbox.signing_secret,
        sandbox.verification_token,
        ANTHROPIC_KEY,
        email,
        phone,
    ):
        assert secret not in logs
    for line in logs.splitlines():
        try:
            record = json.loads(line)  # every line is one JSON object
        except ValueError:
            pytest.fail(f"not a JSON line: {line[:300]}")
        assert {"time", "level", "logger", "message"} <= record.keys()
    with container.db.read() as session:
        from sqlmodel import select

        from storage.models import QaLog

        questions = [row.question for row in session.exec(select(QaLog)).all()]
    assert questions
    assert all(email not in q for q in questions)


def test_json_lines_carry_the_request_and_outbox_ids(
    captured_logs: io.StringIO, slack: SlackDriver, engine: Checkins, clock: ManualClock
) -> None:
    """Records logged while serving a request carry its request and user ids; records logged
    while posting a check-in carry the outbox row's id."""
    enroll_hire(slack)
    clock.advance(timedelta(days=1))
    engine.tick()
    records = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    requests = [r for r in records if r["logger"] == "onramp.slack.requests"]
    assert requests
    assert all(r.get("request_id") for r in requests)
    assert any(r.get("user_id") == MANAGER for r in records)
    assert any(r.get("outbox_id") for r in records if r["logger"].startswith("slack_sdk"))


# --- broadcast mentions ------------------------------------------------------------------------

EVIL = "U0EVIL"


def _posted(sandbox: SlackSandbox) -> list[tuple[str, str]]:
    """Everything the bot sent Slack: posts, updates, ephemerals, response_url bodies, views."""
    found = []
    for call in sandbox.calls():
        if call.method.startswith(("chat.", "views.")) or call.method == "response_url":
            found.append((call.method, json.dumps(call.params, ensure_ascii=False)))
    for reply in sandbox.ephemerals():
        found.append(("ephemeral", json.dumps([reply.text, reply.blocks], ensure_ascii=False)))
    return found


def test_no_broadcast_mention_is_ever_posted_whatever_people_type(
    slack: SlackDriver, sandbox: SlackSandbox, ticking: Ticking, container: Container, runtime: Any
) -> None:
    """<!channel>, <!here>, <!everyone> and group mentions typed into commands, notes, check-in
    answers and Slack names come back escaped or removed in every message, reply and view."""
    sandbox.add_user(EVIL, "<!here>", tz="UTC", real_name="<!channel> Chad <!subteam^S1|@all>")
    plan = container.catalog.get(container.catalog.ids()[0]).plan
    milestone = plan.phases[0].milestones[0].id
    for injection in INJECTIONS:
        slack.command(injection, MANAGER)
        slack.command(f"progress {injection}", MANAGER)
        slack.command(f"enroll <@{EVIL}|{injection}> mentor=<@{MENTOR}>", MANAGER)
    enroll_hire(slack)
    slack.command(f"mark {milestone} blocked {' '.join(INJECTIONS)} please help", HIRE)
    slack.command(f"mark {milestone} in_progress <!channel>", EVIL)
    slack.command("team", MANAGER)
    slack.command(f"ask {' '.join(INJECTIONS)} say <!channel> to everyone", HIRE)
    slack.app_home_opened(MANAGER)
    slack.app_home_opened(MENTOR)
    ticking.clock.advance(timedelta(hours=1))  # ticks at 15:00 UTC: New York's, Berlin's windows
    ticking.run(9)
    for pulse in checkin_messages(sandbox, "pulse"):
        user = pulse.channel.replace("D", "U", 1)
        answer_pulse(slack, user, pulse, "blocked", " ".join(INJECTIONS))
    assert runtime.settle()
    ticking.run(8)
    assert runtime.settle()
    posted = _posted(sandbox)
    kinds = {m.event_payload["key"].split(":")[0] for m in checkin_messages(sandbox)}
    assert {"pulse", "mentor_nudge", "manager_digest"} <= kinds  # the echoes were exercised
    leaks = sorted(
        {
            (method, body[max(0, hit.start() - 60) : hit.end() + 20])
            for method, body in posted
            for hit in BROADCAST.finditer(body)
        }
    )
    assert leaks == []


def test_the_same_dm_reaching_two_processes_is_answered_once(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: Any, second_url: tuple[str, Any]
) -> None:
    """A question DM'd once but delivered to both processes (Slack's retry after a slow ack
    landing on the other one) gets exactly one answer in the DM."""
    url, second = second_url
    question = "What are the 30-day goals? Tell <!channel> too."
    message = sandbox.post_as_user(HIRE, HIRE, question)
    event = {
        "type": "message",
        "channel": message.channel,
        "user": HIRE,
        "text": question,
        "ts": message.ts,
        "event_ts": message.ts,
        "channel_type": "im",
    }
    assert slack.event(event, event_id="Ev0HARDENINGDM").status == 200
    assert runtime.settle()
    other = SlackDriver(sandbox=sandbox, events_url=url)
    assert other.event(event, event_id="Ev0HARDENINGDM", retry_num=1).status == 200
    assert second.settle()
    answers = sandbox.bot_messages(HIRE)
    assert len(answers) == 1
    assert not BROADCAST.search(json.dumps([answers[0].text, answers[0].blocks]))


def test_redactor_masks_credentials_and_personal_data_but_keeps_dates() -> None:
    """Header values, form tokens, keys, e-mails and phone numbers are masked; the dates and
    times in library log lines stay readable (they are not phone numbers)."""
    redactor = logging_setup.Redactor(["a-configured-secret"])
    line = (
        "next run at: 2026-11-29 02:24:42 UTC body: token=abc123&team_id=T1 "
        "headers {'Authorization': 'Bearer xoxb-1-2-abc', 'x-api-key': 'sk-ant-api03-xyz'} "
        "call +1 415 555 0100 or jane@example.com; a-configured-secret"
    )
    masked = redactor(line)
    assert "2026-11-29 02:24:42" in masked
    for leaked in ("abc123", "xoxb-1-2-abc", "sk-ant-api03-xyz", "555 0100", "jane@", "configured"):
        assert leaked not in masked
