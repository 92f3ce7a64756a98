"""Hostile input through the real HTTP app: slash-command text, tampered block actions and views,
broken request bodies, plan files and app.yaml of the wrong shape. Never a 500, never a
traceback, always a clear message, and nothing written when a request is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Container, SlackRuntime
from bot.config import load_settings
from bot.domain.errors import ConfigError, PlanError
from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.catalog import load_plan_file
from bot.slack import checkin_blocks as cb
from bot.slack import payloads
from tests.conftest import PLANS_DIR
from tests.hardening.conftest import (
    HIRE,
    MANAGER,
    MENTOR,
    STRANGER,
    Ticking,
    answer_pulse,
    checkin_messages,
    note_values,
    shown,
    snapshot,
)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = [
    "",
    " ",
    "\x00",
    "\u202e\u200b\ufeff",
    "help\x07\x1b[31m",
    "'; DROP TABLE enrollment; --",
    "progress <@U0HIRE|hana>' OR '1'='1",
    'enroll "<@U0NEWBIE" plan="junior-llm-engineer',
    "enroll <@",
    "enroll <@U0NEWBIE|nia start=2026-13-45",
    "enroll <@U0NOBODY|ghost> plan=../../etc/passwd",
    "pause <@U0HIRE|hana>",
    "withdraw <@U0HIRE>",
    "complete <#C0GENERAL|general>",
    "mark s6.30-day-goals.m1 done <!channel>",
    "mark ../../x done",
    "progress <!here> <!subteam^S123|devs>",
    "x" * 20_000,
    "enroll " + "<@U0HIRE> " * 500,
    "🦄" * 3000,
    "%s %d {0} {name!r} ${HOME} `rm -rf /`",
]
SUBCOMMANDS = [
    "",
    "help",
    "me",
    "progress",
    "team",
    "enroll",
    "pause",
    "resume",
    "complete",
    "withdraw",
    "mark",
    "plans",
    "zzz",
]

command_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=400),
    st.builds(
        lambda word, rest: f"{word} {rest}",
        st.sampled_from(SUBCOMMANDS),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    ),
)


def _assert_clear_reply(delivery: Any) -> str:
    assert delivery.status == 200, delivery.body
    body = delivery.json()
    assert body["response_type"] == "ephemeral"
    said = shown(delivery)
    assert said.strip()
    assert "Traceback" not in said
    assert "Error:" not in said
    return said


@FUZZ
@given(text=command_text)
def test_fuzzed_commands_from_a_stranger_get_a_clear_private_reply_and_write_nothing(
    enrolled: SlackDriver, container: Container, text: str
) -> None:
    """Any /onramp text from someone with no plan is a 200 with a private, readable reply, and
    the enrollment, progress, outbox and audit tables are byte-for-byte unchanged."""
    before = snapshot(container.db)
    delivery = enrolled.command(text, STRANGER)
    said = _assert_clear_reply(delivery)
    if not said.startswith("Enrolled"):
        assert snapshot(container.db) == before, said


@FUZZ
@given(text=command_text)
def test_fuzzed_commands_from_the_hire_never_fail(
    enrolled: SlackDriver, runtime: SlackRuntime, text: str
) -> None:
    """The hire's own /onramp, whatever follows it, answers 200 with a private reply."""
    _assert_clear_reply(enrolled.command(text, HIRE))
    assert runtime.settle()


@pytest.fixture
def checked_in(enrolled: SlackDriver, ticking: Ticking, sandbox: SlackSandbox) -> dict[str, Any]:
    """A week on: the hire has a welcome and a weekly pulse (with mood buttons) in their DM."""
    ticking.run(8)
    pulses = checkin_messages(sandbox, "pulse")
    assert pulses
    digests = [m for m in checkin_messages(sandbox) if "digest" in m.event_payload["key"]]
    return {"pulse": pulses[-1], "digest": digests[-1]}


ACTION_IDS = [
    f"{cb.MOOD_ACTION}:on_track",
    f"{cb.MOOD_ACTION}:blocked",
    f"{cb.MOOD_ACTION}:",
    cb.MILESTONE_ACTION,
    cb.NOTE_ACTION,
    payloads.MILESTONE_STATUS_ACTION,
    "unknown_action",
    "",
]


@FUZZ
@given(
    user=st.sampled_from([STRANGER, MENTOR, MANAGER]),
    action_id=st.sampled_from(ACTION_IDS),
    value=st.one_of(
        st.sampled_from(["1:blocked", "4:on_track", "4", "999999:at_risk", "-1", "4:../../x"]),
        st.text(max_size=60),
        st.integers(min_value=-5, max_value=10**12).map(str),
    ),
    block_id=st.one_of(
        st.none(),
        st.sampled_from(["milestone:s6.30-day-goals.m1", "checkin_ms:4:s6.30-day-goals.m1"]),
        st.text(max_size=40),
    ),
)
def test_tampered_actions_on_other_peoples_checkins_are_refused_and_write_nothing(
    checked_in: dict[str, Any],
    enrolled: SlackDriver,
    container: Container,
    runtime: SlackRuntime,
    user: str,
    action_id: str,
    value: str,
    block_id: str | None,
) -> None:
    """Clicks that name the hire's check-ins (or none) by anyone else — forged action ids,
    values naming other people's outbox rows, junk block ids — are acked and change nothing."""
    before = snapshot(container.db)
    selected = {"value": "done"} if action_id in (cb.MILESTONE_ACTION, "milestone_status") else None
    payload = {
        "type": "block_actions",
        "user": {"id": user, "name": user.lower()},
        "api_app_id": enrolled.sandbox.app_id,
        "team": {"id": enrolled.sandbox.team_id},
        "trigger_id": "1.2.3",
        "container": {"type": "message", "channel_id": "D0HIRE", "message_ts": "1.0"},
        "channel": {"id": "D0HIRE"},
        "actions": [
            {
                "action_id": action_id,
                "value": value,
                "block_id": block_id,
                "type": "button",
                "action_ts": "1.0",
                **({"selected_option": selected} if selected else {}),
            }
        ],
    }
    delivery = enrolled.post(
        urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
    )
    # Every action is acked, an unknown one too (the catch-all tells the clicker it is inactive).
    assert delivery.status == 200
    assert runtime.settle()
    assert snapshot(container.db) == before


