"""The evidence modal in Slack: the "Log as evidence" shortcut, the modal's submission and the
corroborator's one-click confirmation, through the real Bolt app over HTTP and the sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.app import Container, SlackRuntime
from bot.sandbox import Delivery, Message, SlackDriver, SlackSandbox, View
from bot.services.growth import CONFIRM_REFUSED, EvidenceView
from bot.services.onboarding import Actor
from bot.slack import growth_blocks as gb
from bot.slack import limits
from bot.slack.manifest import build_manifest
from tests.slack.conftest import HIRE, MANAGER, MENTOR, NEWCOMER, STRANGER, shown, view_text

CHANNEL = "C0TEAM"
WIN = "Shipped the golden eval set with baselines and regression tests; it caught a regression."


def _evidence(container: Container, viewer: str = HIRE) -> list[EvidenceView]:
    """The hire's evidence as ``viewer`` sees it, newest first."""
    return container.growth.evidence(actor=Actor.slack(viewer), hire=HIRE).items


def _opened(sandbox: SlackSandbox, runtime: SlackRuntime) -> View:
    """The modal the app opened (it opens after the ack)."""
    assert runtime.settle()
    [modal] = sandbox.views("modal")
    assert limits.view_problems(modal.raw) == []
    return modal


def _values(
    modal: View,
    *,
    text: str | None = None,
    tags: list[str] | None = None,
    visibility: str = "manager",
    corroborator: str | None = None,
) -> dict[str, Any]:
    """The modal's state as Slack sends it on submit: its prefilled text and pre-selected
    tags unless changed."""
    blocks = {b.get("block_id"): b for b in modal.blocks}
    prefilled = blocks[gb.TEXT_BLOCK]["element"].get("initial_value", "")
    initial = blocks[gb.TAGS_BLOCK]["element"].get("initial_options", [])
    chosen = (
        initial
        if tags is None
        else [{"text": {"type": "plain_text", "text": t}, "value": t} for t in tags]
    )
    return {
        gb.TEXT_BLOCK: {gb.TEXT_INPUT: {"type": "plain_text_input", "value": text or prefilled}},
        gb.TAGS_BLOCK: {gb.TAGS_INPUT: {"type": "multi_static_select", "selected_options": chosen}},
        gb.SEEN_BLOCK: {
            gb.SEEN_INPUT: {"type": "radio_buttons", "selected_option": {"value": visibility}}
        },
        gb.WITNESS_BLOCK: {
            gb.WITNESS_INPUT: {"type": "users_select", "selected_user": corroborator}
        },
    }


def _submit(slack: SlackDriver, user: str, modal: View, **values: Any) -> Delivery:
    return slack.view_submission(user, gb.MODAL_CALLBACK, _values(modal, **values), view=modal)


def _shortcut(slack: SlackDriver, sandbox: SlackSandbox, user: str, author: str, text: str):
    message = sandbox.post_as_user(author, CHANNEL, text)
    return message, slack.message_action(user, gb.SHORTCUT_CALLBACK, message)


def test_the_shortcut_quotes_the_message_links_it_and_suggests_tags(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, container: Container
) -> None:
    """Used on the hire's own message, the modal quotes it, shows its permalink and pre-selects
    the tags its words match; saving stores the text, the link and the tags, fixed as chosen."""
    message, delivery = _shortcut(enrolled, sandbox, HIRE, HIRE, WIN)
    assert delivery.status == 200
    modal = _opened(sandbox, runtime)
    blocks = {b.get("block_id"): b for b in modal.blocks}
    assert blocks[gb.TEXT_BLOCK]["element"]["initial_value"] == WIN
    suggested = [o["value"] for o in blocks[gb.TAGS_BLOCK]["element"]["initial_options"]]
    assert {"llm-evaluation", "evaluation-mindset"} <= set(suggested)
    assert gb.LINK_BLOCK not in blocks  # the message's link is kept, not typed
    permalink = f"https://sandbox.slack.com/archives/{CHANNEL}/p{message.ts.replace('.', '')}"
    assert permalink in view_text({"blocks": modal.blocks})
    assert blocks[gb.SEEN_BLOCK]["element"]["initial_option"]["value"] == "manager"
    assert _submit(enrolled, HIRE, modal, visibility="mentors").body == ""
    assert runtime.settle()
    [stored] = _evidence(container)
    assert (stored.text, stored.link, stored.visibility.value) == (WIN, permalink, "mentors")
    assert set(stored.tags) == set(suggested)
    assert stored.created_by == HIRE
    [told] = sandbox.bot_messages(HIRE)
    assert f"Recorded your win #{stored.id}" in told.text
    assert "you, your manager and your mentors can see it" in told.text


