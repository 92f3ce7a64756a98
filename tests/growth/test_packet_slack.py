"""`/onramp packet` through the real Bolt app: the file uploaded to the requester's DM (read
back from the sandbox), the hire's preview and comment, and who is refused."""

from __future__ import annotations

import pytest

from bot.app import Container, SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.clock import ManualClock
from bot.slack import packet_blocks as pb
from tests.slack.conftest import HIRE, MANAGER, MENTOR, shown
from tests.support.packet import PRIVATE_NOTE, PRIVATE_WIN, TODAY, seed_packet


@pytest.fixture
def seeded(enrolled: SlackDriver, container: Container, clock: ManualClock) -> SlackDriver:
    """The hire enrolled through Slack, a year of rows, the clock at TODAY."""
    seed_packet(container.db, hire=HIRE, manager=MANAGER)
    clock.set(TODAY)
    return enrolled


def test_the_manager_gets_the_html_packet_uploaded_to_their_dm(
    seeded: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """`/onramp packet @hire` acks at once; the HTML lands in the manager's DM as a file that
    has inline SVG, the hire's evidence and no URL, private note or private evidence."""
    said = shown(seeded.command(f"packet <@{HIRE}|hana>", MANAGER))
    assert said == pb.ON_ITS_WAY.format(hire=HIRE)
    assert runtime.settle()
    [uploaded] = sandbox.files(MANAGER)
    assert uploaded.filename == f"review-packet-{HIRE}-2027-05-10.html"
    html = uploaded.text
    assert "<svg" in html
    assert "regression eval for intents" in html
    for absent in ("http", "src=", PRIVATE_NOTE, PRIVATE_WIN):
        assert absent not in html
    assert [c.method for c in sandbox.calls() if c.method.startswith(("files.", "upload"))] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_the_hire_previews_comments_and_the_manager_sees_the_comment(
    seeded: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """`/onramp packet` by the hire uploads a preview with an "Add a comment" button; the
    comment saved in its modal is in the packet the manager pulls next."""
    seeded.command("packet", HIRE)
    assert runtime.settle()
    [preview] = sandbox.files(HIRE)
    assert "Preview: this is what your manager sees" in preview.text
    [dm] = [m for m in sandbox.bot_messages(HIRE) if m.text == pb.PREVIEW_DM]
    seeded.block_action(HIRE, pb.OPEN_COMMENT_ACTION, message=dm)
    assert runtime.settle()
    modal = sandbox.views("modal")[-1]
    assert modal.callback_id == pb.MODAL_CALLBACK
    values = {
        pb.COMMENT_BLOCK: {pb.COMMENT_INPUT: {"type": "plain_text_input", "value": "On-call <3"}}
    }
    assert seeded.view_submission(HIRE, pb.MODAL_CALLBACK, values, view=modal).status == 200
    assert runtime.settle()
    assert any("Saved your comment" in m.text for m in sandbox.bot_messages(HIRE))
    seeded.command(f"packet <@{HIRE}|hana>", MANAGER)
    assert runtime.settle()
    [pulled] = sandbox.files(MANAGER)
    assert "On-call &lt;3" in pulled.text


def test_a_mentor_is_refused_and_nothing_is_uploaded(
    seeded: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A mentor's `/onramp packet @hire` is refused in words that say who may; no file."""
    said = shown(seeded.command(f"packet <@{HIRE}|hana>", MENTOR))
    assert "A review packet is for the hire's manager" in said
    assert runtime.settle()
    assert sandbox.files() == []