@FUZZ
@given(
    user=st.sampled_from([STRANGER, MENTOR, MANAGER]),
    metadata=st.one_of(
        st.sampled_from(["4|D0HIRE|1.0", "1", "4", "999999|x|y", "", "|||", "-4|D|t"]),
        st.text(max_size=80),
    ),
    note=st.text(max_size=300),
)
def test_note_submissions_naming_someone_elses_checkin_are_refused(
    checked_in: dict[str, Any],
    enrolled: SlackDriver,
    container: Container,
    user: str,
    metadata: str,
    note: str,
) -> None:
    """A note modal whose private_metadata names the hire's check-in, submitted by someone else
    (or with junk metadata), is answered 200 and writes nothing."""
    before = snapshot(container.db)
    values = note_values(note)
    delivery = enrolled.view_submission(user, cb.NOTE_CALLBACK, values, private_metadata=metadata)
    assert delivery.status == 200
    assert "Traceback" not in delivery.body
    assert snapshot(container.db) == before


def test_the_hire_can_still_answer_their_own_pulse(
    checked_in: dict[str, Any], enrolled: SlackDriver, container: Container
) -> None:
    """The refusals above are not a broken control: the hire's own click is recorded."""
    before = snapshot(container.db)
    assert answer_pulse(enrolled, HIRE, checked_in["pulse"], "on_track").status == 200
    assert snapshot(container.db) != before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"payload=" + b"%5B%5D", "application/x-www-form-urlencoded"),
        (b'{"type": "event_callback", "event": 5}', "application/json"),
        (
            b'{"type": "event_callback", "event_id": ["x"], "event": {"type": "message"}}',
            "application/json",
        ),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"command=%2Fonramp&text=help", "application/x-www-form-urlencoded"),
        (b"", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_signed_bodies_are_client_errors_not_crashes(
    slack: SlackDriver, container: Container, body: bytes, content_type: str
) -> None:
    """Signed but malformed bodies get a 2xx/4xx answer, never a 500, and write nothing."""
    before = snapshot(container.db)
    delivery = slack.post(body, content_type)
    assert delivery.status < 500, delivery.body
    assert "Traceback" not in delivery.body
    assert snapshot(container.db) == before


# --- files: plans and app.yaml --------------------------------------------------------------

WRONG_TYPES = [
    ("checkins:\n  send_time: lunch\n", "checkins.send_time"),
    ("checkins: [1, 2]\n", "checkins"),
    ("admins: U0ADMIN\n", "admins"),
    ("answers:\n  backend: gpt\n", "answers.backend"),
    ("anthropic:\n  max_tokens: many\n", "anthropic.max_tokens"),
    ("slack:\n  command: onramp\n", "slack.command"),
    ("default_timezone: Mars/Olympus\n", "default_timezone"),
    ("log_level: LOUD\n", "log_level"),
    ("- just\n- a list\n", "must be a mapping"),
    ("checkins: {send_time: [}\n", "not valid YAML"),
    ("slack:\n  bot_token: xoxb-1-2\n", "SLACK_BOT_TOKEN"),
    ("anthropic:\n  api_key: sk-ant-x\n", "ANTHROPIC_API_KEY"),
]


@pytest.mark.parametrize(("content", "named"), WRONG_TYPES)
def test_app_yaml_of_the_wrong_shape_names_the_file_and_field(
    tmp_path: Path, content: str, named: str
) -> None:
    """Every wrong type in app.yaml is a ConfigError naming the file and the field (or the
    environment variable a secret belongs in), never a stack trace."""
    path = tmp_path / "app.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    assert named in message


@FUZZ
@given(
    value=st.one_of(
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=30),
        st.booleans(),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
        st.none(),
    ),
    field=st.sampled_from(["id", "version", "phases", "title", "checkins", "kpis"]),
)
def test_plan_files_with_wrong_types_are_refused_with_file_line_and_field(
    tmp_path_factory: pytest.TempPathFactory, value: object, field: str
) -> None:
    """A plan.yaml whose top-level field holds any wrong value is refused by `plans check` with
    the file, a line number and the field path — or loads, when the value happens to be valid."""
    import yaml

    source = PLANS_DIR / "junior-llm-engineer"
    root = tmp_path_factory.mktemp("plans")
    folder = root / "junior-llm-engineer"
    folder.mkdir()
    for item in source.iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    plan = yaml.safe_load((source / "plan.yaml").read_text(encoding="utf-8"))
    plan[field] = value
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    try:
        load_plan_file(folder / "plan.yaml")
    except PlanError as exc:
        text = "\n".join(exc.problems)
        assert re.search(r"plan\.yaml:\d+: ", text), text
        assert field in text, text
        assert "Traceback" not in text