def test_saving_republishes_the_hires_home(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """After a save the hire's Home counts the new evidence on its dimension."""
    _shortcut(enrolled, sandbox, HIRE, HIRE, WIN)
    modal = _opened(sandbox, runtime)
    _submit(enrolled, HIRE, modal, tags=["communication"])
    assert runtime.settle()
    home = sandbox.home_view(HIRE)
    assert home is not None
    assert "• *Communication* — evidence 1" in view_text({"blocks": home.blocks})


def test_a_manager_logs_their_hires_message_for_the_hire(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, container: Container
) -> None:
    """The manager of record using the shortcut on their hire's message records it as the
    hire's evidence; the modal says whose, and the manager's DM names the hire."""
    _shortcut(enrolled, sandbox, MANAGER, HIRE, "Led the incident review and wrote it up")
    modal = _opened(sandbox, runtime)
    assert f"<@{HIRE}>'s growth" in view_text({"blocks": modal.blocks})
    _submit(enrolled, MANAGER, modal)
    assert runtime.settle()
    [stored] = _evidence(container, MANAGER)
    assert stored.created_by == MANAGER
    [told] = sandbox.bot_messages(MANAGER)
    assert f"for <@{HIRE}>" in told.text


def test_a_mentor_logs_a_hires_message_as_their_own_and_is_told_they_have_no_plan(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, container: Container
) -> None:
    """A mentor may not record the hire's growth, so the shortcut is about the mentor, who is
    on no plan: a private, clear reply, no modal, nothing stored."""
    _, delivery = _shortcut(enrolled, sandbox, MENTOR, HIRE, WIN)
    assert delivery.status == 200
    assert runtime.settle()
    assert sandbox.views("modal") == []
    [reply] = sandbox.ephemerals(MENTOR)
    assert reply.text == "You're not on an Onramp plan yet; ask your manager to enroll you."
    assert _evidence(container) == []


def test_someone_on_no_plan_gets_a_clear_reply(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A newcomer using the shortcut on their own message is told to get enrolled, privately."""
    _shortcut(enrolled, sandbox, NEWCOMER, NEWCOMER, WIN)
    assert runtime.settle()
    assert sandbox.views("modal") == []
    [reply] = sandbox.ephemerals(NEWCOMER)
    assert "not on an Onramp plan yet" in reply.text
    assert "Traceback" not in reply.text


def test_a_message_without_text_cannot_be_logged(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A message with only a file (no text) gets a private reply saying what to do instead."""
    message = {"channel": CHANNEL, "ts": "1700000000.000100", "user": HIRE, "text": ""}
    sandbox.add_channel(CHANNEL, "team")
    enrolled.message_action(HIRE, gb.SHORTCUT_CALLBACK, message)
    assert runtime.settle()
    assert sandbox.views("modal") == []
    [reply] = sandbox.ephemerals(HIRE)
    assert reply.text == gb.SHORTCUT_NO_TEXT.format(cmd="/onramp")


@pytest.mark.parametrize(
    ("values", "block", "words"),
    [
        ({"text": "   "}, gb.TEXT_BLOCK, "Evidence needs a text"),
        ({"corroborator": HIRE}, gb.WITNESS_BLOCK, "You can't confirm what you record yourself"),
        ({"tags": ["no-such-tag"]}, gb.TAGS_BLOCK, "There is no tag 'no-such-tag'"),
        ({"corroborator": "U0ONRAMPBOT"}, gb.WITNESS_BLOCK, gb.WITNESS_NOT_A_PERSON),
    ],
    ids=["empty-text", "self-corroborator", "unknown-tag", "an-app-as-corroborator"],
)
def test_wrong_input_is_shown_beside_its_field_and_nothing_is_stored(
    enrolled: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    container: Container,
    values: dict[str, Any],
    block: str,
    words: str,
) -> None:
    """A refused save answers `response_action: errors` on the field at fault; the modal
    stays open and nothing is recorded or sent."""
    _shortcut(enrolled, sandbox, HIRE, HIRE, WIN)
    modal = _opened(sandbox, runtime)
    delivery = _submit(enrolled, HIRE, modal, **values)
    answer = delivery.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [block]
    assert words in answer["errors"][block]
    assert runtime.settle()
    assert _evidence(container) == []
    assert sandbox.bot_messages(HIRE) == []


def _confirm_request(sandbox: SlackSandbox) -> Message:
    [asked] = sandbox.bot_messages(MENTOR)
    return asked


def _witnessed(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> tuple[Message, int]:
    """The hire saved a win naming the mentor as corroborator: the mentor's DM, the id."""
    _shortcut(enrolled, sandbox, HIRE, HIRE, WIN)
    modal = _opened(sandbox, runtime)
    _submit(enrolled, HIRE, modal, tags=["evaluation-mindset"], corroborator=MENTOR)
    assert runtime.settle()
    asked = _confirm_request(sandbox)
    [button] = [e for b in asked.blocks if b["type"] == "actions" for e in b["elements"]]
    return asked, int(button["value"])


def test_the_corroborator_reads_the_win_and_confirms_it_once(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, container: Container
) -> None:
    """The named corroborator gets the text in a DM with a Confirm button; one click records
    it (the DM then says so, without the button), the author hears of it, readiness counts it
    corroborated, and a second click changes nothing."""
    asked, evidence_id = _witnessed(enrolled, sandbox, runtime)
    assert WIN.split(";", maxsplit=1)[0] in str(asked.blocks)
    assert f"<@{HIRE}> logged a win and named you" in asked.text
    [told] = sandbox.bot_messages(HIRE)
    assert f"I've asked <@{MENTOR}> to confirm it." in told.text
    enrolled.block_action(MENTOR, gb.CONFIRM_ACTION, str(evidence_id), message=asked)
    assert runtime.settle()
    confirmed = _confirm_request(sandbox)
    assert confirmed.text.startswith("✓ You confirmed this on ")
    assert all(b["type"] != "actions" for b in confirmed.blocks)
    [stored] = _evidence(container)
    assert stored.confirmed_at is not None
    [_, thanks] = sandbox.bot_messages(HIRE)
    assert thanks.text.startswith(f"✓ <@{MENTOR}> confirmed your win #{evidence_id}: “Shipped")
    growth = shown(enrolled.command("growth", HIRE))
    assert "`evaluation-mindset` — evidence 1 (1 corroborated)" in growth
    enrolled.block_action(MENTOR, gb.CONFIRM_ACTION, str(evidence_id), message=asked)
    assert runtime.settle()
    assert _confirm_request(sandbox).text.startswith("✓ Already confirmed on ")
    assert len(sandbox.bot_messages(HIRE)) == 2  # the author hears of it once


@pytest.mark.parametrize("clicker", [STRANGER, HIRE, MANAGER])
def test_only_the_named_corroborator_can_confirm(
    enrolled: SlackDriver,
    sandbox: SlackSandbox,
    runtime: SlackRuntime,
    container: Container,
    clicker: str,
) -> None:
    """Anyone else clicking Confirm (a forwarded or forged click) is told privately that only
    the named person can; nothing is confirmed and the request stays as it was."""
    asked, evidence_id = _witnessed(enrolled, sandbox, runtime)
    enrolled.block_action(clicker, gb.CONFIRM_ACTION, str(evidence_id), message=asked)
    assert runtime.settle()
    assert any(r.text == CONFIRM_REFUSED for r in sandbox.ephemerals(clicker))
    assert _evidence(container)[0].confirmed_at is None
    assert _confirm_request(sandbox).blocks == asked.blocks


def test_the_manifest_has_the_shortcut_and_the_scope_it_needs(runtime: SlackRuntime) -> None:
    """The registered shortcut is in the generated manifest, as a message shortcut."""
    manifest = build_manifest(runtime.app.surface, app_name="Onramp")
    assert manifest["features"]["shortcuts"] == [
        {
            "name": "Log as evidence",
            "type": "message",
            "callback_id": "log_evidence",
            "description": gb.SHORTCUT["description"],
        }
    ]
    assert "commands" in manifest["oauth_config"]["scopes"]["bot"]
    assert json.dumps(manifest)  # plain data


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Shipped R&amp;D notes &lt;3", "Shipped R&D notes <3"),
        ("Thanks <@U0MENTOR|milo> and <@U0HIRE>!", "Thanks @milo and @U0HIRE!"),
        (
            "<!here> see <https://x.example/pr/1|the PR> in <#C0TEAM|team>",
            "see the PR (https://x.example/pr/1) in #team",
        ),
        ("plain <https://x.example/a?b=1&amp;c=2>", "plain https://x.example/a?b=1&c=2"),
        ("two   spaces\n\n  and lines ", "two spaces\n\nand lines"),
    ],
    ids=["escapes", "mentions", "links-broadcast-channel", "bare-link", "spaces"],
)
def test_an_excerpt_reads_as_the_message_does(raw: str, expected: str) -> None:
    """Slack's markup becomes what a person reads; broadcasts are dropped."""
    assert gb.excerpt(raw) == expected


def test_people_mentioned_by_id_are_named_in_the_excerpt(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """A mention without a name (as Slack sends them) is quoted with the person's Slack name."""
    _shortcut(enrolled, sandbox, HIRE, HIRE, f"Paired with <@{MENTOR}> on the retry fix")
    modal = _opened(sandbox, runtime)
    [text] = [b for b in modal.blocks if b.get("block_id") == gb.TEXT_BLOCK]
    assert text["element"]["initial_value"] == "Paired with @milo on the retry fix"


def test_a_long_message_is_cut_at_a_word_to_the_excerpt_limit() -> None:
    """Past 500 characters the excerpt ends at a word with "…" (the permalink has the rest)."""
    cut = gb.excerpt("word " * 200)
    assert len(cut) <= gb.EXCERPT_LIMIT
    assert cut.endswith("word…")


def test_only_mentions_without_a_name_are_looked_up() -> None:
    """`<@U2>` needs a lookup, once; `<@U1|ana>` already says who, and channels are not people."""
    assert gb.mentioned("hi <@U1|ana>, <@U2> and <@U2> in <#C1|team>") == ["U2"]
