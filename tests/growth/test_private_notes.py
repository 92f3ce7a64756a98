"""Private notes: only their author can ever read them, on every surface (docs/growth.md,
"Private notes").

The manager keeps a note about the hire; then each other persona — the admin, the hire, the
mentor, a stranger — walks every surface that shows the hire's data (Slack's `notes`, `growth`,
a career question and App Home; the CLI's `growth`, `evidence list` and `export`) and never
reads it. Writing a note is audited without its text.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.app import Container
from bot.cli import load
from bot.config import Settings
from bot.sandbox import SlackDriver
from storage.models import AuditLog, PrivateNote
from tests.slack.conftest import ADMIN, HIRE, MANAGER, MENTOR, STRANGER, HomeTab, shown

SECRET = "Worried about the eval backlog zq7"
READERS = [ADMIN, HIRE, MENTOR, STRANGER]
#: The only modules that may name the private-note table: its repository and its service.
NOTE_READERS = {"storage/one_on_ones.py", "storage/models.py", "bot/services/one_on_ones.py"}


@pytest.fixture
def noted(enrolled: SlackDriver) -> SlackDriver:
    """The manager has kept a private note about the hire."""
    reply = shown(enrolled.command(f"note <@{HIRE}|hana> {SECRET}", MANAGER))
    assert "Only you can ever read it" in reply, reply
    return enrolled


def _cli(settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(load(), list(args), env={"DATABASE_URL": settings.database_url})
    return result.stdout + result.stderr


def test_the_author_reads_their_own_notes(noted: SlackDriver) -> None:
    """`/onramp notes @hire` lists the caller's own notes, with the lock that says whose they
    are; a mention in a note reads as @name and a broadcast is dropped."""
    noted.command(f"note <@{HIRE}|hana> paired with <@{MENTOR}|milo> on R&D <!here>", MANAGER)
    text = shown(noted.command(f"notes <@{HIRE}|hana>", MANAGER))
    assert SECRET in text
    assert "paired with @milo on R&amp;D\n" in text + "\n"
    assert "only you can see these" in text


@pytest.mark.parametrize("reader", READERS, ids=["admin", "hire", "mentor", "stranger"])
def test_nobody_else_reads_the_note_in_slack(
    noted: SlackDriver, home: HomeTab, reader: str
) -> None:
    """`notes`, `growth`, a career question and App Home never show another author's note."""
    seen = [
        shown(noted.command(f"notes <@{HIRE}|hana>", reader)),
        shown(noted.command(f"growth <@{HIRE}|hana>", reader)),
        shown(noted.command("ask What is hana worried about?", reader)),
        repr(home.open(reader).blocks),
    ]
    for text in seen:
        assert "zq7" not in text


def test_no_cli_surface_reads_the_note(noted: SlackDriver, settings: Settings) -> None:
    """The operator's `growth`, `evidence list` and `export` (admin views) carry no note, and
    `--as` any persona changes nothing."""
    outputs = [
        _cli(settings, "growth", HIRE, "--json"),
        _cli(settings, "evidence", "list", HIRE, "--json"),
        _cli(settings, "export", "--format", "json"),
    ]
    outputs += [_cli(settings, "growth", HIRE, "--as", who, "--json") for who in READERS]
    for out in outputs:
        assert "zq7" not in out


def test_the_note_is_audited_and_logged_without_its_text(
    enrolled: SlackDriver, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    """One `note.add` audit row names the note, never its words, and no log line (at any level)
    carries them; the note is the manager's."""
    caplog.set_level(logging.DEBUG)
    assert "Only you can ever read it" in shown(
        enrolled.command(f"note <@{HIRE}|hana> {SECRET}", MANAGER)
    )
    assert "zq7" not in caplog.text
    with container.db.read() as session:
        audits = session.exec(select(AuditLog).where(AuditLog.action == "note.add")).all()
        notes = session.exec(select(PrivateNote)).all()
    assert len(audits) == 1
    assert "zq7" not in json.dumps(audits[0].detail)
    assert audits[0].detail == {"note": notes[0].id}
    assert [n.text for n in notes] == [SECRET]


@pytest.mark.parametrize("writer", [HIRE, STRANGER], ids=["hire", "stranger"])
def test_only_people_around_the_hire_keep_notes(enrolled: SlackDriver, writer: str) -> None:
    """The hire (about themself) and a stranger are refused, and nothing is kept."""
    text = shown(enrolled.command(f"note <@{HIRE}|hana> {SECRET}", writer))
    assert "You can only keep notes about people you manage or mentor." in text


def test_only_the_note_service_names_the_table() -> None:
    """No module but the note's repository and service reads `private_note`, so no export,
    view or answer can carry a note by accident."""
    root = Path(__file__).resolve().parents[2]
    naming = {
        str(path.relative_to(root))
        for folder in ("bot", "storage")
        for path in (root / folder).rglob("*.py")
        if "migrations" not in path.parts
        and ("PrivateNote" in (text := path.read_text()) or "private_note" in text)
    }
    assert naming <= NOTE_READERS
